"""Real-browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

No browser is downloaded: the `chromium` package provides the binary (`.ci/run` installs it);
without it these tests are skipped. One Chromium serves every browser test of a worker: it is
started by the first browser test and stopped as soon as the next test is not a browser test,
because Playwright's synchronous API keeps an asyncio loop marked as running in this thread
while it is alive, and Django refuses database calls under a running loop (its async-safety
check, lifted here only while the browser runs). Each test gets a fresh context (no cookies
shared) and a screenshot in test-artifacts/ when it fails.

Live-server tests are transactional: the database is emptied after each. They are marked
`django_db(transaction=True, serialized_rollback=True)`, like the suite's other transactional
tests: the data of the migrations is restored before each, and the emptied database is not
refilled behind the next test's back (which would break that test's own restore).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

BROWSER_DIR = Path(__file__).resolve().parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A console message that tells the page broke the Content Security Policy.
CSP_MESSAGE = re.compile(r"Content Security Policy|Refused to (execute|apply|load)", re.I)

_shared: dict = {}


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _start_browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - dev extras not installed
        pytest.skip("Playwright (pip package `playwright`) is not installed.")
    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium is not installed (Debian package `chromium`; .ci/run installs it).")
    if "browser" not in _shared:
        from django.db import connections

        _shared["async_unsafe"] = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        # Under a running loop Django looks its connections up per async context instead of
        # per thread: hand it the thread's own, the ones pytest-django prepared (test
        # database, serialized data for `serialized_rollback`), or it would open others.
        own = {alias: connections[alias] for alias in connections}
        playwright = sync_playwright().start()
        for alias, connection in own.items():
            connections[alias] = connection
        _shared["playwright"] = playwright
        _shared["browser"] = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
    return _shared["browser"]


def _stop_browser() -> None:
    browser = _shared.pop("browser", None)
    playwright = _shared.pop("playwright", None)
    if browser is not None:
        browser.close()
    if playwright is not None:
        playwright.stop()
    if "async_unsafe" in _shared:
        previous = _shared.pop("async_unsafe")
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _is_browser_test(item) -> bool:
    return item is not None and BROWSER_DIR in Path(str(item.path)).resolve().parents


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    if not _is_browser_test(nextitem):
        _stop_browser()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, for the screenshot on failure."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    """Axes and school levels come from data migrations, and a live-server test empties the
    database after it runs: put them back (idempotent)."""
    from committee.reference_data import axes_load
    from initiatives.models import SchoolLevel
    from initiatives.reference import SCHOOL_LEVELS

    axes_load(overwrite=True)
    for position, (code, label) in enumerate(SCHOOL_LEVELS):
        SchoolLevel.objects.update_or_create(
            code=code, defaults={"label": label, "position": position}
        )


@pytest.fixture
def browser():
    return _start_browser()


def _new_context(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    return context


def _watch(page, problems: list[str]) -> None:
    """Record what the policy refused and any uncaught JavaScript error of `page`."""
    page.on(
        "console",
        lambda message: (
            problems.append(f"{page.url}: {message.text}")
            if message.type == "error" and CSP_MESSAGE.search(message.text)
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"{page.url}: JavaScript error: {error}"))


def _test_failed(request) -> bool:
    return any(
        getattr(getattr(request.node, f"report_{when}", None), "failed", False)
        for when in ("setup", "call")
    )


@pytest.fixture
def problems():
    """CSP refusals and JavaScript errors seen by the test's pages: there must be none."""
    seen: list[str] = []
    yield seen
    assert not seen, "\n".join(seen)


@pytest.fixture
def context(browser, live_server):
    context = _new_context(browser, live_server)
    yield context
    context.close()


@pytest.fixture
def page(context, request, problems):
    """A page of a fresh context, watched for CSP refusals and JavaScript errors; its
    screenshot is saved when the test fails."""
    page = context.new_page()
    _watch(page, problems)
    yield page
    if _test_failed(request):
        save_screenshot(page, request)
    page.close()


def save_screenshot(page, request, suffix: str = "") -> Path | None:
    folder = Path(request.config.rootpath) / "test-artifacts"
    folder.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
    path = folder / f"{name}{suffix}.png"
    try:
        page.screenshot(path=str(path), full_page=True)
    except Exception:  # noqa: BLE001 - a broken page must not hide the test's own failure
        return None
    print(f"Screenshot: {path} (page {page.url})")
    return path


def _session_cookie(user, live_server) -> dict:
    """A session for `user` made by Django's test client, as a browser cookie."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}


@pytest.fixture
def log_in(context, live_server):
    """Log a user in, in the test's `page`, without the login form.

    Only the journeys that are about logging in type the password and the TOTP code.
    """
    return lambda user: context.add_cookies([_session_cookie(user, live_server)])


@pytest.fixture
def page_as(browser, live_server, request, problems):
    """A page in a browser of its own, logged in as another person: `page_as(user)`; or
    nobody yet (`page_as(None)`: someone who will log in through the form, or a visitor)."""
    opened = []

    def open_page(user):
        context = _new_context(browser, live_server)
        if user is not None:
            context.add_cookies([_session_cookie(user, live_server)])
        page = context.new_page()
        _watch(page, problems)
        opened.append((context, page))
        return page

    yield open_page
    for number, (context, page) in enumerate(opened, start=1):
        if _test_failed(request):
            save_screenshot(page, request, suffix=f"-{number}")
        context.close()


@pytest.fixture
def world(association, other_association, ministry):
    from .world import build_world

    return build_world(association, other_association, ministry)
