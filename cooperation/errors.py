"""Every error the library raises on purpose, in one tree.

    CooperationError                 base: catch this to catch all of ours
    ├── WorkflowDefinitionError      a workflow file is wrong; carries every Problem found
    ├── UnknownWorkflowError         no built-in workflow or file by that name
    ├── WorkflowReferenceError       an initiative's workflow is not stored, or named by a path (never opened)
    ├── DurationError                an ISO 8601 duration that cannot be read, or a negative span (a ValueError too)
    ├── EventError                   an event is malformed or does not fit its initiative
    │   ├── MomentError              a date or datetime that cannot be read (a ValueError too)
    │   ├── ActorError               no actor named, not a current participant, not allowed, or not bound
    │   └── FutureEventError         dated too far ahead of the store's clock
    ├── TransitionError              a move was refused
    │   ├── BlockedTransitionError   prerequisites unmet; carries them, in working order
    │   └── NotPermittedError        the actor's role may not trigger this move
    ├── ConflictError                another writer appended first (safe to retry)
    ├── UnknownInitiativeError       no initiative with that id
    ├── StoreError                   the registry cannot be opened, read or written
    │   └── UnstorableEventError     an event no store can hold as given (also a ValueError)
    ├── TamperedRecordError          the hash chain does not verify (`coop audit`, exit 1)
    ├── InstallationError            a file the package ships with is missing (reinstall)
    │   └── MissingExtraError        an optional extra is not installed; names the extra to install
    ├── ProposalError                a workshop proposal, or a file of them, is wrong, unknown or merged already
    └── OutputError                  an output cannot be written where asked (e.g. a folder of others' files)

Each error carries its data as attributes, so that tools need not parse the text. An
error met while reading an input (a line of an import) is raised as an EventError whose
`location` names the place and whose `original` is the error met, with all its data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from cooperation.wording import did_you_mean, plural

if TYPE_CHECKING:
    from cooperation.engine.evaluation import ConditionResult


class CooperationError(Exception):
    """Base of every error this library raises on purpose."""

    location: str | None = None  # where in an input it was met ('events.jsonl:12'); prefixes the message
    original: CooperationError | None = None  # the error met there, when it is re-raised as another kind


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (or worth a warning) in a workflow file, with its place."""

    message: str
    path: str = ""
    file: str = "<workflow>"
    line: int | None = None
    column: int | None = None
    hint: str = ""
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        place = self.file
        if self.line is not None:
            place += f":{self.line}"
            if self.column is not None:
                place += f":{self.column}"
        where = f" {self.path}:" if self.path else ""
        warning = " warning:" if self.severity == "warning" else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{place}:{warning}{where} {self.message}{hint}"


