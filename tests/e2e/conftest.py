"""Real-browser tests: Playwright's sync API driving Debian's Chromium, headless.

They run whenever /usr/bin/chromium exists. Without it they are skipped, unless REQUIRE_BROWSER=1 (set by CI's
`.ci/run`), in which case a missing browser is a failure, so CI never skips them silently.
A failing test leaves a full-page screenshot under test-artifacts/.
"""

import os
from pathlib import Path

import pytest
from django.db import connections

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM calls made from it
# (the test's own set-up and assertions). The live server answers requests in its own thread, unaffected.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _browser_missing(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (REQUIRE_BROWSER=1: browser tests must run here)", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the test item, so the page fixture knows whether the test failed.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def browser():
    # Per test, so Playwright's event loop is gone before any other test runs.
    if not CHROMIUM.exists():
        _browser_missing(f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _browser_missing("playwright is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # While Playwright runs, the test's ORM calls open a connection in Playwright's context (asgiref keeps
        # connections per context), which pytest-django's own teardown never sees: close it here, or the test
        # database cannot be dropped at the end of the run ("being accessed by other users").
        connections.close_all()


@pytest.fixture
def page(browser, request):
    # A Chinese user's browser: the interface answers in its default language, zh-Hans.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
