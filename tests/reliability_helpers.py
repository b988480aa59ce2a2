"""Shared machinery of the reliability tests and of bench/reliability.py.

Kill points: a real `coop import` process SIGKILLed at seeded random moments, each on a
fresh copy of a registry that already holds earlier events. Load: real processes mixing
reads, appends and advances on one SQLite registry, each logging what was acknowledged.
Both check the registry afterwards with SQLite's own integrity check and a full export.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from cooperation.errors import BlockedTransitionError, ConflictError, CooperationError
from cooperation.registry import Registry

REPO_ROOT = Path(__file__).resolve().parent.parent
CLI = REPO_ROOT / "cli.py"
ENGINE_LADDER = str(REPO_ROOT / "tests" / "workflows" / "engine" / "ladder.yaml")
BUILTIN = "cooperation-maturity"
EARLIER = ("earlier-one", "earlier-two", "earlier-three")
# Long enough texts that an import's write spills into the WAL before it commits (a kill can land inside it).
PADDING = "the quick brown fox jumps over the lazy dog " * 5


# Root ignores file permissions through two capabilities; without them it is held to them like anyone.
UNPRIVILEGED = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]


def run_cli(
    *args: str, env: dict[str, str] | None = None, unprivileged: bool = False, stdin: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python cli.py ARGS` as a real process (held to file permissions when `unprivileged`)."""
    command = [sys.executable, str(CLI), *args]
    if unprivileged:
        command = [*UNPRIVILEGED, *command]
    return subprocess.run(
        command,
        cwd=REPO_ROOT,
        capture_output=True,
        input=stdin.decode("utf-8", "surrogateescape") if stdin else None,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), **(env or {})},
        timeout=300,
        check=False,
    )


def export_lines(db: Path) -> list[str]:
    """Every event of the registry, as export lines, in recorded order."""
    with Registry.open(db, create=False) as registry:
        return [event.to_line() for event in registry.export_events()]


def integrity(db: Path) -> str:
    """SQLite's `PRAGMA integrity_check` answer ('ok' when the file is sound)."""
    connection = sqlite3.connect(f"{db.absolute().as_uri()}?mode=ro", uri=True)
    try:
        return ";".join(row[0] for row in connection.execute("PRAGMA integrity_check").fetchall())
    finally:
        connection.close()


def seed_earlier_registry(db: Path) -> list[str]:
    """A registry holding a few initiatives with some history; returns its export."""
    with Registry.open(db) as registry:
        for number, initiative in enumerate(EARLIER):
            registry.create(f"Earlier {number}", workflow=BUILTIN, initiative=initiative, by="Ada", at="2018-01-01")
            registry.record(
                initiative,
                "participant_joined",
                {"name": "Ada", "community": "technical", "role": "owner"},
                at="2018-01-01",
                by="Ada",
            )
            for day in range(2, 12):
                registry.record(
                    initiative,
                    "evidence_recorded",
                    {"condition": "challenge", "text": f"earlier note {number}/{day}"},
                    by="Ada",
                    at=f"2018-01-{day:02d}",
                )
    return export_lines(db)


def write_import_file(path: Path, *, initiatives: int, events_each: int, prefix: str = "bulk") -> int:
    """A valid JSON Lines import of new initiatives; returns its number of events."""
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for number in range(initiatives):
            initiative = f"{prefix}-{number:05d}"
            lines = [
                {
                    "initiative": initiative,
                    "kind": "initiative_created",
                    "at": "2018-01-01",
                    "by": "Ada",
                    "data": {"name": f"Bulk {number}", "workflow": BUILTIN},
                },
                {
                    "initiative": initiative,
                    "kind": "participant_joined",
                    "at": "2018-01-01",
                    "by": "Ada",
                    "data": {"name": "Ada", "community": "technical", "role": "owner"},
                },
            ]
            for index in range(events_each - 2):
                lines.append(
                    {
                        "initiative": initiative,
                        "kind": "evidence_recorded",
                        "by": "Ada",
                        "at": f"2018-{1 + index // 28 % 12:02d}-{1 + index % 28:02d}",
                        "data": {"condition": "challenge", "text": f"statement {number}.{index} {PADDING}"},
                    }
                )
            out.writelines(json.dumps(line) + "\n" for line in lines)
            count += len(lines)
    return count


