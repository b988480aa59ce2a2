"""A workshop proposal, and reading proposals from a JSON Lines or CSV file.

A proposal is not an initiative: it is a session someone asked to hold, kept in the
registry beside the initiatives so that a programme committee can find the look-alikes
among them and merge a group into a solution track. A file names, for each proposal,
`id` and `title`, and optionally `description`, `organisers`, `communities` (one per
organiser, in the same order, or one for all of them), `theme`, `year` and `source`.
In a CSV file, lists are written with `;` between the items. `other_sources`, which the
IGF's own lists carry, is accepted and left out.

Every mistake in a file is reported at once, each with its line, and nothing is stored.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from cooperation.errors import ProposalError
from cooperation.vocabulary import COMMUNITIES, Community

FIELDS = ("id", "title", "description", "organisers", "communities", "theme", "year", "source")
_LONGEST_TEXT = 20_000
MAX_ERRORS_SHOWN = 20


@dataclass(frozen=True, slots=True)
class Proposal:
    """One workshop proposal, as imported (`merged_into` is set once it is merged into an initiative)."""

    id: str
    title: str
    description: str = ""
    organisers: tuple[str, ...] = ()
    communities: tuple[Community, ...] = ()
    theme: str = ""
    year: int | None = None
    source: str = ""
    merged_into: str | None = None
    merged_at: str | None = None

    def fields(self) -> dict[str, Any]:
        """The proposal's own fields as stored (empty ones left out), without its merge."""
        data: dict[str, Any] = {"id": self.id, "title": self.title}
        for name in FIELDS[2:]:
            value = getattr(self, name)
            if value not in ("", (), None):
                data[name] = list(value) if isinstance(value, tuple) else value
        return data

    def community_of(self, organiser: str) -> Community | None:
        """The community an organiser comes from, as the proposal says (None when it does not)."""
        if len(self.communities) == 1:
            return self.communities[0]
        if len(self.communities) == len(self.organisers) and organiser in self.organisers:
            return self.communities[self.organisers.index(organiser)]
        return None


def proposal_from(
    fields: Mapping[str, Any], *, merged_into: str | None = None, merged_at: str | None = None
) -> Proposal:
    """A proposal from checked fields (as `check_fields` returns them, or as stored)."""
    year = fields.get("year")
    return Proposal(
        id=fields["id"],
        title=fields["title"],
        description=fields.get("description", ""),
        organisers=tuple(fields.get("organisers", ())),
        communities=tuple(fields.get("communities", ())),
        theme=fields.get("theme", ""),
        year=int(year) if year is not None else None,
        source=fields.get("source", ""),
        merged_into=merged_into,
        merged_at=merged_at,
    )


