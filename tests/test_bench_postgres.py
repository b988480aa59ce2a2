"""The PostgreSQL benchmark (bench/postgres.py) runs: its baseline reads and folds every initiative
the API lists, and its figures come out, at a tiny scale on the test session's server."""

from __future__ import annotations

import math
import os
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout, where bench/ lives

from postgres_server import PostgresServer

from bench.postgres import postgres_figures, server_cpu
from bench.postgres_tasks import baseline_status
from bench.tasks import api_status
from bench.workload import fill_store
from cooperation.stores.postgres import PostgresStore


def test_the_baseline_folds_every_initiative_the_api_lists(postgres_url: str) -> None:
    with PostgresStore(postgres_url) as store:
        assert baseline_status(postgres_url) == 0  # made by the store's opening, and empty
        fill_store(store, 4, 0, workload="diverse")
        stored = len(store.initiatives())
    assert stored == 4
    assert baseline_status(postgres_url) == stored == api_status(postgres_url)


def test_the_figures_come_out_at_a_tiny_scale_and_leave_no_schema_behind(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    figures = postgres_figures(postgres_server.database_url, scale=3, runs=1, data=tmp_path)
    names = [figure.name for figure in figures]
    assert any(name.startswith("coop status --all --json > file (PostgreSQL") for name in names)
    assert any(name.startswith("coop import of ") for name in names)
    assert not any("client + server" in name for name in names)  # the session's server is not ours to watch
    for figure in figures:
        assert len(figure.ours) == len(figure.baseline) == 1
        assert figure.ratio > 0 and math.isfinite(figure.ratio), figure
    with psycopg.connect(postgres_server.database_url) as connection:
        left = connection.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'bench\\_%'").fetchall()
    assert left == []


def test_server_cpu_counts_the_time_a_process_spends() -> None:
    before = server_cpu(os.getpid())
    deadline = time.process_time() + 0.2
    while time.process_time() < deadline:
        pass
    assert server_cpu(os.getpid()) - before >= 0.15
    assert server_cpu(None) == 0.0
