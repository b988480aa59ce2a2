"""Typed recording: `record`, typed per kind, and one method per kind of fact, as the CLI has one command per kind.

`Registry.record(id, "participant_joined", {...})` takes the kind as a string and its data
as a dictionary; these methods name each field, so an editor completes them and a type
checker catches a misspelt one. Each builds the event's data (leaving out what is not
given) and records it through the same checks, returning the event recorded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Literal, overload

from cooperation.engine.events import Event
from cooperation.engine.payloads import (
    AccountBoundData,
    AttestationGivenData,
    ClosedState,
    ConditionWaivedData,
    EvidenceRecordedData,
    FactWithdrawnData,
    InitiativeClosedData,
    InitiativeRenamedData,
    MeetingHeldData,
    OutputPublishedData,
    OutreachDoneData,
    ParticipantJoinedData,
    ParticipantLeftData,
    RecordableKind,
    RoleChangedData,
    ScoreSetData,
    TrustBreachedData,
)
from cooperation.errors import EventError
from cooperation.vocabulary import DEFAULT_TLP, TLP_LABELS, Community, TlpLabel, tlp_label

Moment = str | date | datetime


class Recorder:
    """The recording methods of `Registry` (which provides `_append`): `record`, and one typed method per kind."""

    # Provided by `Registry`: check the event against its initiative, then store it.
    _append: Callable[[str, RecordableKind, Mapping[str, object], str | None, Moment | None], Event]

    @overload
    def record(
        self,
        initiative: str,
        kind: Literal["participant_joined"],
        data: ParticipantJoinedData,
        *,
        by: str | None = ...,
        at: Moment | None = ...,
    ) -> Event: ...
    @overload
    def record(
        self,
        initiative: str,
        kind: Literal["participant_left"],
        data: ParticipantLeftData,
        *,
        by: str | None = ...,
        at: Moment | None = ...,
    ) -> Event: ...
    @overload
    def record(
        self,
        initiative: str,
        kind: Literal["meeting_held"],
        data: MeetingHeldData,
        *,
        by: str | None = ...,
        at: Moment | None = ...,
    ) -> Event: ...
    @overload
    def record(
        self,
        initiative: str,
        kind: Literal["evidence_recorded"],
        data: EvidenceRecordedData,
        *,
        by: str | None = ...,
        at: Moment | None = ...,
    ) -> Event: ...
    @overload
    def record(
        self,
        initiative: str,
        kind: Literal["attestation_given"],
        data: AttestationGivenData,
        *,
        by: str | None = ...,
        at: Moment | None = ...,
    ) -> Event: ...
    @overload
    def record(
        self,
        initiative: str,
        kind: Literal["condition_waived"],
        data: ConditionWaivedData,
        *,
        by: str | None = ...,
        at: Moment | None = ...,
    ) -> Event: ...
    @overload
    def record(
        self,
        initiative: str,
        kind: Literal["score_set"],
        data: ScoreSetData,
        *,
        by: str | None = ...,
        at: Moment | None = ...,
    ) -> Event: ...
    @overload
    def record(
        self,
        initiative: str,
        kind: Literal["output_published"],
        data: OutputPublishedData,
        *,
        by: str | None = ...,
        at: Moment | None = ...,
    ) -> Event: ...
    @overload
    def record(
        self,
        initiative: str,
        kind: Literal["trust_breached"],
        data: TrustBreachedData,
        *,
        by: str | None = ...,
        at: Moment | None = ...,
    ) -> Event: ...
    @overload
    def record(
        self,
        initiative: str,
        kind: Literal["fact_withdrawn"],
        data: FactWithdrawnData,
        *,
        by: str | None = ...,
        at: Moment | None = ...,
    ) -> Event: ...
    @overload
    def record(
        self,
        initiative: str,
        kind: Literal["role_changed"],
        data: RoleChangedData,
        *,
        by: str | None = ...,
        at: Moment | None = ...,
    ) -> Event: ...
    @overload
    def record(
        self,
        initiative: str,
        kind: Literal["initiative_renamed"],
        data: InitiativeRenamedData,
        *,
        by: str | None = ...,
        at: Moment | None = ...,
    ) -> Event: ...
    @overload
    def record(
        self,
        initiative: str,
        kind: Literal["initiative_closed"],
        data: InitiativeClosedData,
        *,
        by: str | None = ...,
        at: Moment | None = ...,
    ) -> Event: ...
    @overload
    def record(
        self,
        initiative: str,
        kind: Literal["outreach_done"],
        data: OutreachDoneData,
        *,
        by: str | None = ...,
        at: Moment | None = ...,
    ) -> Event: ...
    @overload
    def record(
        self,
        initiative: str,
        kind: Literal["account_bound"],
        data: AccountBoundData,
        *,
        by: str | None = ...,
        at: Moment | None = ...,
    ) -> Event: ...
    def record(
        self,
        initiative: str,
        kind: RecordableKind,
        data: Mapping[str, object],
        *,
        by: str | None = None,
        at: Moment | None = None,
    ) -> Event:
        """Record one fact (participant joined, meeting held, evidence, ...) after checking it fits.

        Recording `trust_breached` also takes the workflow's automatic regression, in the same write.
        Type checkers match `data` to `kind` (`cooperation.engine.payloads`); the schema checks it at run time.
        The typed methods (`join`, `attest`, `evidence`, ...) name each field instead.
        """
        return self._append(initiative, kind, data, by, at)

    def join(
        self,
        initiative: str,
        name: str,
        *,
        community: Community,
        role: str = "member",
        organisation: str | None = None,
        by: str | None = None,
        at: Moment | None = None,
    ) -> Event:
        """Record that `name` joined, from a stakeholder community, in a role."""
        data: dict[str, object] = {"name": name, "community": community, "role": role}
        if organisation is not None:
            data["organisation"] = organisation
        return self._append(initiative, "participant_joined", data, by, at)

    def leave(self, initiative: str, name: str, *, by: str | None = None, at: Moment | None = None) -> Event:
        """Record that `name` left."""
        return self._append(initiative, "participant_left", {"name": name}, by, at)

    def meet(
        self,
        initiative: str,
        attendees: Sequence[str],
        *,
        venue: str | None = None,
        neutral: bool = False,
        by: str | None = None,
        at: Moment | None = None,
    ) -> Event:
        """Record a meeting, who attended, and whether its venue was neutral ground."""
        data: dict[str, object] = {"attendees": list(attendees), "neutral": neutral}
        if venue is not None:
            data["venue"] = venue
        return self._append(initiative, "meeting_held", data, by, at)

    def evidence(
        self,
        initiative: str,
        condition: str,
        text: str,
        *,
        link: str | None = None,
        tlp: str = DEFAULT_TLP,
        by: str | None = None,
        at: Moment | None = None,
    ) -> Event:
        """Record evidence for a condition, labelled for who may see it (a TLP 2.0 label, any case)."""
        label = tlp_label(tlp)
        if label is None:
            raise EventError(f"'{tlp}' is not a TLP 2.0 label; use one of: {', '.join(TLP_LABELS)} (any case)")
        data: dict[str, object] = {"condition": condition, "text": text, "tlp": label}
        if link is not None:
            data["link"] = link
        return self._append(initiative, "evidence_recorded", data, by, at)

    def attest(self, initiative: str, condition: str, *, by: str, at: Moment | None = None) -> Event:
        """Record that participant `by` attests that a condition holds."""
        return self._append(initiative, "attestation_given", {"condition": condition}, by, at)

    def waive(self, initiative: str, condition: str, *, rationale: str, by: str, at: Moment | None = None) -> Event:
        """Waive a waivable or advisory condition, with the rationale on record (`by`: an owner or secretariat)."""
        return self._append(initiative, "condition_waived", {"condition": condition, "rationale": rationale}, by, at)

    def score(
        self, initiative: str, parameter: str, level: int, *, by: str | None = None, at: Moment | None = None
    ) -> Event:
        """Set a scored parameter, such as trust-level, to a level of its scale."""
        return self._append(initiative, "score_set", {"parameter": parameter, "level": level}, by, at)

    def publish(
        self, initiative: str, title: str, *, link: str | None = None, by: str | None = None, at: Moment | None = None
    ) -> Event:
        """Record an output the initiative published."""
        data: dict[str, object] = {"title": title}
        if link is not None:
            data["link"] = link
        return self._append(initiative, "output_published", data, by, at)

    def breach(self, initiative: str, description: str, *, by: str | None = None, at: Moment | None = None) -> Event:
        """Record a breach of trust; the workflow may regress the initiative by itself, in the same write."""
        return self._append(initiative, "trust_breached", {"description": description}, by, at)

    # --- corrections (issue 15): the log stays append-only; each names what it corrects ---------------

    def withdraw(self, initiative: str, seq: int, *, reason: str, by: str, at: Moment | None = None) -> Event:
        """Withdraw the evidence, attestation or waiver recorded as event `seq` (its place in `history`):
        from `at` on it counts as never recorded; before, it still does, and history keeps both."""
        return self._append(initiative, "fact_withdrawn", {"seq": seq, "reason": reason}, by, at)

    def change_role(self, initiative: str, name: str, role: str, *, by: str, at: Moment | None = None) -> Event:
        """Give a current participant another role (`by`: an owner or secretariat, or the creator)."""
        return self._append(initiative, "role_changed", {"name": name, "role": role}, by, at)

    def rename(
        self,
        initiative: str,
        *,
        name: str | None = None,
        alias: str | None = None,
        by: str,
        at: Moment | None = None,
    ) -> Event:
        """Give the initiative a new name, or another id it is found by (`alias`; its stored id stays), or both."""
        data: dict[str, object] = {key: value for key, value in (("name", name), ("alias", alias)) if value is not None}
        return self._append(initiative, "initiative_renamed", data, by, at)

    def archive(
        self,
        initiative: str,
        *,
        reason: str,
        by: str,
        state: ClosedState = "archived",
        at: Moment | None = None,
    ) -> Event:
        """Close the initiative: archived (it is over) or withdrawn (it should never have been, say a
        mistyped id). It is kept, out of the default portfolio; it takes no new events."""
        return self._append(initiative, "initiative_closed", {"state": state, "reason": reason}, by, at)

    def reach_out(
        self,
        initiative: str,
        community: Community,
        *,
        venue: str | None = None,
        result: str | None = None,
        tlp: TlpLabel | None = None,
        by: str | None = None,
        at: Moment | None = None,
    ) -> Event:
        """Record outreach to a stakeholder community: where (`venue`), by whom, with what `result`."""
        given = {"venue": venue, "result": result, "tlp": tlp}
        data: dict[str, object] = {"community": community, **{k: v for k, v in given.items() if v is not None}}
        return self._append(initiative, "outreach_done", data, by, at)


def slug(name: str) -> str:
    """An initiative id made from its name: 'No default passwords' -> 'no-default-passwords'."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:64].strip("-")
    if not text:
        raise EventError(f"cannot make an id from the name {name!r}; give one with --id")
    return text
