"""Stable pseudonyms for participants and organisations, for anonymised reports.

Pseudonyms are numbered in the order names first appear in the registry: initiatives by
creation date (then id), each one's events in the order they were recorded. The log is
append-only, so a name keeps its number as the registry grows, run after run, whatever
initiatives or date a report covers. A number says nothing about the name, unlike a
hash, which anyone who can guess a name (and the registry's participants are often
known to the community) could compute and compare. The one thing that renumbers
pseudonyms is importing an initiative created before those already in the registry.

Free text is anonymised by replacing every whole-word, case-insensitive occurrence of
a known name, longest names first, in one pass (so a pseudonym is never replaced
again); the words of a name may be joined by spaces, hyphens, underscores, dots or
'+', so that 'ada-lovelace' in an id or a link is found too. A name glued inside a longer
word ("AdaCorp") is not recognised, and names
without a letter or digit are replaced only where they stand alone in a name field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from cooperation.engine.events import Event
from cooperation.engine.payloads import payload

# Pairs of (person, organisation) words; the first pair that no real name could be mistaken for is used.
_SEPARATORS = r"(?:[\s_.+-]|%20)+"
_PREFIXES = (("Participant", "Organisation"), ("Person", "Body"), ("Member", "Entity"))


class Pseudonyms:
    """Maps real participant and organisation names to stable pseudonyms, in fields and in free text."""

    def __init__(self, people: Sequence[str], organisations: Sequence[str]) -> None:
        names = [*people, *organisations]
        person_word, organisation_word = _choose_prefixes(names)
        self._people = {name: f"{person_word} {number}" for number, name in enumerate(_unique(people), start=1)}
        self._organisations = {
            name: f"{organisation_word} {number}" for number, name in enumerate(_unique(organisations), start=1)
        }
        # A name used both for a person and an organisation is shown as the person.
        replacements: dict[str, str] = {**self._organisations, **self._people}
        searchable = sorted(
            (name for name in replacements if any(character.isalnum() for character in name)),
            key=lambda name: (-len(name), name),
        )
        self._by_group = [replacements[name] for name in searchable]
        alternatives = "|".join(f"(?P<n{index}>{_spelled_any_way(name)})" for index, name in enumerate(searchable))
        self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE) if searchable else None

    @classmethod
    def from_logs(cls, logs: Iterable[Sequence[Event]]) -> Pseudonyms:
        """Pseudonyms for every name in these initiative logs (each in recorded order)."""
        ordered = sorted((log for log in logs if log), key=lambda log: (log[0].moment, log[0].initiative))
        people: list[str] = []
        organisations: list[str] = []
        for log in ordered:
            for event in log:
                if event.by is not None:
                    people.append(event.by)
                if event.kind == "participant_joined":
                    joined = payload(event, "participant_joined")
                    people.append(joined["name"])
                    organisation = joined.get("organisation")
                    if organisation:
                        organisations.append(organisation)
                elif event.kind == "participant_left":
                    people.append(payload(event, "participant_left")["name"])
                elif event.kind == "meeting_held":
                    people.extend(payload(event, "meeting_held").get("attendees", ()))
        return cls(people, organisations)

    def person(self, name: str) -> str:
        found = self._people.get(name)
        return found if found is not None else self.text(name)

    def organisation(self, name: str) -> str:
        found = self._organisations.get(name)
        return found if found is not None else self.text(name)

    def text(self, text: str) -> str:
        """Free text with every whole-word occurrence of a known name replaced."""
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda match: self._by_group[int((match.lastgroup or "n0")[1:])], text)


def _spelled_any_way(name: str) -> str:
    """A pattern for `name` whose words may also be joined by hyphens, underscores, dots or '+' (as in ids,
    links and file names: 'ada-lovelace', 'Ada_Lovelace', 'ada.lovelace')."""
    return _SEPARATORS.join(re.escape(word) for word in name.split())


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


def _choose_prefixes(names: Sequence[str]) -> tuple[str, str]:
    """Pseudonym words that no real name equals or contains, so a pseudonym never looks like a real name."""
    folded = [name.casefold() for name in names]
    for pair in _PREFIXES:
        words = [word.casefold() for word in pair]
        if not any(word in name or name in word for word in words for name in folded if len(name) >= 3):
            return pair
    return _PREFIXES[-1]
