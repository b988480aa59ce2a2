"""Loading workflow definitions: the built-in workflow, the samples, and hostile input."""

from __future__ import annotations

import itertools
import tracemalloc
from pathlib import Path

import pytest

from cooperation import (
    CompiledWorkflow,
    Problem,
    WorkflowDefinitionError,
    builtin_workflow_ids,
    get_workflow,
    load_workflow_file,
    load_workflow_text,
)
from cooperation.definition.catalog import builtin_directory
from cooperation.definition.models import AllCondition, AnyCondition, ExpiringCondition, HeldCondition
from cooperation.engine.moves import moves_for

SAMPLES = Path(__file__).resolve().parent / "workflows"
BUILTIN = "cooperation-maturity"
LADDER = ("challenge", "ownership", "trust", "common-cause", "critical-mass", "result")
BEST_PRACTICES = (
    "challenge",
    "ownership",
    "perspective",
    "equality",
    "trust",
    "trust-model",
    "time",
    "neutrality",
    "comfort-zone",
    "expectations-and-goals",
    "alignment",
    "common-cause",
    "commitment",
    "transparency-and-integrity",
    "anonymisation",
    "critical-mass",
    "costs-and-effort",
    "result",
    "regulation",
    "voluntary",
    "stimulation",
)
HEAD = 'id: sample\nversion: "1"\ntitle: Sample\ndescription: A sample.\n'
ONE_STAGE = HEAD + "stages:\n  - id: start\n    title: Start\n"


def _problems(text: str | bytes) -> list[Problem]:
    with pytest.raises(WorkflowDefinitionError) as caught:
        load_workflow_text(text, file="sample.yaml")
    return list(caught.value.problems)


def _prerequisites(workflow: CompiledWorkflow, roots: list[str]) -> set[str]:
    """Every condition reachable from `roots` through requires and composition."""
    found: set[str] = set()
    pending = list(roots)
    while pending:
        current = pending.pop()
        if current in found:
            continue
        found.add(current)
        condition = workflow.conditions[current]
        pending.extend(condition.requires)
        if isinstance(condition, AllCondition | AnyCondition):
            pending.extend(condition.of)
        elif isinstance(condition, HeldCondition | ExpiringCondition):
            pending.append(condition.condition)
    return found


# --- the built-in workflow ------------------------------------------------------------


@pytest.fixture(scope="module")
def builtin() -> CompiledWorkflow:
    return load_workflow_file(builtin_directory() / f"{BUILTIN}.yaml")


def test_builtin_is_listed() -> None:
    assert BUILTIN in builtin_workflow_ids()


def test_builtin_loads_without_warnings(builtin: CompiledWorkflow) -> None:
    assert builtin.id == BUILTIN
    assert builtin.warnings == ()


def test_get_workflow_returns_the_same_compiled_workflow_each_time() -> None:
    first = get_workflow(BUILTIN)
    assert get_workflow(BUILTIN) is first
    assert first.warnings == ()


def test_builtin_ladder_in_order(builtin: CompiledWorkflow) -> None:
    assert builtin.ladder == LADDER
    assert builtin.start == "challenge"
    ladder_in_file = [stage.id for stage in builtin.definition.stages if stage.ladder]
    assert tuple(ladder_in_file) == LADDER
    assert [moves_for(builtin).next_stage(stage) for stage in LADDER] == [*LADDER[1:], None]


@pytest.mark.parametrize("practice", BEST_PRACTICES)
def test_every_best_practice_is_a_described_condition(builtin: CompiledWorkflow, practice: str) -> None:
    assert practice in builtin.conditions
    assert builtin.conditions[practice].description.strip()


def test_every_best_practice_is_needed_somewhere(builtin: CompiledWorkflow) -> None:
    needed: set[str] = set()
    for stage in builtin.definition.stages:
        needed |= _prerequisites(builtin, stage.requires)
    for transition in builtin.definition.transitions:
        needed |= _prerequisites(builtin, transition.requires)
    assert set(BEST_PRACTICES) <= needed
    assert needed == set(builtin.conditions), "every condition of the built-in workflow is in use"


def test_each_stage_needs_what_its_predecessor_needs(builtin: CompiledWorkflow) -> None:
    for lower, higher in itertools.pairwise(LADDER):
        assert set(builtin.needs(lower)) <= set(builtin.needs(higher))
    assert builtin.needs("challenge") == ("challenge",)
    assert set(builtin.needs("result")) >= {
        "challenge",
        "ownership",
        "trust",
        "common-cause",
        "critical-mass",
        "result",
    }


