"""Helpers for browser tests: launch Debian's Chromium, sign in, watch for page errors.

Every page opened through :func:`watch` records console errors (a CSP violation is one:
Chromium logs "Refused to execute inline script…"), uncaught JavaScript exceptions and
failed requests in ``page.sd_problems``; :func:`assert_clean` fails on any of them.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"

CHROMIUM = os.environ.get("SD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MISSING_CHROMIUM = (
    f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set SD_CHROMIUM)"
)


def watch(page):
    """Start recording the page's console errors, JS exceptions and failed requests."""
    problems: list[str] = []
    page.sd_problems = problems
    page.on("console", lambda msg: msg.type == "error" and problems.append(
        f"console error: {msg.text} ({msg.location.get('url', '')})"))
    page.on("pageerror", lambda exc: problems.append(f"JavaScript exception: {exc}"))
    # ERR_ABORTED is the browser cancelling a load because the page moved on (a font still
    # loading when the test navigates): not a failure of the server.
    page.on("requestfailed", lambda req: "ERR_ABORTED" not in (req.failure or "")
            and problems.append(f"request failed: {req.method} {req.url} ({req.failure})"))
    return page


def assert_clean(page) -> None:
    """No console error, CSP violation, JS exception or failed request so far."""
    problems = getattr(page, "sd_problems", None)
    assert problems is not None, "page is not watched: open it with watch(page)"
    assert not problems, "the browser reported:\n  " + "\n  ".join(problems)


def sign_in(page, username: str, password: str) -> None:
    """Sign in through the real login form and wait for the home page."""
    page.goto("/login/")
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(lambda url: not url.rstrip("/").endswith("/login"))


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot to test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
