"""Every file under tests/workflows/broken/ has one flaw (or, for several-*, a few), and
this table freezes exactly what the loader says about it.

The messages were read one by one for being right and helpful before being frozen. A new
file in the corpus without a row here fails `test_every_corpus_file_has_an_expectation`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cooperation import WorkflowDefinitionError, load_workflow_file

REPO_ROOT = Path(__file__).resolve().parent.parent
BROKEN = Path(__file__).resolve().parent / "workflows" / "broken"
RELATIVE = "tests/workflows/broken"
CYCLE_HINT = "(a condition cannot (even indirectly) require itself; remove one of these requirements)"
UNREACHABLE_HINT = "(put it on the ladder (ladder: true) or add a transition whose 'to' is this stage)"
ID_HINT = "(use lower-case letters, digits and single hyphens, starting with a letter, e.g. 'common-cause')"
F = RELATIVE  # keeps the table's lines readable

EXPECTED: dict[str, list[str]] = {
    "alias-bomb.yaml": [
        f"{F}/alias-bomb.yaml:2:43: refused: through its aliases the document expands to more than 100,000 values, the limit for a workflow file "
        "(an alias bomb?)"
        " (remove the anchors and aliases (&name / *name) that repeat large parts)",
    ],
    "body-kinds-not-hand-off.yaml": [
        f"{F}/body-kinds-not-hand-off.yaml:17:5: transitions[0].body_kinds:"
        " body_kinds only applies to hand_off transitions (remove it)",
    ],
    "communities-over-participants.yaml": [
        f"{F}/communities-over-participants.yaml:16:5: conditions[0].min_communities:"
        " 3 communities cannot come from 2 participants (raise min_participants or lower min_communities)",
    ],
    "composition-cycle.yaml": [
        f"{F}/composition-cycle.yaml:15:24: conditions[0].of[1]:"
        f" cycle among prerequisites: trust -> trust-shown -> trust {CYCLE_HINT}",
    ],
    "condition-cycle.yaml": [
        f"{F}/condition-cycle.yaml:15:16: conditions[0].requires[0]:"
        f" cycle among prerequisites: expectations -> common-cause -> alignment -> expectations {CYCLE_HINT}",
    ],
    "days-and-duration.yaml": [
        f"{F}/days-and-duration.yaml:21:5: conditions[1].duration:"
        " both 'days' and 'duration' are given (keep one: remove 'days' or 'duration')",
    ],
    "duplicate-condition-id.yaml": [
        f"{F}/duplicate-condition-id.yaml:15:5: conditions[1].id:"
        " duplicate id 'venue' (also conditions[0]) (give each one its own id)",
    ],
    "duplicate-stage-id.yaml": [
        f"{F}/duplicate-stage-id.yaml:11:5: stages[2].id: duplicate id 'start' (also stages[0]) (give each one its own id)",
    ],
    "duplicate-yaml-key.yaml": [
        f"{F}/duplicate-yaml-key.yaml:9:5: stages[0]: duplicate key 'title' (first at line 8) (keep one of them)",
    ],
    "duration-with-time.yaml": [
        f"{F}/duration-with-time.yaml:20:5: conditions[1].duration: 'P1YT12H' has a time part;"
        " durations here are whole days (write days, e.g. P1D, or drop the part after T)",
    ],
    "empty.yaml": [
        f"{F}/empty.yaml:1:1: the file is empty (a workflow starts with 'id:')",
    ],
    "first-stage-off-ladder.yaml": [
        f"{F}/first-stage-off-ladder.yaml:9:5: stages[0].ladder:"
        " the first stage is where initiatives start and must be on the ladder"
        " (remove 'ladder: false' or put another stage first)",
    ],
    "invalid-id.yaml": [
        f"{F}/invalid-id.yaml:9:16: stages[0].requires[0]: 'Trust_Model' is not a valid id {ID_HINT}",
        f"{F}/invalid-id.yaml:11:5: conditions[0].id: 'Trust_Model' is not a valid id {ID_HINT}",
    ],
    "missing-kind.yaml": [
        f"{F}/missing-kind.yaml:11:5: conditions[0]: missing required key 'kind'"
        " (add 'kind:' with one of: evidence, attestation, meetings, participation, outreach, score, held, expiring,"
        " time_in_stage, since_stage, all, any)",
    ],
    "missing-required-key.yaml": [
        f"{F}/missing-required-key.yaml:11:5: conditions[0].title: missing required key 'title' (add 'title:')",
    ],
    "no-period.yaml": [
        f"{F}/no-period.yaml:15:5: conditions[1].duration:"
        " give exactly one of 'days' and 'duration' (add 'days: 30' or 'duration: P1M')",
    ],
    "python-tag.yaml": [
        f"{F}/python-tag.yaml:4:8: title: cannot read this value:"
        " could not determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'",
    ],
    "scale-inverted.yaml": [
        f"{F}/scale-inverted.yaml:9:5: parameters[0].scale: scale min (4) must be below max (4); swap or correct them",
    ],
    "score-outside-scale.yaml": [
        f"{F}/score-outside-scale.yaml:20:5: conditions[0].at_least:"
        " level 5 is outside the scale of 'trust-level' (0..4) (choose a level from 0 to 4)",
    ],
    "self-requiring-condition.yaml": [
        f"{F}/self-requiring-condition.yaml:15:16: conditions[0].requires[0]:"
        f" cycle among prerequisites: trust -> trust {CYCLE_HINT}",
    ],
    "several-errors.yaml": [
        f"{F}/several-errors.yaml:14:16: stages[1].requires[0]: unknown condition 'outptu' (did you mean 'output'?)",
        f"{F}/several-errors.yaml:15:5: stages[2]: stage 'archived' cannot be reached from 'start' {UNREACHABLE_HINT}",
        f"{F}/several-errors.yaml:23:16: conditions[0].requires[0]: cycle among prerequisites: venue -> venue {CYCLE_HINT}",
        f"{F}/several-errors.yaml:33:5: transitions[0].to: unknown stage 'begin' (declare it under 'stages')",
    ],
    "several-shape-errors.yaml": [
        f"{F}/several-shape-errors.yaml:8:5: stages[0].title: missing required key 'title' (add 'title:')",
        f"{F}/several-shape-errors.yaml:15:5: conditions[0].min_items:"
        " expected a whole number, got '1' (write it without quotes)",
        f"{F}/several-shape-errors.yaml:16:5: conditions[0].strenght: unknown key 'strenght' (did you mean 'strength'?)",
    ],
    "string-for-int.yaml": [
        f"{F}/string-for-int.yaml:15:5: conditions[0].min_items: expected a whole number, got '2' (write it without quotes)",
    ],
    "top-level-list.yaml": [
        f"{F}/top-level-list.yaml:2:1: a workflow must be a mapping of keys (id, version, title, ...)",
    ],
    "transition-to-unknown-stage.yaml": [
        f"{F}/transition-to-unknown-stage.yaml:16:5: transitions[0].to: unknown stage 'strat' (did you mean 'start'?)",
    ],
    "unknown-body-kind.yaml": [
        f"{F}/unknown-body-kind.yaml:19:18: transitions[0].body_kinds[0]:"
        " 'standardization' is not allowed here (did you mean 'standardisation'?)",
    ],
    "unknown-condition-in-expiring.yaml": [
        f"{F}/unknown-condition-in-expiring.yaml:20:5: conditions[1].condition:"
        " unknown condition 'equality' (declare it under 'conditions')",
    ],
    "unknown-condition-in-held.yaml": [
        f"{F}/unknown-condition-in-held.yaml:19:5: conditions[1].condition:"
        " unknown condition 'stimulaton' (did you mean 'stimulation'?)",
    ],
    "unknown-condition-in-of.yaml": [
        f"{F}/unknown-condition-in-of.yaml:24:23: conditions[2].of[1]: unknown condition 'tiem' (did you mean 'time'?)",
    ],
    "unknown-condition-in-requires.yaml": [
        f"{F}/unknown-condition-in-requires.yaml:19:16: conditions[1].requires[0]:"
        " unknown condition 'comon-cause' (did you mean 'common-cause'?)",
    ],
    "unknown-condition-in-stage.yaml": [
        f"{F}/unknown-condition-in-stage.yaml:9:23: stages[0].requires[1]:"
        " unknown condition 'nutrality' (did you mean 'neutrality'?)",
    ],
    "unknown-condition-kind.yaml": [
        f"{F}/unknown-condition-kind.yaml:12:5: conditions[0].kind: unknown condition kind 'evidance' (did you mean 'evidence'?)",
    ],
    "unknown-key.yaml": [
        f"{F}/unknown-key.yaml:9:5: stages[0].require: unknown key 'require' (did you mean 'requires'?)",
    ],
    "unknown-parameter.yaml": [
        f"{F}/unknown-parameter.yaml:19:5: conditions[0].parameter: unknown parameter 'trust-levl' (did you mean 'trust-level'?)",
    ],
    "unknown-role.yaml": [
        f"{F}/unknown-role.yaml:6:24: advance_roles[1]: unknown role 'secretariate' (did you mean 'secretariat'?)",
    ],
    "unknown-top-level-key.yaml": [
        f"{F}/unknown-top-level-key.yaml:2:1: stages: missing required key 'stages' (add 'stages:')",
        f"{F}/unknown-top-level-key.yaml:6:1: stage: unknown key 'stage' (did you mean 'stages'?)",
    ],
    "unreachable-stage.yaml": [
        f"{F}/unreachable-stage.yaml:11:5: stages[2]: stage 'regulation' cannot be reached from 'start' {UNREACHABLE_HINT}",
    ],
    "version-number.yaml": [
        f'{F}/version-number.yaml:3:1: version: expected text, got 1.0 (put it in quotes: "1.0")',
    ],
    "yaml-syntax-error.yaml": [
        f"{F}/yaml-syntax-error.yaml:10:7: YAML syntax: a list in [ ] or a mapping in {{ }} is not closed properly "
        "(it started at line 9, column 15) (check its commas and its closing bracket)",
    ],
    "yaml11-boolean-as-flag.yaml": [
        f"{F}/yaml11-boolean-as-flag.yaml:11:5: stages[1].ladder: expected true or false, got 'yes' (write true or false)",
    ],
    "yaml11-boolean-as-id.yaml": [
        # YAML 1.1 would read `on` as True; here it stays the id 'on', which is unknown.
        f"{F}/yaml11-boolean-as-id.yaml:9:16: stages[0].requires[0]: unknown condition 'on' (declare it under 'conditions')",
    ],
}

KNOWN_BUGS: dict[str, str] = {}


def _cases() -> list[object]:
    cases: list[object] = []
    for name in sorted(EXPECTED):
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[name])] if name in KNOWN_BUGS else []
        cases.append(pytest.param(name, EXPECTED[name], id=name, marks=marks))
    return cases


def _problems(name: str) -> WorkflowDefinitionError:
    with pytest.raises(WorkflowDefinitionError) as caught:
        load_workflow_file(f"{RELATIVE}/{name}")
    return caught.value


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO_ROOT)


@pytest.mark.parametrize(("name", "expected"), _cases())
def test_broken_file_reports_exactly(name: str, expected: list[str]) -> None:
    error = _problems(name)
    assert [str(problem) for problem in error.problems] == expected
    assert str(error) == "\n".join(expected)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_problem_is_an_error_with_a_place(name: str) -> None:
    for problem in _problems(name).problems:
        assert problem.severity == "error"
        assert problem.file == f"{RELATIVE}/{name}"
        assert problem.line is not None and problem.column is not None
        assert problem.message


def test_every_corpus_file_has_an_expectation() -> None:
    on_disk = {path.name for path in BROKEN.iterdir() if path.is_file()}
    assert on_disk == set(EXPECTED), "add a row to EXPECTED for each new broken file (and drop rows of removed ones)"


def test_corpus_is_large_enough() -> None:
    assert len(EXPECTED) >= 20
    assert set(KNOWN_BUGS) <= set(EXPECTED)


def test_several_errors_are_all_reported_at_once() -> None:
    assert len(_problems("several-errors.yaml").problems) == 4
    assert len(_problems("several-shape-errors.yaml").problems) == 3
