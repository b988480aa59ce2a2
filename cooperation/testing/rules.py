"""`workflow_state_machine`: the rule-based machine for one workflow, a rule per event kind and per move.

The rules draw names, conditions, parameters and transitions from the workflow they
are built for, so each set of rules is made by a function of the workflow; the machine
class is then assembled from them on top of `WorkflowMachine`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, cast

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule
from hypothesis.strategies import SearchStrategy

from cooperation.definition.compiled import CompiledWorkflow
from cooperation.engine.moves import moves_for
from cooperation.engine.payloads import WITHDRAWABLE_KINDS
from cooperation.engine.permissions import who_may_record
from cooperation.testing.machine import Breaches, WorkflowMachine
from cooperation.testing.strategies import START, as_compiled
from cooperation.verify.planner import NAMES
from cooperation.verify.walks import guarded_breacher
from cooperation.verify.witness import workflow_reference
from cooperation.vocabulary import COMMUNITIES, TLP_LABELS, Community, TlpLabel

Rules = dict[str, Callable[..., Any]]


def _participation_rules(people: SearchStrategy[str], roles: SearchStrategy[str]) -> Rules:
    """Participants join (in any role the workflow has) and leave, meet, and reach out to communities."""

    @rule(name=people, community=st.sampled_from(COMMUNITIES), role=roles)
    def join(self: WorkflowMachine, name: str, community: Community, role: str) -> None:
        self.record("participant_joined", {"name": name, "community": community, "role": role})

    @rule(name=people)
    def leave(self: WorkflowMachine, name: str) -> None:
        self.record("participant_left", {"name": name})

    @rule(attendees=st.lists(people, min_size=1, max_size=4, unique=True), neutral=st.booleans())
    def meet(self: WorkflowMachine, attendees: list[str], neutral: bool) -> None:
        self.record("meeting_held", {"attendees": attendees, "neutral": neutral})

    @rule(community=st.sampled_from(COMMUNITIES), by=people)
    def reach_out(self: WorkflowMachine, community: Community, by: str) -> None:
        self.record("outreach_done", {"community": community}, by=by)

    return {"join": join, "leave": leave, "meet": meet, "reach_out": reach_out}


def _condition_rules(compiled: CompiledWorkflow, people: SearchStrategy[str]) -> Rules:
    """Evidence, attestations and waivers for the workflow's conditions."""
    conditions = st.sampled_from(list(compiled.condition_order))

    @rule(condition=conditions, tlp=st.sampled_from(TLP_LABELS))
    def record_evidence(self: WorkflowMachine, condition: str, tlp: TlpLabel) -> None:
        """Adding evidence never un-meets a condition."""
        self.clock.advance(minutes=1)
        by = who_may_record(compiled, self.facts(), "evidence_recorded")
        if by is None:  # no one left who may record evidence: nothing to check
            return
        ahead = {c.condition: c.met for c in self.status().conditions}
        error = self.attempt(
            lambda: self.registry.record(
                self.initiative, "evidence_recorded", {"condition": condition, "text": "Noted.", "tlp": tlp}, by=by
            )
        )
        after = {c.condition: c.met for c in self.status().conditions}
        lost = [name for name in after if ahead[name] and not after[name]]
        assert error is None and not lost, f"evidence for {condition!r} un-met {lost}: {error}"

    @rule(condition=conditions, by=people)
    def attest(self: WorkflowMachine, condition: str, by: str) -> None:
        self.record("attestation_given", {"condition": condition}, by=by)

    @rule(condition=conditions, by=people, long_enough=st.booleans())
    def waive(self: WorkflowMachine, condition: str, by: str, long_enough: bool) -> None:
        rationale = "Not applicable here, for reasons recorded in the minutes of the meeting."
        if long_enough:
            rationale = (rationale + " ") * (1 + compiled.waiver_min_rationale(condition) // len(rationale))
        else:
            rationale = rationale[: max(1, compiled.waiver_min_rationale(condition) - 1)]
        self.record("condition_waived", {"condition": condition, "rationale": rationale.strip()}, by=by)

    return {"record_evidence": record_evidence, "attest": attest, "waive": waive}


def _outcome_rules(compiled: CompiledWorkflow, people: SearchStrategy[str]) -> Rules:
    """Scores (when the workflow has parameters), published outputs and breaches of trust."""
    found: Rules = {}
    parameters = compiled.definition.parameters
    if parameters:

        @rule(parameter=st.sampled_from(parameters), data=st.data())
        def score(self: WorkflowMachine, parameter: Any, data: st.DataObject) -> None:
            level = data.draw(st.integers(parameter.scale.min - 1, parameter.scale.max + 1), label="level")
            self.record("score_set", {"parameter": parameter.id, "level": level})

        found["score"] = score

    @rule(title=st.sampled_from(("Guidelines", "A joint statement")))
    def publish(self: WorkflowMachine, title: str) -> None:
        self.record("output_published", {"title": title})

    @rule(by=st.none() | people)
    def breach(self: WorkflowMachine, by: str | None) -> None:
        stage = self.status().stage
        if self.breaches_by == "guarded":
            by = guarded_breacher(compiled, self.registry, self.initiative, self.facts(), by)
            if by == "":
                return
        error = self.record("trust_breached", {"description": "Shared information was misused."}, by=by)
        automatic = moves_for(compiled).automatic(stage, "trust_breached")
        if error is None and automatic:
            assert self.status().stage == automatic.target

    return {**found, "publish": publish, "breach": breach}


def _correction_rules(people: SearchStrategy[str], roles: SearchStrategy[str]) -> Rules:
    """Corrections: a recorded fact withdrawn (mostly one that may be, sometimes any event), a role changed."""

    @rule(pick=st.integers(0, 1000), any_event=st.booleans(), by=people)
    def withdraw(self: WorkflowMachine, pick: int, any_event: bool, by: str) -> None:
        """A withdrawn fact no longer counts; withdrawing what is not a fact (or is gone) is refused."""
        history = self.registry.history(self.initiative)
        facts = [event.seq for event in history if event.kind in WITHDRAWABLE_KINDS]
        places = facts if facts and not any_event else list(range(1, len(history) + 2))
        seq = places[pick % len(places)]
        error = self.record("fact_withdrawn", {"seq": seq, "reason": "Recorded in error."}, by=by)
        if seq not in facts:
            assert error is not None, f"event #{seq} is no fact to withdraw, yet its withdrawal was recorded"

    @rule(name=people, role=roles, by=people)
    def change_role(self: WorkflowMachine, name: str, role: str, by: str) -> None:
        self.record("role_changed", {"name": name, "role": role}, by=by)

    return {"withdraw": withdraw, "change_role": change_role}


def _advance_rules(people: SearchStrategy[str]) -> Rules:
    """Advancing: by anyone, and exactly when the guard allows or refuses it."""

    @rule(actor=people)
    def advance(self: WorkflowMachine, actor: str) -> None:
        self.try_advance(actor)

    @precondition(lambda self: self._advance_open() is not None)
    @rule()
    def advance_when_the_guard_allows(self: WorkflowMachine) -> None:
        actor = self._advance_open()
        assert actor is not None
        self.try_advance(actor, tick=False)  # at the moment the guard was read
        assert self.registry.history(self.initiative)[-1].kind == "stage_advanced"

    @precondition(lambda self: self._advance_blocked() is not None)
    @rule()
    def advance_when_the_guard_refuses(self: WorkflowMachine) -> None:
        actor = self._advance_blocked()
        assert actor is not None
        self.try_advance(actor)

    return {
        "advance": advance,
        "advance_when_the_guard_allows": advance_when_the_guard_allows,
        "advance_when_the_guard_refuses": advance_when_the_guard_refuses,
    }


def _transition_rules(compiled: CompiledWorkflow, people: SearchStrategy[str]) -> Rules:
    """Every transition tried by anyone, and the ones the guards allow taken (none without transitions)."""
    transitions = [transition.id for transition in compiled.definition.transitions]
    if not transitions:
        return {}

    @rule(transition=st.sampled_from(transitions), actor=people)
    def take(self: WorkflowMachine, transition: str, actor: str) -> None:
        self.try_transition(transition, actor)

    @precondition(lambda self: bool(self._open_transitions()))
    @rule(pick=st.integers(0, 100))
    def take_a_transition_the_guards_allow(self: WorkflowMachine, pick: int) -> None:
        options = self._open_transitions()
        transition, actor = options[pick % len(options)]
        self.try_transition(transition, actor, tick=False)
        assert self.registry.history(self.initiative)[-1].data.get("transition") == transition

    return {"take": take, "take_a_transition_the_guards_allow": take_a_transition_the_guards_allow}


def workflow_state_machine(
    workflow: CompiledWorkflow | str,
    *,
    initiative: str = "example",
    start: datetime = START,
    breaches_by: Breaches = "anyone",
    names: Sequence[str] = NAMES[:6],
) -> type[WorkflowMachine]:
    """A `RuleBasedStateMachine` for `workflow` (a built-in id, a file, or a compiled workflow from a file).

    Use its `.TestCase` as a test; its default settings (deadline off, 30 steps) can be
    overridden through `TestCase.settings`. With `breaches_by="guarded"` breaches of trust
    are recorded only where the automatic move they cause meets its own roles and
    requirements (the engine does not check them for automatic moves).
    """
    compiled = as_compiled(workflow)
    workflow_reference(compiled)  # fail now, not in every example, if it cannot be recorded
    people = st.sampled_from(list(names))
    roles = st.sampled_from(compiled.role_names)  # the built-in roles, then those the workflow declares
    rules = {
        **_participation_rules(people, roles),
        **_condition_rules(compiled, people),
        **_outcome_rules(compiled, people),
        **_correction_rules(people, roles),
        **_advance_rules(people),
        **_transition_rules(compiled, people),
    }
    name = "".join(part.title() for part in compiled.id.split("-")) + "Machine"
    for attribute, function in rules.items():
        function.__qualname__ = f"{name}.{attribute}"
    machine = cast(
        type[WorkflowMachine],
        type(
            name,
            (WorkflowMachine,),
            {
                **rules,
                "__module__": __name__,
                "__qualname__": name,
                "workflow": compiled,
                "initiative": initiative,
                "start": start,
                "breaches_by": breaches_by,
            },
        ),
    )
    machine.TestCase.settings = settings(
        deadline=None,
        stateful_step_count=30,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    return machine
