"""Stable pseudonyms for participants and organisations, for anonymised reports.

Pseudonyms are numbered in the order names first appear in the registry: initiatives by
creation date (then id), each one's events in the order they were recorded. The log is
append-only, so a name keeps its number as the registry grows, run after run, whatever
initiatives or date a report covers. A number says nothing about the name, unlike a
hash, which anyone who can guess a name (and the registry's participants are often
known to the community) could compute and compare. The one thing that renumbers
pseudonyms is importing an initiative created before those already in the registry.

Free text is anonymised by `cooperation.reports.deidentify`: every name, its parts and
its variants, folded (Unicode forms, case, apostrophes, dashes, invisible characters,
percent-encoding), found in one pass over the text. A part that belongs to one name is
replaced by that name's pseudonym; a part shared by several names by a pseudonym word with
no number ("Participant ?"). Pseudonym words are chosen so that no pseudonym contains a
name, a part or a variant of one (checked against the same folded keys).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, count

from cooperation.engine.events import Event
from cooperation.engine.payloads import payload
from cooperation.reports.deidentify import NameKeys, NameMatcher, name_keys
from cooperation.reports.folding import BREAK, fold

# Pairs of (person, organisation) words; the first pair with which no pseudonym contains a name is used.
_PREFIXES = (
    ("Participant", "Organisation"),
    ("Person", "Body"),
    ("Member", "Entity"),
    ("Contributor", "Institution"),
    ("Delegate", "Party"),
)
# Priorities of keys in the matcher: a person's name over an organisation's, whole names over parts.
_PERSON, _ORGANISATION, _PERSON_PART, _ORGANISATION_PART = 40, 30, 20, 10


class Pseudonyms:
    """Maps real participant and organisation names to stable pseudonyms, in fields and in free text."""

    def __init__(self, people: Sequence[str], organisations: Sequence[str]) -> None:
        people_keys = {name: name_keys(name, organisation=False) for name in _unique(people)}
        organisation_keys = {name: name_keys(name, organisation=True) for name in _unique(organisations)}
        every_key = {key for keys in (*people_keys.values(), *organisation_keys.values()) for key in chain(*keys)}
        person_word, organisation_word = _choose_words(every_key, len(people_keys), len(organisation_keys))
        self._people = {name: f"{person_word} {number}" for number, name in enumerate(people_keys, start=1)}
        self._organisations = {
            name: f"{organisation_word} {number}" for number, name in enumerate(organisation_keys, start=1)
        }
        self._matcher = NameMatcher()
        _add(self._matcher, people_keys, self._people, (_PERSON, _PERSON_PART), f"{person_word} ?")
        _add(
            self._matcher,
            organisation_keys,
            self._organisations,
            (_ORGANISATION, _ORGANISATION_PART),
            f"{organisation_word} ?",
        )

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
        """Free text with every known name, name part or variant of a name replaced."""
        return self._matcher.replace(text)


def _candidates() -> Iterator[tuple[str, str]]:
    yield from _PREFIXES
    for suffix in count(2):  # only when every listed word is a name or holds one
        for person, organisation in _PREFIXES:
            yield f"{person}{suffix}x", f"{organisation}{suffix}x"


def _choose_words(keys: set[tuple[str, ...]], people: int, organisations: int) -> tuple[str, str]:
    """The first pair of pseudonym words with which no pseudonym (nor the "?" of a shared part) holds a
    name, a part or a variant of one (a name made of digits alone, which every number may spell, aside)."""
    return next(
        (person, organisation)
        for person, organisation in _candidates()  # endless, so one is found
        if not _collides(keys, person, people) and not _collides(keys, organisation, organisations)
    )


def _collides(keys: set[tuple[str, ...]], word: str, numbers: int) -> bool:
    """Whether a key is found in "`word` ?" or in "`word` N" for a number N up to `numbers`: the word is one
    token, so the keys these can hold are the word, the word and what follows, or the number alone."""
    folded = fold(word)
    if (folded,) in keys or (folded, BREAK) in keys:
        return True
    return any((folded, str(number)) in keys for number in range(1, numbers + 1))


def _add(
    matcher: NameMatcher,
    keys: dict[str, NameKeys],
    pseudonyms: dict[str, str],
    priorities: tuple[int, int],
    shared: str,
) -> None:
    """Adds each name's keys, mapped to its pseudonym; a part that several names share, to `shared`."""
    whole, part = priorities
    owners: dict[tuple[str, ...], set[str]] = {}
    for name, found in keys.items():
        pseudonym = pseudonyms[name]
        for key in found.whole:
            matcher.add(key, pseudonym, whole)
        for key in found.parts:
            owners.setdefault(key, set()).add(pseudonym)
    for key, owning in owners.items():
        matcher.add(key, next(iter(owning)) if len(owning) == 1 else shared, part)


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))
