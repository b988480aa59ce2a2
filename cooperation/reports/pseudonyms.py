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
name, a part or a variant of one (checked with the same matcher).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from cooperation.engine.events import Event
from cooperation.engine.payloads import payload
from cooperation.reports.deidentify import NameMatcher, part_keys
from cooperation.reports.folding import tokenise

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
        people, organisations = _unique(people), _unique(organisations)
        names = _names_only(people, organisations)
        person_word, organisation_word = _choose_words(names, len(people), len(organisations))
        self._people = {name: f"{person_word} {number}" for number, name in enumerate(people, start=1)}
        self._organisations = {
            name: f"{organisation_word} {number}" for number, name in enumerate(organisations, start=1)
        }
        self._matcher = _matcher(self._people, self._organisations, (person_word, organisation_word))

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


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


def _names_only(people: Sequence[str], organisations: Sequence[str]) -> NameMatcher:
    """A matcher of every name and part (to test pseudonym words against), whatever it is replaced by."""
    matcher = NameMatcher()
    for name in people:
        matcher.add(name, "", organisation=False)
    for name in organisations:
        matcher.add(name, "", organisation=True)
    for name in (*people, *organisations):
        for key in part_keys(name):
            matcher.add_key(key, "", 0)
    return matcher


def _candidates() -> Iterator[tuple[str, str]]:
    yield from _PREFIXES
    for suffix in range(2, 10**9):  # only when every listed word is a name or holds one
        for person, organisation in _PREFIXES:
            yield f"{person}{suffix}x", f"{organisation}{suffix}x"


def _choose_words(names: NameMatcher, people: int, organisations: int) -> tuple[str, str]:
    """The first pair of pseudonym words with which no pseudonym (nor the "?" of a shared part) holds a
    name, a part or a variant of one (a name made of digits alone, which every number may spell, aside)."""
    for person, organisation in _candidates():
        if not _collides(names, person, people) and not _collides(names, organisation, organisations):
            return person, organisation
    raise AssertionError("unreachable: the candidates never end")


def _collides(names: NameMatcher, word: str, count: int) -> bool:
    """Whether a name is found in "`word` ?" or in "`word` N" for a number N up to `count`: the keys a
    pseudonym's tokens can hold are the word, the word and what follows, or the number alone."""
    if names.spans(tokenise(f"{word} ?")):
        return True
    folded = word.lower()
    return any(names.has_key((folded, str(number))) for number in range(1, count + 1))


def _matcher(people: dict[str, str], organisations: dict[str, str], words: tuple[str, str]) -> NameMatcher:
    """The matcher of every name, part and variant, each mapped to its pseudonym."""
    matcher = NameMatcher()
    for name, pseudonym in people.items():
        matcher.add(name, pseudonym, priority=_PERSON)
    for name, pseudonym in organisations.items():
        matcher.add(name, pseudonym, priority=_ORGANISATION, organisation=True)
    for table, priority, shared in ((people, _PERSON_PART, words[0]), (organisations, _ORGANISATION_PART, words[1])):
        owners: dict[tuple[str, ...], set[str]] = {}
        for name, pseudonym in table.items():
            for key in part_keys(name):
                owners.setdefault(key, set()).add(pseudonym)
        for key, pseudonyms in owners.items():
            matcher.add_key(key, next(iter(pseudonyms)) if len(pseudonyms) == 1 else f"{shared} ?", priority)
    return matcher
