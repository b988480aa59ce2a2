"""The programme committee's desk: workshop proposals of one registry, imported, listed, compared and merged.

`Registry.proposals()` returns one. Proposals are kept by the registry's store
(`cooperation.stores.proposals.ProposalStore`) beside the initiatives. Merging a group
starts a `solution-track` initiative created by whoever merges (`by`, a programme committee
say): they are its creator and first participant, joining as owner with their community.
The proposals' organisers then join it with their communities (the first organiser of the
first proposal as an owner too, who convenes the track), each proposal is recorded as
evidence of `same-topic-proposals` with its source, and the proposals are marked merged
into it; every event is recorded by whoever merges. A proposal merges once. The initiative is
written through the registry's import, under the same rules as any recorded event, and
all or nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cooperation.definition.pinned import StoredWorkflow, read_builtin
from cooperation.engine.events import parse_at
from cooperation.engine.workflow_lines import workflow_line
from cooperation.errors import ProposalError, StoreError
from cooperation.proposals.records import Proposal, proposal_from, read_proposals
from cooperation.stores.proposals import ProposalStore
from cooperation.vocabulary import COMMUNITIES, Community
from cooperation.wording import did_you_mean

if TYPE_CHECKING:
    from cooperation.proposals.similarity import SimilarGroup
    from cooperation.registry import Registry

MERGE_WORKFLOW = "solution-track"
MERGE_EVIDENCE = "same-topic-proposals"  # the condition of `solution-track` the merged proposals are evidence of


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import of proposals did: ids added, replaced (their fields changed) and unchanged."""

    added: tuple[str, ...]
    replaced: tuple[str, ...]
    unchanged: tuple[str, ...]