def test_hand_off_to_the_three_kinds_of_body(builtin: CompiledWorkflow) -> None:
    hand_offs = [t for t in builtin.definition.transitions if t.kind == "hand_off"]
    assert len(hand_offs) == 1
    (hand_off,) = hand_offs
    assert set(hand_off.body_kinds) == {"standardisation", "legislation", "self-regulation"}
    assert hand_off.from_ == ["result"]
    assert builtin.stages[hand_off.to].terminal
    assert not builtin.stages[hand_off.to].ladder


def test_trust_breach_regresses_to_trust(builtin: CompiledWorkflow) -> None:
    breaches = [t for t in builtin.definition.transitions if t.on_event == "trust_breached"]
    assert [(t.kind, t.to) for t in breaches] == [("regress", "trust")]
    ladder_after_trust = set(LADDER[LADDER.index("trust") + 1 :])
    assert set(breaches[0].from_) == ladder_after_trust


def test_regulation_is_the_last_resort(builtin: CompiledWorkflow) -> None:
    into_regulation = [t for t in builtin.definition.transitions if t.to == "regulation"]
    assert len(into_regulation) == 1
    (regulate,) = into_regulation
    assert regulate.kind == "escalate"
    assert regulate.from_ == ["stimulation"]
    assert builtin.stages["regulation"].terminal and not builtin.stages["regulation"].ladder
    needed = _prerequisites(builtin, regulate.requires)
    for failure in ("voluntary-cooperation-failed", "stimulation-failed"):
        assert failure in needed
        assert builtin.conditions[failure].kind == "evidence"
    assert "regulation" in needed


def test_stimulation_comes_before_regulation_and_after_voluntary_failure(builtin: CompiledWorkflow) -> None:
    into_stimulation = [t for t in builtin.definition.transitions if t.to == "stimulation"]
    assert [t.kind for t in into_stimulation] == ["escalate"]
    assert set(into_stimulation[0].from_) == set(LADDER)
    assert "voluntary-cooperation-failed" in _prerequisites(builtin, into_stimulation[0].requires)
    assert "voluntary-cooperation-failed" in builtin.transition_needs[into_stimulation[0].id]


def test_voluntary_and_comfort_zone_are_advisory(builtin: CompiledWorkflow) -> None:
    assert builtin.conditions["voluntary"].strength == "advisory"
    assert builtin.conditions["comfort-zone"].strength == "advisory"


# --- the samples ------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted((SAMPLES / "valid").glob("*.yaml")), ids=lambda p: p.name)
def test_valid_samples_load_without_warnings(path: Path) -> None:
    workflow = load_workflow_file(path)
    assert workflow.warnings == ()
    assert workflow.source == str(path)


def test_full_sample_uses_every_feature() -> None:
    workflow = load_workflow_file(SAMPLES / "valid" / "full.yaml")
    definition = workflow.definition
    assert {c.kind for c in definition.conditions} == {
        "evidence",
        "attestation",
        "meetings",
        "participation",
        "outreach",
        "score",
        "held",
        "expiring",
        "time_in_stage",
        "since_stage",
        "all",
        "any",
    }
    assert {t.kind for t in definition.transitions} == {"regress", "hand_off", "escalate"}
    assert {c.strength for c in definition.conditions} == {"required", "waivable", "advisory"}
    assert definition.parameters and definition.parameters[0].scale.labels
    assert any(t.on_event == "trust_breached" for t in definition.transitions)
    assert any(t.body_kinds for t in definition.transitions)
    assert any(t.roles for t in definition.transitions)
    assert any(not s.ladder for s in definition.stages) and any(s.terminal for s in definition.stages)
    table = moves_for(workflow)
    advance_roles = {move.target: move.roles for move in table.rows if move.transition is None}
    assert advance_roles["trusted"] == ("owner",)
    assert advance_roles["done"] == ("owner", "secretariat", "member")
    assert {move.roles for move in table.of_transition("breach")} == {("owner", "secretariat", "member")}
    assert workflow.waiver_min_rationale("output") == 10
    assert workflow.waiver_min_rationale("problem") == 20
    assert workflow.transition_needs["escalate"] == ("problem", "failure")