class WorkflowDefinitionError(CooperationError):
    """A workflow definition is invalid; `problems` lists every error found at once."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class UnknownWorkflowError(CooperationError):
    """Neither a built-in workflow id nor a readable workflow file."""

    def __init__(self, name: str, known: Sequence[str], *, reason: str = "") -> None:
        self.name = name
        self.known = tuple(known)
        problem = f"workflow file '{name}': {reason}" if reason else f"unknown workflow '{name}'"
        super().__init__(f"{problem}: give a built-in id ({', '.join(known)}) or the path of a workflow file")


class WorkflowReferenceError(CooperationError):
    """A workflow named in data that cannot be used: a version not stored (or whose text does not
    match it), or a reference without a hash that is no built-in id (a path: never opened from data)."""

    def __init__(self, name: str, *, digest: str | None = None, problem: str = "") -> None:
        self.name, self.digest = name, digest
        shown = repr(name if len(name) <= 80 else name[:77] + "...")
        if digest is None:
            message = (
                f"the workflow {shown} is no built-in id, and a workflow named in data is never opened as a file: "
                "pin the initiative to a file you name (coop workflows upgrade ID --to FILE --by ACTOR --apply), "
                "or export it from a registry that holds its workflow (the export carries the text)"
            )
        elif problem:
            message = f"workflow {shown} version {digest[:12]}: {problem}"
        else:
            message = (
                f"workflow {shown} version {digest[:12]} is not stored in this registry "
                "(an import carries it on a coop_workflow line before the events that use it)"
            )
        super().__init__(message)


class DurationError(CooperationError, ValueError):
    """A duration that cannot be read (`P3Y`, `P8M`, ... are), or a negative span; the message names the fix."""


class EventError(CooperationError):
    """An event is malformed, or does not fit the initiative it is recorded for."""

    @classmethod
    def met_at(cls, location: str, error: CooperationError) -> EventError:
        """`error`, of any kind, met at `location` of an input: the message starts with the place, and
        `original` keeps the error with its data (a refused move's unmet prerequisites or allowed roles)."""
        located = cls(f"{location}: {error}")
        located.location = location
        located.original = error
        return located


class MomentError(EventError, ValueError):
    """A date or datetime that cannot be read (a ValueError too, so pydantic reports it in place)."""


class ActorError(EventError):
    """Who records an event is missing, not a current participant, in a role not allowed to record
    its kind (`cooperation.engine.permissions`), or, where accounts are bound, writing from another account."""

    def __init__(
        self, message: str, *, initiative: str, kind: str, actor: str | None, allowed: Sequence[str] = ()
    ) -> None:
        self.initiative = initiative
        self.kind = kind
        self.actor = actor
        self.allowed = tuple(allowed)
        super().__init__(message)


class TransitionError(CooperationError):
    """A move of an initiative was refused."""


class BlockedTransitionError(TransitionError):
    """A move was refused because blocking prerequisites are unmet.

    `unmet` holds their results in the order to work on them (prerequisites first).
    """

    def __init__(self, initiative: str, target: str, unmet: Sequence[ConditionResult]) -> None:
        self.initiative = initiative
        self.target = target
        self.unmet = tuple(unmet)
        lines = "\n".join(f"  - {result.condition}: {result.detail}" for result in self.unmet)
        super().__init__(
            f"{initiative} cannot move to '{target}': "
            f"{plural(len(self.unmet), 'prerequisite')} unmet, in the order to work on them:\n{lines}"
        )


class NotPermittedError(TransitionError):
    """The actor is not a current participant in a role allowed to trigger the move."""

    def __init__(self, initiative: str, move: str, actor: str | None, allowed: Sequence[str], reason: str) -> None:
        self.initiative = initiative
        self.move = move
        self.actor = actor
        self.allowed = tuple(allowed)
        super().__init__(
            f"{actor or 'an anonymous actor'} may not {move} {initiative}: {reason} "
            f"(allowed roles: {', '.join(allowed)})"
        )


class ConflictError(CooperationError):
    """Another writer appended to the same log first; nothing of this write landed."""

    def __init__(self, initiative: str, expected_version: int, actual_version: int) -> None:
        self.initiative = initiative
        self.expected_version = expected_version
        self.actual_version = actual_version
        super().__init__(
            f"{initiative} changed while you were writing (expected version {expected_version}, "
            f"found {actual_version}); nothing was written: read it again and retry"
        )


class UnknownInitiativeError(CooperationError):
    """No initiative with that id in the registry."""

    def __init__(self, initiative: str, *, detail: str = "", known: Iterable[str] = ()) -> None:
        self.initiative = initiative
        listing = did_you_mean(initiative, known) or "list them with `coop status --all`"
        super().__init__(detail or f"no initiative '{initiative}' in this registry ({listing})")


class StoreError(CooperationError):
    """The registry cannot be opened, read or written; the message names the file and the fix."""


class UnstorableEventError(StoreError, ValueError):
    """An event a store cannot hold as given: a NUL character, or handed to another initiative's log.

    Checked events never are; a ValueError too, as the stores raised before the tree held it.
    """


class InstallationError(CooperationError):
    """A file the package ships with (built-in workflows, examples) is missing: reinstall the package."""


class MissingExtraError(InstallationError):
    """A feature needs an optional extra that is not installed; `extra` names it (`pip install "...[extra]"`)."""

    def __init__(self, feature: str, extra: str, missing: str) -> None:
        self.feature = feature
        self.extra = extra
        self.missing = missing
        super().__init__(
            f"{feature} needs the optional extra '{extra}' ({missing} is not installed): "
            f'install it with pip install "cooperation-maturity[{extra}]"'
        )


class ProposalError(CooperationError):
    """A workshop proposal, or a file of them, is wrong, unknown, or already merged; the message names the fix."""


class OutputError(CooperationError):
    """An output cannot be written where it was asked for: a file stands where a folder should, or the
    folder holds files coop did not write and might overwrite."""


# --- the record's integrity (issue 14: tamper evidence, the store's clock) --------------------------


class TamperedRecordError(CooperationError):
    """The record does not verify: an event was altered, removed, inserted or reordered around coop,
    or the registry does not hold a head published earlier. `coop audit` ends with exit code 1."""


class FutureEventError(EventError):
    """An event is dated further ahead of the store's clock than the tolerance allows: the writer's
    clock runs ahead (or the date is mistyped). Nothing was written."""
