"""Loading a workflow file: strict YAML, then the models, then every cross-reference.

Every problem is reported at once, each with file, line, column, field path, what is
wrong and how to fix it. The graph checks (cycles, reachability) follow in
`cooperation.definition.compile`, which this module calls last.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from cooperation.definition.content_free import without_contents
from cooperation.definition.models import (
    CONDITION_KINDS,
    CONDITION_MODELS,
    ConditionBase,
    ParameterDefinition,
    Scale,
    StageDefinition,
    TransitionDefinition,
    WorkflowDefinition,
)
from cooperation.definition.problems import in_file_order, problem_at
from cooperation.definition.yamlsafe import (
    Document,
    PathKey,
    YamlError,
    format_path,
    read_yaml,
)
from cooperation.engine.conditions.table import KINDS
from cooperation.errors import Problem, WorkflowDefinitionError
from cooperation.wording import did_you_mean

if TYPE_CHECKING:
    from cooperation.definition.compiled import CompiledWorkflow

_ID_HINT = "use lower-case letters, digits and single hyphens, starting with a letter, e.g. 'common-cause'"


def load_workflow_file(path: str | Path) -> CompiledWorkflow:
    """Read, validate and compile a workflow file; raise WorkflowDefinitionError listing every problem."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise WorkflowDefinitionError(
            [Problem(f"cannot read the file: {error.strerror}", file=str(path), hint="check the path")]
        ) from None
    return load_workflow_text(raw, file=str(path))


def load_workflow_text(text: str | bytes, *, file: str = "<workflow>") -> CompiledWorkflow:
    """Validate and compile a workflow given as YAML text."""
    from cooperation.definition.compile import compile_definition

    try:
        definition, document = parse_definition(text, file=file)
        return compile_definition(definition, document=document, file=file)
    except WorkflowDefinitionError as error:  # a file that is no workflow: nothing of it is echoed
        raise without_contents(error, text) from None


def parse_definition(text: str | bytes, *, file: str) -> tuple[WorkflowDefinition, Document]:
    """YAML and model validation; references and the graph are checked when compiling."""
    try:
        document = read_yaml(text, file=file)
    except YamlError as error:
        raise WorkflowDefinitionError(error.problems) from None
    if not isinstance(document.data, dict):
        raise WorkflowDefinitionError(
            [problem_at(document, (), "a workflow must be a mapping of keys (id, version, title, ...)", file=file)]
        )
    try:
        definition = WorkflowDefinition.model_validate(document.data)
    except ValidationError as error:
        raise WorkflowDefinitionError(
            in_file_order([_from_pydantic(detail, document, file) for detail in error.errors(include_url=False)])
        ) from None
    return definition, document


# --- pydantic errors, reworded -------------------------------------------------------


_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}
_BOUND_WORDS = {
    "greater_than_equal": "at least",
    "less_than_equal": "at most",
    "greater_than": "more than",
    "less_than": "less than",
}


def _from_pydantic(detail: Any, document: Document, file: str) -> Problem:
    """One pydantic error as a Problem at its place in the file, in our words, with a fix."""
    loc: tuple[str | int, ...] = tuple(detail["loc"])
    path = _without_union_tags(loc)
    kind, value = detail["type"], detail.get("input")
    if kind == "invalid_key":
        place = path[:-1] if path[-1:] == ("[key]",) else path
        problem = problem_at(
            document,
            place,
            f"a key must be a plain word, not {value!r}",
            file=file,
            hint="put the key in quotes or rename it",
        )
        return replace(problem, path=format_path((*place[:-1], str(place[-1]))))
    if kind == "union_tag_invalid":
        path = (*path, "kind")
    elif path[-1:] == ("[key]",):  # a key not allowed (an unknown community): point at the key itself
        path = path[:-1]
    reworded = _shape_words(kind, loc, path, detail) or _value_words(kind, value, path, detail, document)
    message, hint = reworded or (detail["msg"], "")
    return problem_at(document, path, message, file=file, hint=hint)