# --- kill points ---------------------------------------------------------------------------------


@dataclass
class KillOutcome:
    """One kill point: when it struck and what the registry held afterwards."""

    delay: float
    finished: bool  # the import had already exited before the kill
    imported: str  # "all" or "none" when it survived; else a description of the damage
    wal_bytes: int  # bytes of write-ahead log left behind (> 0 with "none": killed during the write)
    integrity: str
    earlier_intact: bool

    @property
    def survived(self) -> bool:
        return self.integrity == "ok" and self.earlier_intact and self.imported in ("all", "none")

    @property
    def phase(self) -> str:
        if self.imported == "all":
            return "after commit"
        return "during write" if self.wal_bytes > 0 else "before write"


@dataclass
class KillCampaign:
    """Everything a run of kill points found."""

    outcomes: list[KillOutcome] = field(default_factory=list)
    import_seconds: float = 0.0
    events_in_file: int = 0

    @property
    def tried(self) -> int:
        return len(self.outcomes)

    @property
    def survived(self) -> int:
        return sum(outcome.survived for outcome in self.outcomes)

    def phases(self) -> Counter[str]:
        return Counter(outcome.phase for outcome in self.outcomes)


def _expected_import(lines_file: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    with open(lines_file, encoding="utf-8") as lines:
        for line in lines:
            counts[json.loads(line)["initiative"]] += 1
    return counts


def _judge(db: Path, earlier: list[str], expected: Counter[str]) -> tuple[str, str, bool]:
    """(what of the import is there, integrity, whether the earlier events are unchanged)."""
    answer = integrity(db)
    if answer != "ok":
        return "unreadable", answer, False
    lines = export_lines(db)
    earlier_now = [line for line in lines if json.loads(line)["initiative"] in EARLIER]
    imported = Counter(
        json.loads(line)["initiative"] for line in lines if json.loads(line)["initiative"] not in EARLIER
    )
    if not imported:
        state = "none"
    elif imported == expected:
        state = "all"
    else:
        state = f"partial: {len(imported)} of {len(expected)} initiatives, {sum(imported.values())} events"
    return state, answer, earlier_now == earlier


def kill_campaign(workdir: Path, *, points: int, initiatives: int, events_each: int, seed: int) -> KillCampaign:
    """SIGKILL `coop import` at `points` seeded random moments; judge the registry after each."""
    workdir.mkdir(parents=True, exist_ok=True)
    base = workdir / "base.db"
    earlier = seed_earlier_registry(base)
    lines_file = workdir / "import.jsonl"
    campaign = KillCampaign(
        events_in_file=write_import_file(lines_file, initiatives=initiatives, events_each=events_each)
    )
    expected = _expected_import(lines_file)
    # One uninterrupted import measures how long a whole import takes (and proves it works).
    whole = workdir / "whole.db"
    shutil.copyfile(base, whole)
    started = time.monotonic()
    result = run_cli("import", str(lines_file), "--db", str(whole))
    campaign.import_seconds = time.monotonic() - started
    if result.returncode != 0:
        raise AssertionError(f"the uninterrupted import failed: {result.stderr}")
    chooser = random.Random(seed)
    for point in range(points):
        db = workdir / f"kill-{point}.db"
        shutil.copyfile(base, db)
        process = subprocess.Popen(
            [sys.executable, str(CLI), "import", str(lines_file), "--db", str(db)],
            cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        )
        wal = db.with_name(db.name + "-wal")
        started = time.monotonic()
        if point % 3 == 1:
            # Inside the write: once the transaction spills its first pages into the log, a little later.
            while process.poll() is None and not (wal.exists() and wal.stat().st_size > 0):
                time.sleep(0.0005)
            time.sleep(chooser.uniform(0.0, 0.002))
        else:  # anywhere in the run, or in its last stretch (the write comes at the end)
            fraction = chooser.uniform(0.02, 0.7) if point % 3 == 0 else chooser.uniform(0.7, 1.05)
            time.sleep(fraction * campaign.import_seconds)
        delay = time.monotonic() - started
        finished = process.poll() is not None
        if not finished:
            process.send_signal(signal.SIGKILL)
        _, errors = process.communicate()
        if finished and process.returncode != 0:
            raise AssertionError(f"an import exited with {process.returncode} before its kill: {errors.decode()}")
        wal_bytes = wal.stat().st_size if wal.exists() else 0
        state, answer, intact = _judge(db, earlier, expected)
        campaign.outcomes.append(KillOutcome(delay, finished, state, wal_bytes, answer, intact))
        for leftover in (db, wal, db.with_name(db.name + "-shm")):
            leftover.unlink(missing_ok=True)
    return campaign


# --- load ------------------------------------------------------------------------------------------

LOAD_INITIATIVES = ("load-a", "load-b", "load-c", "load-d")
LOAD_PEOPLE = (("Ada", "technical", "owner"), ("Ben", "business", "member"), ("Cy", "government", "member"))


def seed_load_registry(db: Path) -> None:
    """Shared initiatives on the engine ladder, with a group and a problem: ready to advance to 'formed'."""
    with Registry.open(db) as registry:
        for initiative in LOAD_INITIATIVES:
            registry.create(initiative, workflow=ENGINE_LADDER, initiative=initiative, at="2018-01-01", by="Ada")
            for name, community, role in LOAD_PEOPLE:
                registry.record(
                    initiative,
                    "participant_joined",
                    {"name": name, "community": community, "role": role},
                    at="2018-01-01",
                    by="Ada",
                )


def _retrying(action, log, token: str, counts: Counter[str]):  # type: ignore[no-untyped-def]
    """Run `action` until it is not refused by a lost race (ConflictError: documented, retried)."""
    while True:
        try:
            result = action()
        except ConflictError:
            counts["conflicts"] += 1
            continue
        if token:
            log.write(token + "\n")
            log.flush()
        return result


MIN_OPERATIONS = 30


def load_worker(db: str, worker: int, seconds: float, log_path: str, seed: int) -> None:
    """One process of the load test: mixed operations for `seconds`, acknowledged tokens to its log.

    Its last line is a JSON summary: operations done, conflicts retried, unexpected errors.
    """
    chooser = random.Random(seed * 1000 + worker)
    counts: Counter[str] = Counter()
    unexpected: list[str] = []
    serial = 0
    with open(log_path, "w", encoding="utf-8") as log, Registry.open(db, create=False) as registry:
        deadline = time.monotonic() + seconds
        # At least MIN_OPERATIONS each, however slow the machine: on a busy one, a few seconds
        # may hold too few operations to include a move, and the test would prove nothing.
        while time.monotonic() < deadline or serial < MIN_OPERATIONS:
            initiative = chooser.choice(LOAD_INITIATIVES)
            serial += 1
            token = f"w{worker}n{serial}"
            roll = chooser.random()
            try:
                if roll < 0.35:
                    registry.status(initiative)
                    counts["reads"] += 1
                elif roll < 0.65:
                    _retrying(
                        lambda initiative=initiative, token=token: registry.record(
                            initiative,
                            "evidence_recorded",
                            {"condition": "problem", "text": f"token {token}"},
                            by="Ada",
                        ),
                        log,
                        token,
                        counts,
                    )
                    counts["appends"] += 1
                elif roll < 0.80:
                    _retrying(
                        lambda initiative=initiative, token=token: registry.record(
                            initiative,
                            "meeting_held",
                            {"attendees": ["Ada", "Ben"], "venue": f"token {token}"},
                            by="Ada",
                        ),
                        log,
                        token,
                        counts,
                    )
                    counts["appends"] += 1
                elif roll < 0.93:
                    try:
                        _retrying(
                            lambda initiative=initiative, token=token: registry.advance(initiative, by="Ada"),
                            log,
                            "",
                            counts,
                        )
                        counts["advances"] += 1
                    except BlockedTransitionError:
                        counts["blocked"] += 1
                    except CooperationError as error:  # at the top of the ladder: nothing to advance to
                        if "nothing moves on" not in str(error) and "last stage" not in str(error):
                            raise
                        counts["blocked"] += 1
                else:
                    _retrying(
                        lambda initiative=initiative, token=token: registry.regress(
                            initiative, by="Ada", reason=f"token {token}", transition="restart"
                        ),
                        log,
                        token,
                        counts,
                    )
                    counts["regresses"] += 1
            except BlockedTransitionError:
                counts["blocked"] += 1
            except CooperationError as error:
                if "no regress move matches" in str(error):  # at 'idea' there is nothing to restart from
                    counts["blocked"] += 1
                else:
                    unexpected.append(f"{type(error).__name__}: {error}")
            except Exception as error:
                unexpected.append(f"{type(error).__name__}: {error}")
            counts["operations"] += 1
        log.write(json.dumps({"summary": dict(counts), "unexpected": unexpected[:20]}) + "\n")


@dataclass
class LoadResult:
    """What the load test measured and found."""

    processes: int
    seconds: float
    operations: int
    counts: Counter[str]
    unexpected: list[str]
    acknowledged: int
    missing: list[str]
    duplicated: list[str]
    double_advances: list[str]
    integrity: str

    @property
    def per_second(self) -> float:
        return self.operations / self.seconds if self.seconds else 0.0


def run_load(workdir: Path, *, processes: int, seconds: float, seed: int) -> LoadResult:
    """Run `processes` real processes on one registry for `seconds`, then check every acknowledgement."""
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "load.db"
    seed_load_registry(db)
    logs = [workdir / f"worker-{number}.log" for number in range(processes)]
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=load_worker, args=(str(db), number, seconds, str(log), seed))
        for number, log in enumerate(logs)
    ]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=seconds + 300)
    elapsed = time.monotonic() - started
    counts: Counter[str] = Counter()
    unexpected: list[str] = []
    tokens: list[str] = []
    for number, (worker, log) in enumerate(zip(workers, logs, strict=False)):
        if worker.exitcode != 0:
            unexpected.append(f"worker {number} exited with {worker.exitcode}")
        lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        if not lines or not lines[-1].startswith("{"):
            unexpected.append(f"worker {number} left no summary")
            continue
        summary = json.loads(lines[-1])
        counts.update(summary["summary"])
        unexpected.extend(summary["unexpected"])
        tokens.extend(lines[:-1])
    stored: Counter[str] = Counter()
    double: list[str] = []
    with Registry.open(db, create=False) as registry:
        for initiative in LOAD_INITIATIVES:
            since_move: set[str] = set()
            for event in registry.history(initiative):
                for value in (event.data.get("text"), event.data.get("venue"), event.data.get("reason")):
                    if isinstance(value, str) and value.startswith("token "):
                        stored[value.removeprefix("token ")] += 1
                if event.kind == "stage_advanced":
                    if event.data["from"] in since_move:
                        double.append(f"{initiative} advanced twice from {event.data['from']} (seq {event.seq})")
                    since_move.add(event.data["from"])
                elif event.kind in ("stage_regressed", "escalated"):
                    since_move.clear()
    return LoadResult(
        processes=processes,
        seconds=elapsed,
        operations=counts["operations"],
        counts=counts,
        unexpected=unexpected,
        acknowledged=len(tokens),
        missing=[token for token in tokens if stored[token] == 0],
        duplicated=[token for token, seen in stored.items() if seen > 1],
        double_advances=double,
        integrity=integrity(db),
    )
