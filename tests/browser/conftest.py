"""Browser tests: Playwright driving Debian's Chromium (headless) against ``live_server``.

Never `playwright install`: it downloads browsers. Chromium comes from apt (`chromium`);
another binary can be named with SD_CHROMIUM. Without it the tests skip, and the run
ends with a banner saying so (tests/browser/report.py); with SD_REQUIRE_BROWSER=1 (CI)
a missing Chromium fails instead.

Mark every test here `pytestmark = pytest.mark.browser` (`-m "not browser"` leaves them out).

Reusable fixtures:
  browser          the session's Chromium (skips when missing)
  logged_in_page   logged_in_page(user, password=TEST_PASSWORD) -> a Page signed in as
                   ``user`` through the login form; at the end of a passing test it fails
                   if the page logged console errors or CSP violations.
"""

import os

import pytest
from django.core.management import call_command
from django.db import connections

from servicedesk.roles import sync_role_groups
from tests.browser.pages import CHROMIUM, CHROMIUM_ARGS, MISSING_CHROMIUM, sign_in, watch
from tests.factories import TEST_PASSWORD


def _skip_without_chromium():
    if not os.access(CHROMIUM, os.X_OK):
        if os.environ.get("SD_REQUIRE_BROWSER"):
            pytest.fail(MISSING_CHROMIUM + "; SD_REQUIRE_BROWSER is set", pytrace=False)
        pytest.skip(MISSING_CHROMIUM)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # Before any fixture: otherwise the live server and a database flush come first.
    if item.get_closest_marker("browser"):
        _skip_without_chromium()


@pytest.fixture(scope="session")
def browser(request):
    _skip_without_chromium()
    # Started first, so stopped after the browser has closed its keep-alive connections
    # (the server's request threads, and their database connections, end with them).
    request.getfixturevalue("live_server")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in the test thread from here to the end of
    # the session; Django would take the tests' ORM calls (factories, the flush) for calls
    # from async code and refuse them with SynchronousOnlyOperation.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()
    finally:
        # While Playwright's loop runs, Django keeps this thread's connections apart (asgiref
        # sees a running loop): close them now, or they outlive the run and block the drop.
        connections.close_all()
        playwright.stop()
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _load_reference_data():
    # What tests/conftest.py's django_db_setup loads once per session.
    call_command("loaddata", "service_points", verbosity=0)
    sync_role_groups()


@pytest.fixture(autouse=True)
def _reference_data(request):
    """``live_server`` tests are transactional: the flush after each one empties every
    table, so load the service points and role groups again before each test."""
    if "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        _load_reference_data()


@pytest.fixture(scope="module", autouse=True)
def _restore_reference_data(django_db_setup, django_db_blocker):
    """…and after the last flush, put them back for the test modules that follow."""
    yield
    with django_db_blocker.unblock():
        _load_reference_data()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.sd_call_failed = report.failed
    return report


@pytest.fixture
def logged_in_page(request, browser, live_server):
    contexts = []
    pages = []

    def open_as(user, password=TEST_PASSWORD):
        context = browser.new_context(
            base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai",
            viewport={"width": 1400, "height": 900},
        )
        contexts.append(context)
        page = watch(context.new_page())
        pages.append(page)
        sign_in(page, user.username, password)
        return page

    yield open_as
    problems = [p for page in pages for p in page.sd_problems]
    for context in contexts:
        context.close()
    if problems and not getattr(request.node, "sd_call_failed", True):
        pytest.fail("the browser reported:\n  " + "\n  ".join(problems), pytrace=False)