def test_minimal_sample() -> None:
    workflow = load_workflow_file(SAMPLES / "valid" / "minimal.yaml")
    assert workflow.ladder == ("start", "done")
    assert workflow.needs("start") == ()
    assert workflow.needs("done") == ("proof",)
    assert workflow.definition.advance_roles == ["owner", "secretariat"]
    assert workflow.definition.waiver_min_rationale == 40


# --- warnings -----------------------------------------------------------------------------


def test_unused_condition_is_a_warning_not_an_error() -> None:
    text = ONE_STAGE + "conditions:\n  - id: spare\n    kind: evidence\n    title: Spare\n    description: Unused.\n"
    workflow = load_workflow_text(text, file="sample.yaml")
    (warning,) = workflow.warnings
    assert warning.severity == "warning"
    assert str(warning) == (
        "sample.yaml:9:5: warning: conditions[0]: condition 'spare' is not needed by any stage or transition"
        " (list it under a stage's or transition's 'requires', or remove it)"
    )


def test_condition_used_only_inside_another_is_not_unused() -> None:
    text = (
        HEAD
        + "stages:\n  - id: start\n    title: Start\n    requires: [both]\n"
        + "conditions:\n"
        + "  - id: one\n    kind: evidence\n    title: One\n    description: d\n"
        + "  - id: two\n    kind: evidence\n    title: Two\n    description: d\n"
        + "  - id: both\n    kind: all\n    title: Both\n    description: d\n    of: [one, two]\n"
    )
    assert load_workflow_text(text).warnings == ()


# --- YAML strictness ----------------------------------------------------------------------


def test_yaml_1_1_words_stay_strings() -> None:
    text = (
        'id: no\nversion: "1"\ntitle: Sample\ndescription: A sample.\n'
        "stages:\n  - id: off\n    title: Off\n    requires: [yes]\n"
        "conditions:\n  - id: yes\n    kind: evidence\n    title: Yes\n    description: d\n"
    )
    workflow = load_workflow_text(text)
    assert workflow.id == "no"
    assert workflow.ladder == ("off",)
    assert workflow.needs("off") == ("yes",)


def test_true_and_false_are_booleans() -> None:
    text = HEAD + "stages:\n  - id: start\n    title: Start\n  - id: aside\n    title: Aside\n    ladder: False\n"
    text += "transitions:\n  - id: go\n    kind: escalate\n    title: Go\n    from: [start]\n    to: aside\n"
    assert load_workflow_text(text).ladder == ("start",)


def test_alias_bomb_refused_before_it_is_expanded() -> None:
    """Memory, not time, tells whether it was expanded (the suite asserts no timings: they vary with load).
    Expanded, it would be 9**9 strings; refused, it is cut off at `MAX_NODES` values."""
    bomb = SAMPLES / "broken" / "alias-bomb.yaml"
    with pytest.raises(WorkflowDefinitionError):
        load_workflow_file(bomb)  # the loader's imports, made before memory is counted
    tracemalloc.start()
    try:
        with pytest.raises(WorkflowDefinitionError) as caught:
            load_workflow_file(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20, f"refusing the sample bomb took {peak / 2**20:.0f} MiB"
    assert "alias bomb" in str(caught.value)


def test_deep_nesting_refused() -> None:
    (problem,) = _problems(HEAD + "stages: " + "[" * 200 + "]" * 200 + "\n")
    assert problem.message == "YAML syntax: nesting deeper than 64 levels is refused"


def test_oversized_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(ONE_STAGE.encode() + b"# " + b"x" * 2_000_000 + b"\n")
    size = path.stat().st_size
    with pytest.raises(WorkflowDefinitionError) as caught:
        load_workflow_file(path)
    (problem,) = caught.value.problems
    assert str(problem) == (
        f"{path}: file is {size:,} bytes, over the limit of 1,000,000"
        " (a workflow definition is a few kilobytes; is this the right file?)"
    )


def test_oversized_text_refused() -> None:
    (problem,) = _problems(ONE_STAGE + "# " + "x" * 2_000_000 + "\n")
    assert "over the limit of 1,000,000" in problem.message


def test_byte_order_mark_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + ONE_STAGE.encode())
    assert load_workflow_file(path).id == "sample"
    assert load_workflow_text("\ufeff" + ONE_STAGE).id == "sample"


