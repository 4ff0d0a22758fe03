"""A loud end-of-run banner when browser tests were skipped (e.g. Chromium missing).

Hooked in from tests/conftest.py so that it reports even when tests/browser/ itself
could not run anything.
"""

from tests.browser.pages import MISSING_CHROMIUM


def _is_browser_skip(report) -> bool:
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    return "browser" in report.keywords or MISSING_CHROMIUM.split(" (")[0] in reason


def pytest_terminal_summary(terminalreporter):
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if _is_browser_skip(r)]
    if not skipped:
        return
    reasons = sorted({
        (r.longrepr[2] if isinstance(r.longrepr, tuple) else str(r.longrepr)).removeprefix(
            "Skipped: ")
        for r in skipped
    })
    for reason in reasons:
        terminalreporter.write_sep("!", f"BROWSER TESTS SKIPPED: {reason}", red=True, bold=True)
    terminalreporter.write_line(
        f"{len(skipped)} browser test(s) did not run: the pages were not checked in a browser.",
        red=True, bold=True,
    )
