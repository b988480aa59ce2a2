"""Data the engine and CLI tests share (the registry's settable clock is `cooperation.testing.Clock`)."""

from __future__ import annotations

import shutil

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

# What a copy of the checkout leaves out when a test installs it afresh (not the source).
NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    "__pycache__",
    "*.pyc",
    ".pytest_cache",
    ".hypothesis",
    ".mypy_cache",
    "build",
    "dist",
    "*.egg-info",
    "tests",
    "*.db",
    "*.db-wal",
    "*.db-shm",
)
