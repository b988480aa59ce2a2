"""A real headless Chromium for tests, driven over the DevTools protocol with the standard library only.

Chromium is started with `--remote-debugging-pipe`: it reads protocol messages (JSON,
each ended by a NUL byte) on file descriptor 3 and writes its answers and events on
descriptor 4, so no websocket client and no open port are needed. The network is off
for the page: every request goes to a proxy address where nothing listens, and every
request the page starts is recorded (DevTools Network domain), so a test can assert
that a page asked for nothing at all.

    with Browser(tmp_path) as browser:
        page = browser.open(path_to_html)
        page.evaluate("document.title")
        page.screenshot(tmp_path / "page.png")
        assert not page.console_errors and page.requests == [path_to_html.as_uri()]

Chromium comes from Debian's `chromium` package. `find_chromium()` returns None where
it is not installed; `require_chromium()` then fails the test when the environment
variable CI is set (CI must have installed it) and skips it otherwise, saying how to
install it.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest

INSTALL_HINT = "install it with `apt-get install -y chromium` (Debian's package)"
# Not a timed assertion: only a bound so that a wedged browser fails the test instead of hanging it.
PROTOCOL_TIMEOUT = 120.0
_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """The Chromium executable ($CHROMIUM if set), or None."""
    configured = os.environ.get("CHROMIUM")
    if configured:
        return shutil.which(configured) or (configured if Path(configured).is_file() else None)
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def require_chromium() -> str:
    """Chromium's path; without it, fail under CI (it must be installed there) and skip elsewhere."""
    found = find_chromium()
    if found is not None:
        return found
    message = f"the browser tests need Chromium, which is not installed: {INSTALL_HINT}"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI is set, so .ci/run must install it)")
    pytest.skip(message)


class BrowserError(RuntimeError):
    """Chromium answered a protocol call with an error, closed its pipe, or did not answer in time."""


