"""Shared test settings. Add to this file; keep what is here."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "packaging: builds and installs the package in a fresh venv (slow; deselect with -m 'not packaging')",
    )


# --- engine tests (test_engine_*.py, test_cli_registry.py, test_events.py) -----------------

from pathlib import Path

ENGINE_WORKFLOWS = Path(__file__).resolve().parent / "workflows" / "engine"


@pytest.fixture(scope="session")
def engine_ladder() -> str:
    """Path of the small four-stage workflow the engine tests walk (tests/workflows/engine/ladder.yaml)."""
    return str(ENGINE_WORKFLOWS / "ladder.yaml")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The checkout's top folder, where cli.py lives (the working directory for subprocess runs)."""
    return Path(__file__).resolve().parent.parent


# --- PostgreSQL (tests/postgres_server.py): the session's server and a fresh registry per test ---

from postgres_server import _stop_postgres_at_the_end, postgres_server, postgres_url
