"""schemathesis against /openapi.json of the production app: no 5xx, responses match the schema.

The app is the real one (create_app, every middleware, the API routers that exist) with scripted
answers, so each operation runs a bounded number of generated examples in seconds. Requests carry
the ops token; rate limiting is off so the generator is not throttled.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.production.conftest import OPS_TOKEN, ProductionServices, make_settings, production_app
from tests.support.bot_packets import bot_settings

_STORE_DIR = tempfile.TemporaryDirectory(prefix="parkbot-schemathesis-")  # removed at exit


def _app():  # type: ignore[no-untyped-def]
    tmp = Path(_STORE_DIR.name)
    config = make_settings(
        tmp,
        env="production",
        limits={"rate_per_minute": 0},
        **bot_settings(),
    )
    return production_app(config, ProductionServices(config))


# Slack and WeCom speak their platforms' protocols (signed callbacks, text/XML answers), not the
# JSON contract: they are checked by tests/slack and tests/wecom, and fuzzed by test_fuzz_bot_endpoints.py.
# 413 is how an over-long message is refused (CONTRACT.md, bot/http/limits.py): a correct rejection.
CONFIG = schemathesis.Config.from_dict(
    {"checks": {"negative_data_rejection": {"expected-statuses": [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429]}}}
)
schema = schemathesis.openapi.from_asgi("/openapi.json", _app(), config=CONFIG).exclude(path_regex="^/(wecom|slack)/")


@pytest.mark.filterwarnings("ignore")
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_schema(case) -> None:  # type: ignore[no-untyped-def]
    # Every check but positive_data_acceptance: a schema-valid request may still be refused with a
    # documented 400 naming the problem (a blank question, no user message), as CONTRACT.md says.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {OPS_TOKEN}"},
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )
