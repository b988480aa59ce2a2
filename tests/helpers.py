"""Data the engine and CLI tests share (the registry's settable clock is `cooperation.testing.Clock`)."""

from __future__ import annotations

# Nine participants of the built-in workflow's initiatives: (name, community, role). Every
# community but intergovernmental takes part; one owner, one secretariat, one observer.
PEOPLE = (
    ("Ada", "technical", "owner"),
    ("Ben", "business", "member"),
    ("Cy", "government", "member"),
    ("Di", "civil-society", "secretariat"),
    ("Ed", "academia", "member"),
    ("Fi", "business", "member"),
    ("Gu", "technical", "member"),
    ("Ho", "government", "member"),
    ("Obs", "media", "observer"),
)
