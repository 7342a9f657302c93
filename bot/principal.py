"""Who is asking: the principal every answer, tool call and conversation belongs to.

A principal is built at the edge that authenticated the caller and travels with the request:

==============  ==========================================  ====================================
kind            name                                        park scope
==============  ==========================================  ====================================
``token``       the API token's name (``auth.tokens``)      the token's ``parks``
``slack``       ``<team id>:<user id>``                     ``slack.parks``
``wecom``       ``<corp id>:<user id>`` (AI bot: ``aibot``)  ``wecom.parks``
``cli``         the local user running ``parkbot``          all parks, or ``parkbot ask --parks``
``development`` ``development`` (no access control)         all parks
==============  ==========================================  ====================================

The park scope is enforced inside the tools (``bot/assistant/tools.py``), so every channel gets it;
conversation ids are kept per principal (:meth:`Principal.conversation_key`), so a caller cannot
continue another caller's conversation by sending its id.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ALL_PARKS = "*"
CONVERSATION_KEY_LIMIT = 200  # the store's conversations.id column

PrincipalKind = Literal["token", "slack", "wecom", "cli", "development"]


class Principal(BaseModel):
    """The caller: never a secret, only a name and what it may see."""

    model_config = ConfigDict(frozen=True)

    kind: PrincipalKind = "token"
    name: str
    parks: tuple[str, ...] = Field(default=(ALL_PARKS,), description='Park ids it may read; ("*",) = all')
    manage_documents: bool = False

    @property
    def all_parks(self) -> bool:
        return ALL_PARKS in self.parks

    def may_read_park(self, park_id: str) -> bool:
        """Park ids are read without case (the cohort refuses ids that differ only in case)."""
        return self.all_parks or str(park_id).strip().casefold() in {p.casefold() for p in self.parks}

    @property
    def key(self) -> str:
        """``kind:name``, unique per caller (logs, conversation namespaces)."""
        return f"{self.kind}:{self.name}"

    def conversation_key(self, conversation_id: str) -> str:
        """Where this caller's conversation ``conversation_id`` is stored: in the caller's own namespace.

        Ids too long for the store keep a readable head and end in a hash of the whole key."""
        key = f"{self.key}/{conversation_id}"
        if len(key) <= CONVERSATION_KEY_LIMIT:
            return key
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
        return f"{key[: CONVERSATION_KEY_LIMIT - 33]}#{digest}"


DEVELOPMENT = Principal(kind="development", name="development", manage_documents=True)
