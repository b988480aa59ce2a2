"""The static site in a real headless Chromium with the network off: every page loads alone, every link lands.

Without Chromium these tests fail when CI is set and skip otherwise (see tests/browser.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from browser import Browser, require_chromium
from test_report_sample import AS_OF, sample_db  # noqa: F401
from test_site import site
from typer.testing import CliRunner

from cooperation.cli import app
from cooperation.reports.site import INITIATIVE_FILES


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    executable = require_chromium()
    with Browser(tmp_path_factory.mktemp("chromium"), executable) as started:
        yield started


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    assert CliRunner().invoke(app, ["demo", "--db", str(path)]).exit_code == 0
    return path


@pytest.mark.parametrize(("registry", "options"), [("sample", ()), ("sample", ("--anonymise",)), ("demo", ())])
def test_every_page_loads_alone_and_every_link_resolves_inside_the_site(
    browser: Browser,
    sample_db: Path,  # noqa: F811
    demo_db: Path,
    tmp_path: Path,
    registry: str,
    options: tuple[str, ...],
) -> None:
    db = sample_db if registry == "sample" else demo_db
    folder = site(db, tmp_path / "site", *options).resolve()
    pages = sorted(folder.rglob("index.html"))
    assert len(pages) > 1
    for html in pages:
        page = browser.open(html)
        assert page.requests == [html.as_uri()], f"{html} asked for more than itself: {page.requests}"
        assert page.console_errors == [], (html, page.console_errors)
        assert page.evaluate("document.scripts.length") == 0
        links = page.evaluate("Array.from(document.links, a => a.href)")
        local = [link for link in links if link.startswith("file:")]
        for link in local:
            target = Path(unquote(urlsplit(link).path))
            assert target.is_file(), (html, link)
            assert folder in target.parents, (html, link)
        if html.parent == folder:  # the portfolio links to each initiative's page
            assert len(local) >= len(pages) - 1
        else:
            assert (folder / "index.html").as_uri() in links
            assert page.evaluate("document.querySelector('svg[aria-label^=\"maturity:\"]') !== null")
    for badge in folder.rglob(INITIATIVE_FILES[2]):
        page = browser.open(badge)
        assert page.requests == [badge.as_uri()] and page.console_errors == []
        assert page.evaluate("document.documentElement.getAttribute('height')") == "20"