def read_proposals(path: str | Path) -> list[Proposal]:
    """The proposals of a JSON Lines file (`.jsonl`, `.json`) or a CSV file (`.csv`), every one checked."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ProposalError(f"cannot read proposals from {file}: {error}") from None
    rows = _csv_rows(text, file) if file.suffix.lower() == ".csv" else _json_rows(text, file)
    return parse_rows(rows, source=str(file))


def parse_rows(rows: Iterable[tuple[int, object]], *, source: str) -> list[Proposal]:
    """Proposals from (line, raw row) pairs; every problem is named with its line, then raised together."""
    proposals: list[Proposal] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for line, raw in rows:
        try:
            proposal = proposal_from(check_fields(raw))
        except ProposalError as error:
            problems.append(f"{source}:{line}: {error}")
            continue
        if proposal.id in seen:
            problems.append(f"{source}:{line}: id '{proposal.id}' was already given on line {seen[proposal.id]}")
            continue
        seen[proposal.id] = line
        proposals.append(proposal)
    if problems:
        shown = problems[:MAX_ERRORS_SHOWN]
        if len(problems) > MAX_ERRORS_SHOWN:
            shown.append(f"... and {len(problems) - MAX_ERRORS_SHOWN} more; nothing was imported")
        raise ProposalError("\n".join(shown))
    if not proposals:
        raise ProposalError(f"{source}: no proposals found (give one per line, each with an id and a title)")
    return proposals


def check_fields(raw: object) -> dict[str, Any]:
    """One proposal's fields, checked and tidied, or ProposalError naming the field and the fix."""
    if not isinstance(raw, Mapping):
        raise ProposalError("a proposal is an object with an id and a title")
    unknown = sorted(str(key) for key in raw if key not in FIELDS and key != "other_sources")
    if unknown:
        raise ProposalError(f"unknown field {', '.join(unknown)} (known: {', '.join(FIELDS)})")
    fields: dict[str, Any] = {"id": _text(raw, "id", required=True, longest=128)}
    fields["title"] = _text(raw, "title", required=True, longest=500)
    for name in ("description", "theme", "source"):
        value = _text(raw, name)
        if value:
            fields[name] = value
    organisers = _texts(raw, "organisers")
    communities = _texts(raw, "communities")
    wrong = [name for name in communities if name not in COMMUNITIES]
    if wrong:
        raise ProposalError(f"communities: unknown {', '.join(wrong)} (use: {', '.join(COMMUNITIES)})")
    if len(communities) > 1 and len(communities) != len(organisers):
        raise ProposalError(
            f"communities: {len(communities)} given for {len(organisers)} organisers; "
            "give one per organiser, in the same order, or one for all of them"
        )
    if organisers:
        fields["organisers"] = organisers
    if communities:
        fields["communities"] = communities
    year = raw.get("year")
    if year not in (None, ""):
        if isinstance(year, str) and year.strip().isdigit():
            year = int(year)
        if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2999:
            raise ProposalError(f"year: {year!r} is not a year (write it as 2019)")
        fields["year"] = year
    return fields


def _text(raw: Mapping[str, Any], name: str, *, required: bool = False, longest: int = _LONGEST_TEXT) -> str:
    value = raw.get(name)
    if value is None or value == "":
        if required:
            raise ProposalError(f"{name}: missing (every proposal needs an id and a title)")
        return ""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ProposalError(f"{name}: must be text")
    text = " ".join(str(value).split()) if name != "description" else str(value).strip()
    if not text:
        if required:
            raise ProposalError(f"{name}: empty (every proposal needs an id and a title)")
        return ""
    if len(text) > longest:
        raise ProposalError(f"{name}: {len(text)} characters, more than the {longest} allowed")
    if any(ord(character) < 32 and character not in "\t\n" for character in text):
        raise ProposalError(f"{name}: holds control characters")
    return text


def _texts(raw: Mapping[str, Any], name: str) -> list[str]:
    value = raw.get(name)
    if value is None or value == "":
        return []
    items = value.split(";") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise ProposalError(f"{name}: must be a list of names (in CSV: names separated by ';')")
    cleaned = [" ".join(item.split()) for item in cast("list[str]", items)]
    if any(not item or len(item) > 200 for item in cleaned):
        raise ProposalError(f"{name}: each name needs 1 to 200 characters")
    return list(dict.fromkeys(cleaned))  # the same organiser named twice is one organiser


def _json_rows(text: str, file: Path) -> list[tuple[int, object]]:
    rows: list[tuple[int, object]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append((number, json.loads(line)))
        except json.JSONDecodeError as error:
            raise ProposalError(f"{file}:{number}: not valid JSON ({error.msg}); write one proposal per line") from None
    return rows


def _csv_rows(text: str, file: Path) -> Sequence[tuple[int, object]]:
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    if "id" not in header or "title" not in header:
        raise ProposalError(f"{file}:1: the header must name at least the columns id and title")
    try:
        return [(reader.line_num, dict(row)) for row in reader]
    except csv.Error as error:
        raise ProposalError(f"{file}:{reader.line_num}: not valid CSV ({error})") from None
