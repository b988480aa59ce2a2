"""The exit codes of `coop`, in one table, and which error ends a command with which.

A command that fails on purpose raises one of our errors (or `typer.Exit` with a code from
here); `ReportingGroup` turns the error into one line on standard error, without a
traceback, and the code its class maps to in `ERROR_EXITS`.
"""

import os
import sys
from typing import Any, NoReturn

import typer
from typer.core import TyperGroup

from cooperation.errors import (
    ConflictError,
    CooperationError,
    TamperedRecordError,
    TransitionError,
    WorkflowDefinitionError,
)
from cooperation.wording import for_terminal

EXIT_OK = 0
"""Success; a check passed; every initiative shown can advance."""
EXIT_BLOCKED = 1
"""Blocked or not ready: a refused move, `--ready` with a blocked stage, findings of `verify`,
a copy whose source changed meanwhile, a reader that went away, a record that fails `coop audit`."""
EXIT_USAGE = 2
"""Bad input or usage, an invalid workflow file, an unreadable registry: nothing was written."""
EXIT_CONFLICT = 3
"""Another writer appended first: nothing was written; running the command again is safe."""

ERROR_EXITS: tuple[tuple[type[CooperationError], int], ...] = (
    (TransitionError, EXIT_BLOCKED),
    (TamperedRecordError, EXIT_BLOCKED),
    (ConflictError, EXIT_CONFLICT),
    (CooperationError, EXIT_USAGE),
)
"""Our errors and their exit codes; the first class an error is an instance of decides."""

SUMMARY = "Exit codes: 0 success or ready, 1 blocked or not ready, 2 bad input or usage, 3 concurrent write (retry)."
"""The codes as `coop --help` lists them."""


def exit_code_for(error: CooperationError) -> int:
    """The exit code a command that raised `error` ends with."""
    return next(code for kind, code in ERROR_EXITS if isinstance(error, kind))


def fail(message: str, code: int) -> NoReturn:
    """End the command: `error: MESSAGE` on standard error, and exit with `code`."""
    typer.echo(for_terminal(f"error: {message}"), err=True)
    raise typer.Exit(code)


_USAGE_ERROR: type[Exception] = typer.BadParameter.__mro__[1]  # click's UsageError, which typer does not export


class ReportingGroup(TyperGroup):
    """Turns our errors into a message on stderr and the documented exit code; names the
    placeholders of each command's values and lists commands whole (`cooperation.cli.help`)."""

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        from cooperation.cli.help import name_placeholders

        found = super().get_command(ctx, cmd_name)
        for sub in getattr(found, "commands", {}).values():  # a group of commands: `coop workflows show`
            name_placeholders(sub)
        return name_placeholders(found) if found is not None else None

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        from cooperation.cli.help import format_command_list

        format_command_list(self, ctx, formatter)

    def invoke(self, ctx: Any) -> Any:  # a click Context; typer does not export its type
        try:
            return super().invoke(ctx)
        except _USAGE_ERROR as error:  # click prints it; what it quotes of the command line, escaped
            error.message = for_terminal(error.message)  # type: ignore[attr-defined]
            raise
        except WorkflowDefinitionError as error:
            typer.echo(for_terminal(str(error)), err=True)  # each line already says file:line:column
            raise typer.Exit(exit_code_for(error)) from None
        except CooperationError as error:
            fail(str(error), exit_code_for(error))
        except BrokenPipeError:
            # The reader went away (`coop status --all | head`): stop quietly, as the docs advise.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(EXIT_BLOCKED) from None
        except OSError as error:
            fail(f"{error.filename or 'file'}: {error.strerror or error}", EXIT_USAGE)
