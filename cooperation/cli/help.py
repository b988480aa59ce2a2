"""How `coop --help` and each command's help read: named placeholders, whole descriptions.

Typer, without rich, shows `<str>` for an option's value and `{initiative}` for an
argument, and click cuts the top-level list of commands with "...". Each value gets a
name that says what to give (DATE, PATH, ID), and the list shows every description whole.
"""

from __future__ import annotations

from typing import Any

# An option's or argument's parameter name -> what its value is called in the help.
PLACEHOLDERS = {
    "initiative": "ID",
    "initiatives": "ID...",
    "at": "DATE",
    "as_of": "DATE",
    "db": "PATH|URL",
    "output": "PATH",
    "file": "PATH",
    "source": "PATH|URL",
    "target": "PATH|URL",
    "by": "NAME",
    "name": "NAME",
    "workflow": "WORKFLOW",
    "audience": "LABEL",
}


def name_placeholders(command: Any) -> Any:
    """Give every value of a (click) `command` a named placeholder (DATE, PATH, ID...) unless it
    has one or lists its choices. Click's classes are typer's own copy: read by duck typing."""
    for param in getattr(command, "params", ()):
        if param.metavar is not None or hasattr(param.type, "choices"):
            continue
        if getattr(param, "is_flag", False) or getattr(param, "count", False):
            continue
        name = param.name or ""
        param.metavar = PLACEHOLDERS.get(name, name.upper().replace("_", "-"))
        if param.param_type_name == "argument" and param.nargs == -1 and not param.metavar.endswith("..."):
            param.metavar += "..."
    arguments = [param for param in getattr(command, "params", ()) if param.param_type_name == "argument"]
    if arguments and hasattr(command, "collect_usage_pieces"):  # 'ID CONDITION', not '{ID} {CONDITION}'
        shown = [param.metavar if param.required else f"[{param.metavar}]" for param in arguments]
        command.collect_usage_pieces = lambda ctx: ["[OPTIONS]", *shown]
    return command


def format_command_list(group: Any, ctx: Any, formatter: Any) -> None:
    """The commands of `group` with their whole first sentence (wrapped, not cut with '...')."""
    rows: list[tuple[str, str]] = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is None or command.hidden:
            continue
        rows.append((name, command.get_short_help_str(limit=10_000)))
    if rows:
        with formatter.section("Commands"):
            formatter.write_dl(rows)
