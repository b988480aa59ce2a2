"""Who a condition that counts people counts, by name, for one initiative: "by Ada
Lovelace, Grace Hopper; could still attest: Alan Turing, Barbara Liskov".

Kept apart from the condition results on purpose. A result is shared by every initiative
whose facts measure the same (`cooperation.engine.evaluation`); names would make each
initiative's result its own, and a portfolio would lose the sharing and much of its speed
(docs/architecture.md, "Rules that exist only for speed"). So names are gathered here, from
the initiative's facts, only where one initiative is shown: `Registry.status`, and through it
`coop status ID` and reports. `Registry.statuses` leaves a status's `who` as None.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from cooperation.engine.conditions.table import KINDS

if TYPE_CHECKING:
    from cooperation.definition.compiled import CompiledWorkflow
    from cooperation.engine.facts import Facts
    from cooperation.engine.status import InitiativeStatus


@dataclass(frozen=True, slots=True)
class Who:
    """The people one condition counts, for one initiative.

    `kind`: the condition kind that counts them (`attestation`, `participation`; for an
    `expiring` condition, the kind inside its window); `names`: those it counts, sorted;
    `could_still`: current participants who could count but do not (an attestation not
    given, or given before the window), sorted.
    """

    kind: str
    names: list[str]
    could_still: list[str]

    def renamed(self, rename: Callable[[str], str]) -> Who:
        """The same, each name replaced (by a pseudonym), sorted again: the order of real names would tell."""
        return Who(self.kind, sorted(map(rename, self.names)), sorted(map(rename, self.could_still)))

    def text(self) -> str:
        """'by Ada Lovelace; could still attest: Alan Turing' (what follows the detail), or '' when no one is named."""
        counted, could = KINDS[self.kind].counts_people or ("counted:", "could still count:")
        parts = [f"{counted} {', '.join(self.names)}"] if self.names else []
        if self.could_still:
            parts.append(f"{could} {', '.join(self.could_still)}")
        return "; ".join(parts)


def with_names(detail: str, who: Who | None) -> str:
    """A condition's detail, then the people it counts when known ("...; by Ada; could still attest: Alan")."""
    named = who.text() if who is not None else ""
    return f"{detail}; {named}" if named else detail


def with_who(status: InitiativeStatus, workflow: CompiledWorkflow, facts: Facts, now: datetime) -> InitiativeStatus:
    """`status` with `who` filled in for each of its conditions that counts people."""
    return replace(status, who=who_counts(workflow, facts, now, (result.condition for result in status.conditions)))


def who_counts(workflow: CompiledWorkflow, facts: Facts, now: datetime, conditions: Iterable[str]) -> dict[str, Who]:
    """For each of `conditions` that counts people, whom it counts and who could still count, by name."""
    found = {}
    for condition_id in conditions:
        who = _who(workflow, facts, now, condition_id, None)
        if who is not None:
            found[condition_id] = who
    return found


def _who(
    workflow: CompiledWorkflow, facts: Facts, now: datetime, condition_id: str, since: datetime | None
) -> Who | None:
    """The people a condition counts; through a window (`expiring`), those its inner condition
    counts on facts from the window's start on, as the window's own measurement does."""
    condition = workflow.compiled_conditions[condition_id]
    kind = KINDS[condition.kind]
    if kind.counts_people:
        names, could_still = kind.people(facts, condition, since)
        return Who(condition.kind, names, could_still)
    span = kind.window_span(condition)
    if span is None or len(condition.parts) != 1:
        return None  # combinations and `held` name no one: their parts have their own
    start = span.before(now)
    return _who(workflow, facts, now, condition.parts[0], max(start, since) if since else start)
