"""The one error tree of the scoring engine.

Every error carries a snake_case ``code`` and a message that names the bad value and the fix.
The edges map the three middle classes to HTTP: ``InputError`` → 4xx (400/422),
``NotFoundError`` → 404, ``ConfigError`` → 500 (a fault in our shipped data).

    ScoringError                      code
    ├── InputError                    bad_input        (the caller's data; 4xx)
    │   ├── ValueFormatError          bad_value        one value: "8.5" for a ratio, "七十万"
    │   ├── ParkDataError             bad_park_data    a table with row/column-precise problems
    │   ├── UnknownKeyError           unknown_key      an indicator/fact/category/profile name
    │   └── CohortError               bad_cohort       mixed years, duplicate park ids, empty cohort
    ├── NotFoundError                 not_found        (404)
    │   └── ParkNotFoundError         park_not_found
    └── ConfigError                   bad_config       (config/ data; ours; 5xx)
        ├── RegistryError             bad_registry     file + row + problem
        └── IncompleteRegistryError   incomplete_registry   weights not all known: engine refuses
"""

from __future__ import annotations

from collections.abc import Sequence


class ScoringError(Exception):
    """Base class: ``code`` is a stable snake_case identifier, ``message`` is for people."""

    code = "scoring_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message


class InputError(ScoringError):
    """The caller's input is wrong; the message says which value and what to write instead."""

    code = "bad_input"


class ValueFormatError(InputError):
    """One value cannot be read in the unit the field declares."""

    code = "bad_value"

    def __init__(self, message: str, *, field: str | None = None, value: object = None) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


class CellProblem:
    """One bad cell of an imported table (1-based spreadsheet row, column header and letter)."""

    __slots__ = ("row", "column", "letter", "problem")

    def __init__(self, row: int, column: str, letter: str, problem: str) -> None:
        self.row, self.column, self.letter, self.problem = row, column, letter, problem

    def __str__(self) -> str:
        return f"row {self.row}, column {self.letter} '{self.column}': {self.problem}"

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "letter": self.letter, "problem": self.problem}


class ParkDataError(InputError):
    """An imported table has bad cells; ``problems`` lists each with row and column."""

    code = "bad_park_data"

    def __init__(self, source: str, problems: Sequence[CellProblem | str]) -> None:
        self.source = source
        self.problems = list(problems)
        shown = "\n".join(f"  - {p}" for p in self.problems[:25])
        more = f"\n  … and {len(self.problems) - 25} more" if len(self.problems) > 25 else ""
        super().__init__(f"{source}: {len(self.problems)} problem(s) in the park data:\n{shown}{more}")


class UnknownKeyError(InputError):
    """A name that is not in the registry / target table / profile list."""

    code = "unknown_key"


class CohortError(InputError):
    """The cohort cannot be scored as one: mixed years, duplicate ids, nothing to score."""

    code = "bad_cohort"


class NotFoundError(ScoringError):
    code = "not_found"


class ParkNotFoundError(NotFoundError):
    code = "park_not_found"

    def __init__(self, message: str, *, park_id: str | None = None, known: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.park_id = park_id
        self.known = list(known)


class ConfigError(ScoringError):
    """A file under config/scoring is wrong. Messages name the file, the row and the problem."""

    code = "bad_config"


class RegistryError(ConfigError):
    code = "bad_registry"


class IncompleteRegistryError(ConfigError):
    """The registry lacks weights or coefficients; scoring with it would invent numbers."""

    code = "incomplete_registry"