class ProposalDesk:
    """Workshop proposals of one registry: import, list, find look-alikes, merge a group into a solution track."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        store = registry.store
        if not isinstance(store, ProposalStore):
            raise StoreError(f"the registry {store.url} keeps no workshop proposals (its store has no proposals table)")
        self._store: ProposalStore = store

    # --- reading ---------------------------------------------------------------------------

    def proposals(self, *, merged: bool | None = None) -> list[Proposal]:
        """Every stored proposal, by id; only the merged ones (`merged=True`) or the others (`False`)."""
        found = [
            proposal_from(json.loads(row.data), merged_into=row.merged_into, merged_at=row.merged_at)
            for row in self._store.read_proposals()
        ]
        return [item for item in found if merged is None or (item.merged_into is not None) == merged]

    def get(self, ids: Sequence[str]) -> list[Proposal]:
        """The proposals with these ids, in the order given; ProposalError naming any unknown id."""
        known = {item.id: item for item in self.proposals()}
        unknown = [identifier for identifier in ids if identifier not in known]
        if unknown:
            hints = [did_you_mean(identifier, known) for identifier in unknown]
            hint = "; ".join(text for text in hints if text) or "list them with `coop proposals list`"
            raise ProposalError(f"no proposal {', '.join(repr(i) for i in unknown)} in this registry ({hint})")
        return [known[identifier] for identifier in ids]

    def similar(self, *, threshold: float | None = None, include_merged: bool = False) -> list[SimilarGroup]:
        """Groups of look-alike proposals (needs the `proposals` extra); merged ones left out unless asked for."""
        from cooperation.proposals.similarity import DEFAULT_THRESHOLD, find_similar

        chosen = self.proposals(merged=None if include_merged else False)
        return find_similar(chosen, threshold=DEFAULT_THRESHOLD if threshold is None else threshold)

    # --- writing ---------------------------------------------------------------------------

    def import_file(self, path: str | Path) -> ImportSummary:
        """Import the proposals of a JSON Lines or CSV file (see `cooperation.proposals.records`)."""
        return self.import_proposals(read_proposals(path))

    def import_proposals(self, proposals: Sequence[Proposal]) -> ImportSummary:
        """Store proposals, all or none: new ids are added, changed ones replaced; a merged one cannot change."""
        stored = {item.id: item for item in self.proposals()}
        added: list[str] = []
        replaced: list[str] = []
        unchanged: list[str] = []
        rows: list[tuple[str, str]] = []
        for proposal in proposals:
            before = stored.get(proposal.id)
            if before is not None and before.fields() == proposal.fields():
                unchanged.append(proposal.id)
                continue
            if before is not None and before.merged_into is not None:
                raise ProposalError(
                    f"proposal '{proposal.id}' was merged into {before.merged_into} and cannot change; "
                    "give the changed proposal a new id. Nothing was imported"
                )
            (added if before is None else replaced).append(proposal.id)
            rows.append((proposal.id, json.dumps(proposal.fields(), ensure_ascii=False, sort_keys=True)))
        if rows:
            self._store.put_proposals(rows)
        return ImportSummary(tuple(added), tuple(replaced), tuple(unchanged))

    def merge(
        self,
        ids: Sequence[str],
        *,
        name: str,
        by: str,
        initiative: str | None = None,
        by_community: Community | None = None,
        communities: Mapping[str, Community] | None = None,
        at: str | date | datetime | None = None,
    ) -> str:
        """Start a solution track from proposals on one topic, created by `by`; return its initiative id.

        `by` joins first, as owner, with `by_community`; without it, with the community that
        `communities` or the proposals give them (when they organise one). `communities` gives the
        community of an organiser the proposals do not place. A proposal merges once: one merged
        already, or merged by someone else meanwhile, is refused.
        """
        from cooperation.recorder import slug

        chosen = self._mergeable(ids)
        identifier = initiative or slug(name)
        if self.registry.store.version(identifier):
            raise ProposalError(f"an initiative '{identifier}' already exists; choose another id (--id)")
        moment = parse_at(at) if at is not None else parse_at(self.registry._clock())  # the registry's "now"
        lines = merge_events(
            chosen,
            identifier,
            name=name,
            by=by,
            by_community=by_community,
            at=moment,
            communities=communities or {},
        )
        refused = self._store.claim_proposals([item.id for item in chosen], identifier, at=moment)
        if refused:
            raise ProposalError(
                f"{', '.join(refused)}: merged into another initiative meanwhile (a proposal merges once); "
                "nothing was written"
            )
        try:
            self.registry.import_lines(lines, source=f"merge of {', '.join(item.id for item in chosen)}")
        except BaseException:
            self._store.release_proposals([item.id for item in chosen], identifier)
            raise
        return identifier

    def _mergeable(self, ids: Sequence[str]) -> list[Proposal]:
        unique = list(dict.fromkeys(ids))
        if len(unique) < 2:
            raise ProposalError("a merge needs at least two different proposals (give their ids)")
        chosen = self.get(unique)
        merged = [f"{item.id} (into {item.merged_into} on {item.merged_at})" for item in chosen if item.merged_into]
        if merged:
            raise ProposalError(f"already merged, and a proposal merges once: {', '.join(merged)}")
        return chosen


def merge_events(
    proposals: Sequence[Proposal],
    initiative: str,
    *,
    name: str,
    by: str,
    at: str,
    communities: Mapping[str, Community],
    by_community: Community | None = None,
) -> list[str]:
    """The JSON Lines that start the solution track: created by `by`, who joins first as owner, then its
    organisers joined and each proposal as evidence, all recorded by `by`."""
    by = by.strip()
    if not by:
        raise ProposalError("a merge needs who merges (--by NAME): they create the track and are its first owner")
    given = [*communities.values(), *([by_community] if by_community is not None else [])]
    wrong = sorted(value for value in given if value not in COMMUNITIES)
    if wrong:
        raise ProposalError(f"unknown communities {', '.join(wrong)} (use: {', '.join(COMMUNITIES)})")
    placed = _placed(proposals)
    organisers = _organisers(proposals, communities, placed)
    creator = by_community or communities.get(by) or placed.get(by)
    if creator is None:
        raise ProposalError(
            f"no community for {by}, who merges and so creates the track as its first owner: name it with "
            f"--by-community COMMUNITY (by_community= in the API), one of {', '.join(COMMUNITIES)}"
        )

    def line(kind: str, data: dict[str, Any]) -> str:
        event = {"initiative": initiative, "kind": kind, "at": at, "by": by, "data": data}
        return json.dumps(event, ensure_ascii=False)

    pin = read_builtin(MERGE_WORKFLOW)  # the track is pinned to the text this coop ships, carried by the import
    lines = [
        workflow_line(StoredWorkflow(pin.hash, pin.id, pin.text)),
        line("initiative_created", {"name": name, **pin.reference()}),
        line("participant_joined", {"name": by, "community": creator, "role": "owner"}),  # the creator, first
    ]
    for position, (organiser, community) in enumerate(organisers.items()):
        if organiser == by:
            continue  # whoever merges organises one of the proposals: already joined, as owner
        role = "owner" if position == 0 else "member"  # the first organiser convenes the track
        lines.append(line("participant_joined", {"name": organiser, "community": community, "role": role}))
    for proposal in proposals:
        text = f"Merged proposal {proposal.id}: {proposal.title}"
        if proposal.organisers:
            text += f" (organisers: {', '.join(proposal.organisers)})"
        data: dict[str, Any] = {"condition": MERGE_EVIDENCE, "text": text, "tlp": "TLP:CLEAR"}
        if proposal.source:
            data["link"] = proposal.source[:2000]
        lines.append(line("evidence_recorded", data))
    return lines


def _placed(proposals: Sequence[Proposal]) -> dict[str, Community]:
    """What any of the proposals says of each organiser's community."""
    placed: dict[str, Community] = {}
    for proposal in proposals:
        for organiser in proposal.organisers:
            community = proposal.community_of(organiser)
            if community is not None:
                placed.setdefault(organiser, community)
    return placed


def _organisers(
    proposals: Sequence[Proposal], communities: Mapping[str, Community], placed: Mapping[str, Community]
) -> dict[str, Community]:
    """Every organiser with their community (given, else as a proposal says), or ProposalError naming those without."""
    organisers: dict[str, Community] = {}
    unplaced: list[str] = []
    for proposal in proposals:
        for organiser in proposal.organisers:
            community = communities.get(organiser) or placed.get(organiser)
            if community is None:
                unplaced.append(f"'{organiser}' ({proposal.id})")
            else:
                organisers.setdefault(organiser, community)
    if unplaced:
        raise ProposalError(
            f"no community for organiser {', '.join(dict.fromkeys(unplaced))}: add `communities` to the proposal "
            "and import it again, or name it with --community 'ORGANISER=COMMUNITY'"
        )
    return organisers