def test_invalid_utf8_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(ONE_STAGE.replace("title: Sample", "title: Caf\xe9").encode("latin-1"))
    with pytest.raises(WorkflowDefinitionError) as caught:
        load_workflow_file(path)
    offset = ONE_STAGE.index("title: Sample") + len("title: Caf")
    assert [str(p) for p in caught.value.problems] == [
        f"{path}: not valid UTF-8 at byte {offset} (save the file as UTF-8)"
    ]


def test_missing_file_is_a_definition_error(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"
    with pytest.raises(WorkflowDefinitionError) as caught:
        load_workflow_file(path)
    assert str(caught.value) == f"{path}: cannot read the file: No such file or directory (check the path)"


@pytest.mark.parametrize(
    "tagged",
    [
        '!!python/object/apply:os.system "echo unsafe"',
        "!!python/name:os.system ''",
        "!!python/object:collections.OrderedDict x",
    ],
)
def test_python_tags_on_values_refused(tagged: str) -> None:
    (problem,) = _problems(ONE_STAGE.replace("title: Sample", f"title: {tagged}"))
    assert problem.path == "title"
    assert problem.message.startswith("cannot read this value: could not determine a constructor for the tag")
    assert "python/" in problem.message


@pytest.mark.parametrize(
    "tagged",
    [
        "!!python/object/apply:pathlib.Path.touch [{marker}]",
        "!!python/object:builtins.dict {{path: {marker}}}",
    ],
)
def test_python_tags_on_collections_never_run_code(tmp_path: Path, tagged: str) -> None:
    marker = tmp_path / "created"
    with pytest.raises(WorkflowDefinitionError):
        load_workflow_text(ONE_STAGE.replace("title: Sample", "title: " + tagged.format(marker=str(marker))))
    assert not marker.exists()


@pytest.mark.parametrize(
    "tagged", ["!!python/object/apply:os.system [echo]", "!!python/object:os.Foo {a: 1}"], ids=["sequence", "mapping"]
)
def test_python_tags_on_collections_are_named_in_the_error(tagged: str) -> None:
    (problem,) = _problems(ONE_STAGE.replace("title: Sample", f"title: {tagged}"))
    assert "python/object" in problem.message


def test_merge_keys_are_overridden_by_explicit_keys() -> None:
    text = HEAD + "stages:\n  - &base\n    id: start\n    title: Step\n  - <<: *base\n    id: next\n"
    workflow = load_workflow_text(text)
    assert workflow.ladder == ("start", "next")
    assert workflow.stages["next"].title == "Step"


def test_quoting_hint_keeps_the_written_number() -> None:
    (problem,) = _problems(ONE_STAGE.replace('version: "1"', "version: 1.10"))
    assert problem.hint == 'put it in quotes: "1.10"'


def test_date_version_gets_a_quoting_hint() -> None:
    (problem,) = _problems(ONE_STAGE.replace('version: "1"', "version: 2024-01-01"))
    assert "datetime" not in problem.message
    assert "quotes" in problem.hint


@pytest.mark.parametrize("key", ["1", "true"])
def test_number_as_key_is_an_unknown_key(key: str) -> None:
    (problem,) = _problems(ONE_STAGE + f"{key}: x\n")
    assert "Keys should be strings" not in problem.message
    assert problem.path != "[1]"


@pytest.mark.parametrize(
    "stages",
    [
        "stages:\n  - id: start\n    title: Start\n  - id: end\n    title: End\n    ladder: false\n    terminal: true\n"
        "transitions:\n  - id: go\n    kind: escalate\n    title: Go\n    from: [start]\n    to: end\n"
        "  - id: back\n    kind: regress\n    title: Back\n    from: [end]\n    to: start\n",
        "stages:\n  - id: start\n    title: Start\n    terminal: true\n  - id: next\n    title: Next\n",
    ],
    ids=["transition-from-terminal", "terminal-mid-ladder"],
)
def test_nothing_leaves_a_terminal_stage(stages: str) -> None:
    problems = _problems(HEAD + stages)
    assert any("terminal" in str(problem) for problem in problems)


def test_text_and_bytes_give_the_same_workflow() -> None:
    as_text = load_workflow_text(ONE_STAGE)
    as_bytes = load_workflow_text(ONE_STAGE.encode())
    assert as_text.definition == as_bytes.definition
    assert as_text.source == "<workflow>"
