"""A replay: look-alike workshop proposals merged into a solution track that reaches its output.

Everything here is fictional (the proposals in `fictional-proposals.jsonl`, their
organisers, the dates). It runs through the public API, as a programme committee would
through the CLI:

    coop proposals import examples/proposals/fictional-proposals.jsonl
    coop proposals similar
    coop proposals merge F-101 F-117 F-123 --name "..." --by "Programme committee (fictional)" \
        --by-community intergovernmental
    coop attest ... / coop evidence ... / coop meet ... / coop advance ...

Run it with `python examples/proposals/replay.py [REGISTRY]` (default: a new registry in a
temporary folder); it prints the track's stage after each step.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from cooperation.registry import Registry
from cooperation.vocabulary import Community

HERE = Path(__file__).resolve().parent
PROPOSALS = HERE / "fictional-proposals.jsonl"
TRACK = "fictional-router-passwords-track"
COMMITTEE = "Programme committee (fictional)"  # merges, so creates the track and is its first owner
COMMITTEE_COMMUNITY: Community = "intergovernmental"  # convened for the forum, as the IGF's MAG is by the UN
VENDORS = "Example Router Vendors' Association (fictional)"  # the first organiser of the first proposal: the owner
CERT = "Example CERT (fictional)"
REGULATOR = "Example Telecom Regulator (fictional)"
LAB = "Example University Security Lab (fictional)"


def replay(registry: Registry, show: Callable[[str], None] = print) -> str:
    """Import the proposals, merge the look-alikes, and take the track to its conclusion; return its id."""
    desk = registry.proposals()
    desk.import_file(PROPOSALS)
    groups = desk.similar()
    group = next(group for group in groups if "F-101" in group.proposals)
    show(f"look-alikes: {', '.join(group.proposals)} (shared terms: {', '.join(group.shared_terms)})")
    track = desk.merge(
        group.proposals,
        name="Fictional: A track on router default passwords",
        by=COMMITTEE,
        by_community=COMMITTEE_COMMUNITY,
        initiative=TRACK,
        at="2025-03-01",
    )
    show(f"{track}: {registry.status(track, as_of='2025-03-01').stage} (merged from {len(group.proposals)} proposals)")

    for organiser in (VENDORS, CERT, REGULATOR):
        registry.attest(track, "merge-agreed", by=organiser, at="2025-03-10")
    registry.evidence(
        track,
        "multi-day-programme",
        "Fictional: two days on one question: how every router leaves the factory with its own password.",
        tlp="clear",
        by=VENDORS,
        at="2025-03-15",
    )
    show(f"{track}: {registry.advance(track, by=VENDORS, at='2025-03-15').stage}")

    registry.evidence(
        track,
        "input-up-front",
        "Fictional: a call for input ran for four weeks.",
        tlp="clear",
        by=CERT,
        at="2025-05-01",
    )
    registry.meet(
        track, [VENDORS, CERT, REGULATOR, LAB], venue="Forum venue, day 1 (fictional)", by=VENDORS, at="2025-06-10"
    )
    registry.meet(
        track, [VENDORS, CERT, REGULATOR, LAB], venue="Forum venue, day 2 (fictional)", by=VENDORS, at="2025-06-11"
    )
    show(f"{track}: {registry.advance(track, by=VENDORS, at='2025-06-11').stage}")

    registry.evidence(
        track,
        "output",
        "Fictional: a one-page norm for unique router passwords, with a test anyone can run.",
        link="https://example.org/fictional/router-norm",
        tlp="clear",
        by=LAB,
        at="2025-06-30",
    )
    registry.publish(track, "Fictional: Unique passwords for every router", by=LAB, at="2025-06-30")
    registry.evidence(
        track,
        "way-forward",
        "Fictional: the CERT and the regulator take the norm to a Best Practice Forum next year.",
        tlp="clear",
        by=REGULATOR,
        at="2025-06-30",
    )
    final = registry.advance(track, by=VENDORS, at="2025-06-30")
    show(f"{track}: {final.stage}{' (terminal)' if final.terminal else ''}")
    return track


def main(arguments: list[str]) -> int:
    with tempfile.TemporaryDirectory() as folder:
        location = arguments[0] if arguments else str(Path(folder) / "replay.db")
        with Registry.open(location) as registry:
            replay(registry)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
