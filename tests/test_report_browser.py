"""The HTML report in a real headless Chromium, with the network off: what a person would see.

Each test saves its screenshots under its temporary folder (pytest's tmp_path), to look at
when something fails. Without Chromium these tests fail when CI is set and skip
otherwise (see tests/browser.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import Browser, Page, require_chromium
from test_report_sample import AS_OF, CONFIDENTIAL, sample_db  # noqa: F401

from cooperation.registry import Registry
from cooperation.reports.build import build_report
from cooperation.reports.to_html import render_html


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """One browser for the module (starting one takes seconds); each test opens its own tab."""
    executable = require_chromium()
    with Browser(tmp_path_factory.mktemp("chromium"), executable) as started:
        yield started


def write_report(db: Path, target: Path, **options: object) -> Path:
    with Registry.open(db, create=False) as registry:
        report = build_report(registry, as_of=AS_OF, **options)  # type: ignore[arg-type]
    target.write_text(render_html(report), encoding="utf-8")
    return target


def texts(page: Page, selector: str) -> list[str]:
    return list(page.evaluate(f"Array.from(document.querySelectorAll({selector!r}), e => e.textContent.trim())"))


def assert_offline_and_clean(page: Page, html: Path) -> None:
    assert page.requests == [html.resolve().as_uri()], f"the page asked for more than itself: {page.requests}"
    assert page.console_errors == [], page.console_errors


def test_the_report_shows_its_headings_and_blockers_without_a_request_or_an_error(
    browser: Browser,
    sample_db: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    html = write_report(sample_db, tmp_path / "report.html", audience="TLP:GREEN")
    page = browser.open(html)
    assert texts(page, "h1") == ["Cooperation portfolio report"]
    headings = texts(page, "h2")
    assert headings[:2] == ["Portfolio", "Workflow: Report sample ladder"]
    assert [heading.split(" ")[0] for heading in headings[2:]] == ["Botnet", "No", "Phishing", "Spam"]
    blockers = texts(page, "table.overview tbody tr td:nth-child(5)")
    assert blockers == ["trust-attested", "", "statement, group", "group, outcome, broad-group"]
    assert texts(page, "#initiative-1 ol.blockers li strong") == ["Trust stated", "Comfort zone left"]
    assert "⚠" in texts(page, "table.overview tbody tr:nth-child(4) td:nth-child(6)")[0]
    assert (
        page.evaluate("document.querySelectorAll('svg.graph g.node').length") == 5 + 9 + 1
    )  # stages, conditions, and the one move with prerequisites
    assert page.evaluate("document.querySelectorAll('svg.progress').length") == 4
    body = page.evaluate("document.body.innerText")
    assert CONFIDENTIAL["TLP:GREEN"][0] in body and CONFIDENTIAL["TLP:AMBER"][0] not in body
    page.screenshot(tmp_path / "report-desktop.png")
    assert_offline_and_clean(page, html)
    assert (tmp_path / "report-desktop.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_on_a_phone_nothing_spills_sideways_and_on_paper_it_prints(
    browser: Browser,
    sample_db: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    html = write_report(sample_db, tmp_path / "report.html", anonymise=True)
    page = browser.open(html, width=390, height=844, mobile=True)
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= viewport, "the page scrolls sideways on a phone"
    # Wide tables and the graph scroll inside their own box instead.
    assert page.evaluate(
        "Array.from(document.querySelectorAll('table')).every(t => t.parentElement.classList.contains('scroll'))"
    )
    page.screenshot(tmp_path / "report-phone.png")
    pdf = page.pdf(tmp_path / "report.pdf")
    assert_offline_and_clean(page, html)
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_the_built_in_workflow_draws_its_whole_graph(browser: Browser, tmp_path: Path) -> None:
    db = tmp_path / "coop.db"
    with Registry.open(db) as registry:
        registry.create("No default passwords", workflow="cooperation-maturity", by="Ada", at="2024-03-01")
        registry.record(
            "no-default-passwords",
            "participant_joined",
            {"name": "Ada", "community": "technical", "role": "owner"},
            at="2024-03-01",
            by="Ada",
        )
        registry.record(
            "no-default-passwords",
            "evidence_recorded",
            {"condition": "challenge", "text": "Shared default passwords", "tlp": "TLP:CLEAR"},
            by="Ada",
            at="2024-03-02",
        )
    html = write_report(db, tmp_path / "report.html")
    page = browser.open(html)
    titles = texts(page, "svg.graph g.node title")
    assert any(title.startswith("stage critical-mass") for title in titles)
    assert any(title.startswith("transition hand-off") for title in titles)
    # what to work on: the unmet parts of ownership first, then ownership itself
    blockers = texts(page, "#initiative-1 ol.blockers li strong")
    assert blockers[0] == "An owner has stepped forward" and "Ownership of the challenge" in blockers
    page.screenshot(tmp_path / "built-in.png")
    assert_offline_and_clean(page, html)


# --- the instrument itself: it must see requests and errors when there are some ----------------------


def test_the_browser_check_notices_a_request_and_a_console_error(browser: Browser, tmp_path: Path) -> None:
    html = tmp_path / "noisy.html"
    html.write_text(
        '<!DOCTYPE html><html><body><h1>noisy</h1><img src="http://127.0.0.1:9/pixel.png">'
        '<script>console.error("something broke")</script></body></html>',
        encoding="utf-8",
    )
    page = browser.open(html)
    assert "http://127.0.0.1:9/pixel.png" in page.requests
    assert any("something broke" in error for error in page.console_errors)
    with pytest.raises(AssertionError):
        assert_offline_and_clean(page, html)


def test_the_content_security_policy_blocks_what_would_fetch(browser: Browser, sample_db: Path, tmp_path: Path) -> None:  # noqa: F811
    """Were a fetch ever slipped into the page, its own policy would refuse it, and say so."""
    html = write_report(sample_db, tmp_path / "report.html")
    text = html.read_text(encoding="utf-8").replace("</body>", '<img src="http://127.0.0.1:9/leak.png"></body>')
    html.write_text(text, encoding="utf-8")
    page = browser.open(html)
    assert page.console_errors, "a refused fetch should be reported"
    assert any("Content Security Policy" in message for message in page.console_errors)