def _shape_words(kind: str, loc: tuple[str | int, ...], path: PathKey, detail: Any) -> tuple[str, str] | None:
    """Message and hint for a key that is unknown or missing, or a kind that is."""
    context = detail.get("ctx") or {}
    if kind == "extra_forbidden":
        key = str(path[-1])
        misplaced = _misplaced(loc, key)
        if misplaced:
            return f"'{key}' does not belong in a condition of kind '{loc[2]}'", misplaced
        allowed = _allowed_keys(loc)
        return f"unknown key '{key}'", did_you_mean(key, allowed) or f"allowed keys: {', '.join(allowed)}"
    if kind == "missing":
        return f"missing required key '{path[-1]}'", f"add '{path[-1]}:'"
    if kind == "union_tag_invalid":
        tag = str(context.get("tag"))
        hint = did_you_mean(tag, CONDITION_KINDS) or f"use one of: {', '.join(CONDITION_KINDS)}"
        return f"unknown condition kind '{context.get('tag')}'", hint
    if kind == "union_tag_not_found":
        return "missing required key 'kind'", f"add 'kind:' with one of: {', '.join(CONDITION_KINDS)}"
    if kind == "value_error":
        return str(context.get("error", detail["msg"])), ""
    if kind == "period":  # a span of time (`cooperation.definition.periods`): its own words and fix
        return str(context["message"]), str(context["hint"])
    return None


def _value_words(kind: str, value: Any, path: PathKey, detail: Any, document: Document) -> tuple[str, str] | None:
    """Message and hint for a value of the wrong type, out of bounds, or not among those allowed."""
    context = detail.get("ctx") or {}
    if kind == "string_pattern_mismatch":
        return f"'{value}' is not a valid id", _ID_HINT
    if kind in _TYPE_WORDS:
        written = document.scalars.get(path)
        shown = written if written is not None and not isinstance(value, str) else _describe(value)
        hint = ""
        if kind == "string_type" and written is not None:
            hint = f'put it in quotes: "{written}"'
        elif kind in ("int_type", "bool_type") and isinstance(value, str):
            hint = "write it without quotes" if kind == "int_type" else "write true or false"
        return f"expected {_TYPE_WORDS[kind]}, got {shown}", hint
    if kind == "literal_error":
        expected = str(context.get("expected", ""))
        choices = [choice.strip(" '") for choice in expected.replace(" or ", ", ").split(",")]
        return f"{_describe(value)} is not allowed here", did_you_mean(str(value), choices) or (
            f"use one of: {', '.join(choices)}"
        )
    if kind == "string_too_short":
        return "must not be empty", "fill it in"
    if kind in ("too_short", "too_long", "string_too_long"):
        limit = context.get("min_length", context.get("max_length"))
        return (f"needs at least {limit} items" if kind == "too_short" else f"is too long (at most {limit})"), ""
    if kind in _BOUND_WORDS:
        return f"must be {_BOUND_WORDS[kind]} {next(iter(context.values()))}, not {value}", ""
    return None


def _without_union_tags(loc: tuple[str | int, ...]) -> PathKey:
    """pydantic puts the discriminator value into the loc: ('conditions', 3, 'evidence', ...)."""
    if len(loc) >= 3 and loc[0] == "conditions" and isinstance(loc[1], int) and loc[2] in CONDITION_KINDS:
        return (*loc[:2], *loc[3:])
    return loc


def _misplaced(loc: tuple[str | int, ...], key: str) -> str:
    """The fix for a key of another kind written into a condition, or "" (`kind: all` with `at_least`)."""
    if len(loc) == 4 and loc[0] == "conditions" and loc[2] in KINDS:
        return dict(KINDS[str(loc[2])].misplaced_keys).get(key, "")
    return ""


def _allowed_keys(loc: tuple[str | int, ...]) -> list[str]:
    model: type[BaseModel] = WorkflowDefinition
    parent = loc[:-1]
    if parent[:1] == ("stages",):
        model = StageDefinition
    elif parent[:1] == ("transitions",):
        model = TransitionDefinition
    elif parent[:1] == ("parameters",):
        model = Scale if parent[2:3] == ("scale",) else ParameterDefinition
    elif parent[:1] == ("conditions",) and len(parent) >= 3:
        model = CONDITION_MODELS.get(str(parent[2]), ConditionBase)
    return [field.alias or name for name, field in model.model_fields.items()]


def _describe(value: object) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    return repr(value)
