"""The shipped example logs: where they are, and importing them (or reusing them when already there).

The first is the 2017 proposal's own pilot topic ("no default passwords"), replayed from
dated public facts; the others are small fictional logs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cooperation.engine.event_schema import validate_event
from cooperation.engine.events import Event
from cooperation.errors import EventError, InstallationError
from cooperation.registry import Registry

_PACKAGE = Path(__file__).resolve().parent.parent  # the installed package, or cooperation/ in a checkout
# Installed wheels carry the examples inside the package; a source checkout has them beside it.
_CANDIDATE_DIRS = (_PACKAGE / "examples", _PACKAGE.parent / "examples")
REAL_EXAMPLE = "no-default-passwords.jsonl"
FICTIONAL_PREFIX = "fictional-"


def examples_directory() -> Path:
    """Where the example event logs are: inside the installed package, or beside a checkout."""
    for directory in _CANDIDATE_DIRS:
        if (directory / REAL_EXAMPLE).is_file():
            return directory
    raise InstallationError(
        "the example event logs are missing from this installation "
        f"(looked in {', '.join(str(directory) for directory in _CANDIDATE_DIRS)}); reinstall the package "
        "from a build whose wheel includes examples/ as cooperation/examples"
    )


def example_files() -> list[Path]:
    """The real example first, then the fictional ones in name order."""
    directory = examples_directory()
    return [directory / REAL_EXAMPLE, *sorted(directory.glob(f"{FICTIONAL_PREFIX}*.jsonl"))]


@dataclass(frozen=True, slots=True)
class LoadedExample:
    """One example file in the registry: its initiatives, and whether this run imported it."""

    file: str
    initiatives: tuple[str, ...]
    events: int
    imported: bool

    @property
    def fictional(self) -> bool:
        return self.file.startswith(FICTIONAL_PREFIX)


def load_examples(registry: Registry, files: Sequence[Path] | None = None) -> list[LoadedExample]:
    """Import each example, or reuse it when the registry already holds exactly that log.

    A registry that holds one of the example's initiative ids with other events is
    refused before anything is written, so that a user's own data is never mixed in.
    """
    chosen = list(files) if files is not None else example_files()
    planned: list[tuple[Path, list[str], dict[str, list[Event]]]] = []
    for path in chosen:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        by_initiative = _events_by_initiative(lines, path.name)
        present = [initiative for initiative in by_initiative if registry.store.version(initiative)]
        reusable = len(present) == len(by_initiative) and all(
            _same_log(registry.history(initiative), by_initiative[initiative]) for initiative in present
        )
        if present and not reusable:
            raise EventError(
                f"{registry.store.url} already holds {', '.join(present)} with other events than {path.name}; "
                "run `coop demo` without --db (a temporary registry) or give a new file"
            )
        planned.append((path, lines, by_initiative))
    loaded = []
    for path, lines, by_initiative in planned:
        fresh = not registry.store.version(next(iter(by_initiative)))
        if fresh:
            registry.import_lines(lines, source=path.name)
        count = sum(len(events) for events in by_initiative.values())
        loaded.append(LoadedExample(path.name, tuple(by_initiative), count, fresh))
    return loaded


def _events_by_initiative(lines: Iterable[str], source: str) -> dict[str, list[Event]]:
    found: dict[str, list[Event]] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as error:
            raise EventError(f"{source}:{number}: not valid JSON ({error.msg}); reinstall the package") from None
        event = validate_event(raw, where=f"{source}:{number}")
        found.setdefault(event.initiative, []).append(event)
    return found


def _same_log(stored: Sequence[Event], wanted: Sequence[Event]) -> bool:
    """Stored moves carry fields the importer fills in, so compare what the file says."""
    return len(stored) == len(wanted) and all(
        (have.kind, have.at, have.by) == (want.kind, want.at, want.by)
        and all(have.data.get(key) == value for key, value in want.data.items())
        for have, want in zip(stored, wanted, strict=True)
    )