@dataclass
class Page:
    """A page opened in the browser: what it logged and requested, and ways to look into it."""

    browser: Browser
    session: str
    console_errors: list[str] = field(default_factory=list)
    console_messages: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def call(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.browser.call(method, params, session=self.session)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (returned by value, so keep it JSON-like)."""
        answer = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in answer:
            raise BrowserError(f"{expression!r} threw: {answer['exceptionDetails'].get('text')}")
        return answer["result"].get("value")

    def set_viewport(self, width: int, height: int, *, mobile: bool = False) -> None:
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
        )

    def screenshot(self, target: Path, *, full_page: bool = True) -> Path:
        """Save a PNG of the page (the whole page, not only the viewport, by default)."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            metrics = self.call("Page.getLayoutMetrics")["cssContentSize"]
            params.update(
                captureBeyondViewport=True,
                clip={"x": 0, "y": 0, "width": metrics["width"], "height": metrics["height"], "scale": 1},
            )
        target.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", params)["data"]))
        return target

    def pdf(self, target: Path) -> Path:
        """Print the page to PDF, as a person printing it would."""
        target.write_bytes(base64.b64decode(self.call("Page.printToPDF", {"printBackground": False})["data"]))
        return target


class Browser:
    """A headless Chromium with its own empty profile folder, closed on exit."""

    def __init__(self, workdir: Path, executable: str | None = None) -> None:
        self.executable = executable or require_chromium()
        self.profile = Path(tempfile.mkdtemp(prefix="chromium-profile-", dir=workdir))
        self.log = workdir / "chromium-stderr.log"
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict[str, Any]] = []
        self._pages: dict[str, Page] = {}

    def __enter__(self) -> Browser:
        to_browser_read, self._to_browser = _high(os.pipe())
        self._from_browser, from_browser_write = _high(os.pipe())
        # Chromium expects its pipe ends as descriptors 3 (read) and 4 (write).
        command = [
            self.executable,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-extensions",
            "--no-default-browser-check",
            "--mute-audio",
            "--proxy-server=127.0.0.1:9",
            "--proxy-bypass-list=<-loopback>",  # no network for the page
            f"--user-data-dir={self.profile}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                close_fds=True,
                pass_fds=(3, 4),
                # Started before any thread of ours; the child only moves two pipes into place.
                preexec_fn=_pipes_as_3_and_4(to_browser_read, from_browser_write),  # noqa: PLW1509
            )
        os.close(to_browser_read)
        os.close(from_browser_write)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        with contextlib.suppress(BrowserError):
            self.call("Browser.close")
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        shutil.rmtree(self.profile, ignore_errors=True)

    # --- the protocol ----------------------------------------------------------------------------

    def call(self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None) -> dict[str, Any]:
        """Send one command and wait for its answer, keeping the events that arrive meanwhile."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            incoming = self._receive()
            if incoming.get("id") == self._next_id:
                if "error" in incoming:
                    raise BrowserError(f"{method}: {incoming['error'].get('message')}")
                result: dict[str, Any] = incoming.get("result", {})
                return result
            self._note(incoming)

    def wait_for(self, method: str, *, session: str | None = None) -> dict[str, Any]:
        """The next event of this kind (one that already arrived counts)."""
        while True:
            for index, event in enumerate(self._events):
                if event.get("method") == method and (session is None or event.get("sessionId") == session):
                    return self._events.pop(index)
            self._note(self._receive())

    def _receive(self) -> dict[str, Any]:
        deadline = time.monotonic() + PROTOCOL_TIMEOUT
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._from_browser], [], [], max(0.0, left))
            if not ready:
                raise BrowserError(f"Chromium did not answer within {PROTOCOL_TIMEOUT:.0f}s (see {self.log})")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise BrowserError(f"Chromium closed its DevTools pipe (see {self.log})")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        parsed: dict[str, Any] = json.loads(message)
        return parsed

    def _note(self, event: dict[str, Any]) -> None:
        """Record what a page logs or requests; keep the event for `wait_for`."""
        page = self._pages.get(event.get("sessionId", ""))
        method, params = event.get("method"), event.get("params", {})
        if page is not None:
            if method == "Runtime.consoleAPICalled":
                text = " ".join(str(arg.get("value", arg.get("description", ""))) for arg in params.get("args", []))
                page.console_messages.append(f"{params.get('type')}: {text}")
                if params.get("type") in ("error", "assert"):
                    page.console_errors.append(text)
            elif method == "Runtime.exceptionThrown":
                page.console_errors.append(str(params.get("exceptionDetails", {}).get("text")))
            elif method == "Log.entryAdded":
                entry = params.get("entry", {})
                page.console_messages.append(f"{entry.get('level')}: {entry.get('text')}")
                if entry.get("level") == "error":
                    page.console_errors.append(f"{entry.get('source')}: {entry.get('text')}")
            elif method == "Network.requestWillBeSent":
                page.requests.append(params.get("request", {}).get("url", ""))
        self._events.append(event)

    # --- pages -----------------------------------------------------------------------------------

    def open(self, path: Path, *, width: int = 1280, height: int = 900, mobile: bool = False) -> Page:
        """Open a local file in a new tab and wait until it has loaded."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = self._pages[session] = Page(self, session)
        for domain in ("Page", "Runtime", "Log", "Network"):
            page.call(f"{domain}.enable")
        page.set_viewport(width, height, mobile=mobile)
        page.call("Page.navigate", {"url": path.resolve().as_uri()})
        self.wait_for("Page.loadEventFired", session=session)
        return page


def _high(ends: tuple[int, int]) -> tuple[int, int]:
    """The pipe's ends moved above 9, so that placing them on 3 and 4 in the child cannot clobber one another."""
    moved = tuple(fcntl.fcntl(end, fcntl.F_DUPFD_CLOEXEC, 10) for end in ends)
    for end in ends:
        os.close(end)
    return moved[0], moved[1]


def _pipes_as_3_and_4(read_end: int, write_end: int) -> Any:
    def arrange() -> None:  # runs in the child, between fork and exec
        os.dup2(read_end, 3)
        os.dup2(write_end, 4)

    return arrange
