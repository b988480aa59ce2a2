"""Strict, safe YAML reading that remembers where every value came from.

Stricter than `yaml.safe_load`: only `true`/`false` are booleans (YAML 1.1's `on`,
`no`, `yes`, `off` stay strings, so an id `no` is not silently turned into False),
duplicate keys are errors, and sizes and alias expansion are bounded so that a
hostile file is refused quickly instead of exhausting memory.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from typing import Any

import yaml

from cooperation.definition.yaml_words import GENERAL_HINT, plain_words
from cooperation.errors import Problem, WorkflowDefinitionError

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 100_000
MAX_DEPTH = 64

Location = tuple[int, int]  # line, column (both 1-based)
PathKey = tuple[str | int, ...]


class _StrictResolver(yaml.resolver.BaseResolver):
    """The safe resolver with YAML 1.2 booleans: only true/false (any case)."""


for _first, _resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items():
    for _tag, _regexp in _resolvers:
        if _tag != "tag:yaml.org,2002:bool":
            _StrictResolver.add_implicit_resolver(_tag, _regexp, [_first])
_StrictResolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class _Composer(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    yaml.constructor.SafeConstructor,
    _StrictResolver,
):
    def __init__(self, text: str) -> None:
        yaml.reader.Reader.__init__(self, text)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        _StrictResolver.__init__(self)
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        # Bounded here, before PyYAML's own recursion can overflow the stack.
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"nesting deeper than {MAX_DEPTH} levels is refused",
                    self.peek_event().start_mark,  # type: ignore[no-untyped-call]
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


@dataclass
class Document:
    """Parsed data plus the line and column of every value, keyed by its path."""

    data: Any
    locations: dict[PathKey, Location] = field(default_factory=dict)
    scalars: dict[PathKey, str] = field(default_factory=dict)  # each scalar value as written

    def locate(self, path: PathKey) -> Location | None:
        """The place of the deepest known value on `path` (pydantic may add union tags to it)."""
        known: PathKey = ()
        best = self.locations.get(known)
        for part in path:
            candidate = (*known, part)
            if candidate in self.locations:
                known = candidate
                best = self.locations[known]
        return best


_PLAIN_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


class YamlError(WorkflowDefinitionError):
    """The file is not acceptable YAML; carries the problems found."""


def read_yaml(text: str | bytes, *, file: str) -> Document:
    """Parse one YAML document strictly; raise YamlError naming file, line and column."""
    if isinstance(text, bytes):
        if len(text) > MAX_FILE_BYTES:
            raise YamlError([_too_large(file, len(text))])
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise YamlError(
                [Problem(f"not valid UTF-8 at byte {error.start}", file=file, hint="save the file as UTF-8")]
            ) from None
    elif len(text) > MAX_FILE_BYTES:
        raise YamlError([_too_large(file, len(text))])
    text = text.removeprefix("\ufeff")
    composer: _Composer | None = None
    try:
        composer = _Composer(text)  # its reader already refuses characters YAML does not allow
        node = composer.get_single_node()
    except yaml.reader.ReaderError as error:
        where = error.position
        row = text.count("\n", 0, where) + 1
        column = where - (text.rfind("\n", 0, where) + 1) + 1
        character = f"U+{error.character:04X}" if isinstance(error.character, int) else repr(error.character)
        raise YamlError(
            [
                Problem(
                    f"the character {character} is not allowed in YAML",
                    file=file,
                    line=row,
                    column=column,
                    hint="remove it, or write it as an escape inside double quotes",
                )
            ]
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        began = error.context_mark
        started = (began.line + 1, began.column + 1) if error.context and began else None
        message, hint = plain_words(error.problem or "", error.context or "", started)
        raise YamlError([Problem(message, file=file, line=line, column=column, hint=hint)]) from None
    except yaml.YAMLError as error:
        raise YamlError([Problem(f"YAML syntax: {error}", file=file, hint=GENERAL_HINT)]) from None
    finally:
        if composer is not None:
            composer.dispose()
    if node is None:
        raise YamlError(
            [Problem("the file is empty", file=file, line=1, column=1, hint="a workflow starts with 'id:'")]
        )
    builder = _Builder(file)
    data = builder.build(node, (), 0)
    if builder.problems:
        raise YamlError(builder.problems)
    return Document(data, builder.locations, builder.scalars)


def _too_large(file: str, size: int) -> Problem:
    return Problem(
        f"file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}",
        file=file,
        hint="a workflow definition is a few kilobytes; is this the right file?",
    )


class _Builder:
    """Turns composed nodes into plain data, recording places and refusing abuse."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.locations: dict[PathKey, Location] = {}
        self.scalars: dict[PathKey, str] = {}
        self.problems: list[Problem] = []
        self.visited = 0
        self.collections: set[int] = set()
        self.aliased = False
        self.constructor = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, path: PathKey, depth: int) -> Any:
        self.visited += 1
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            # An alias is the very node it names: meeting a collection twice means aliases repeat it.
            self.aliased = self.aliased or id(node) in self.collections
            self.collections.add(id(node))
        if self.visited > MAX_NODES or depth > MAX_DEPTH:
            self._refuse_size(node)
        self.locations.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in _PLAIN_COLLECTION_TAGS:
            self._problem(
                node,
                f"cannot read this value: the tag '{node.tag}' is not allowed",
                path,
                hint="remove the tag; workflow files hold plain lists and mappings only",
            )
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, index), depth + 1) for index, item in enumerate(node.value)]
        self.scalars[path] = node.value
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as error:
            self._problem(node, f"cannot read this value: {error.problem}", path)
            return None
        except ValueError:  # Python reads integers of at most sys.get_int_max_str_digits() digits
            self._problem(
                node,
                f"cannot read this value: a number of {len(node.value):,} characters is over the limit of "
                f"{sys.get_int_max_str_digits():,} digits",
                path,
                hint="write a number of a sensible size",
            )
            return None

    def _mapping(self, node: yaml.MappingNode, path: PathKey, depth: int) -> dict[Any, Any]:
        written = sum(1 for key_node, _ in node.value if key_node.tag != "tag:yaml.org,2002:merge")
        self.constructor.flatten_mapping(node)
        # flatten_mapping puts merged pairs (<<: *anchor) first; keys written beside them win.
        merged_count = len(node.value) - written
        pairs = node.value[merged_count:] + node.value[:merged_count]
        result: dict[Any, Any] = {}
        for position, (key_node, value_node) in enumerate(pairs):
            key = self.build(key_node, path, depth + 1)
            if isinstance(key, bool) or not isinstance(key, str | int):
                self._problem(
                    key_node,
                    f"a key must be a plain word, not {key!r}",
                    path,
                    hint="put the key in quotes or rename it",
                )
                continue
            if key in result and position >= written:
                continue
            if key in result:
                first = self.locations.get((*path, key))
                where = f" (first at line {first[0]})" if first else ""
                self._problem(key_node, f"duplicate key '{key}'{where}", path, hint="keep one of them")
                continue
            self.locations[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, (*path, key), depth + 1)
        return result

    def _refuse_size(self, node: yaml.Node) -> None:
        """Stop reading: the document is over MAX_NODES values or MAX_DEPTH levels; say which, and why."""
        if self.visited > MAX_NODES:
            limit = f"more than {MAX_NODES:,} values, the limit for a workflow file"
        else:
            limit = f"nesting deeper than {MAX_DEPTH} levels, the limit for a workflow file"
        if self.aliased:
            message = f"refused: through its aliases the document expands to {limit} (an alias bomb?)"
            hint = "remove the anchors and aliases (&name / *name) that repeat large parts"
        else:
            message = f"refused: the document holds {limit}"
            hint = "a workflow needs a few hundred values; split it, or generate fewer conditions"
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        self.problems.append(Problem(message, file=self.file, line=line, column=column, hint=hint))
        raise YamlError(self.problems)

    def _problem(self, node: yaml.Node, message: str, path: PathKey, *, hint: str = "") -> None:
        self.problems.append(
            Problem(
                message,
                path=format_path(path),
                file=self.file,
                line=node.start_mark.line + 1,
                column=node.start_mark.column + 1,
                hint=hint,
            )
        )


def format_path(path: PathKey) -> str:
    """('stages', 2, 'requires', 1) -> 'stages[2].requires[1]'."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
