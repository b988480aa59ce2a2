"""Bound identities: in a registry that binds accounts, a participant's events come only from
the account bound to them, so that one person cannot speak, or attest, as several.

The bindings are events (`account_bound`, recorded by an owner or secretariat) in the log of
the initiative they hold for: part of the auditable record, like every other fact. Whether
the registry binds accounts at all is one registry-wide setting (`cooperation.stores.settings`),
which coop turns on and never off; see the README, "Accounts", for why a setting and not an event.
The account an event is written as is the store's (`EventStore.account`: the database's
session user, or the operating system's user for a SQLite file), never the writer's say-so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from cooperation.engine.events import Event
from cooperation.engine.payloads import RecordableKind
from cooperation.recorder import Moment
from cooperation.stores.protocol import EventStore
from cooperation.stores.settings import read_setting, write_setting

BINDING_SETTING = "accounts_bound"


class Accounts:
    """The account methods of `Registry` (which provides `store` and `_append`)."""

    store: EventStore
    _append: Callable[[str, RecordableKind, Mapping[str, object], str | None, Moment | None], Event]

    def accounts_bound(self) -> bool:
        """Whether this registry accepts an event only from the account bound to its actor."""
        return read_setting(self.store, BINDING_SETTING) == "on"

    def bind_accounts(self) -> None:
        """Turn binding on for the whole registry (for good: coop offers no way back). From then on,
        bind each participant who records anything (`bind_account`); creators are bound as they create."""
        write_setting(self.store, BINDING_SETTING, "on")

    def bind_account(
        self, initiative: str, account: str, participant: str, *, by: str, at: Moment | None = None
    ) -> Event:
        """Bind `participant` of `initiative` to `account`; `by`: an owner or secretariat."""
        return self._append(initiative, "account_bound", {"account": account, "participant": participant}, by, at)

    def _writing_as(self) -> str | None:
        """The account events are written as, where accounts are bound; None where they are not."""
        return self.store.account if self.accounts_bound() else None
