"""The browser suite: Debian's Chromium, driven by Playwright, against a real gunicorn on
127.0.0.1 with its own SQLite file and the demo content (docs/development.md#browser-tests).

The server runs in another process, so these tests never touch the test database: what they
need from the server's data (a captcha's answer, the demo passwords) they read from its SQLite
file or from what the demo command printed."""

import contextlib
import hashlib
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("BROWSER_TESTS_CHROMIUM", "/usr/bin/chromium")
AXE_SOURCE = HERE / "node_modules" / "axe-core" / "axe.min.js"
VAR = ROOT / "var" / "browser"
SCREENSHOTS = Path(os.environ.get("BROWSER_SCREENSHOTS", ROOT / "var" / "browser-screenshots"))
# Without the networking switches Chromium keeps calling home (updates, sync, safe browsing)
# on a machine that may have no way out, and each call waits for its timeout.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {
    "phone": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# What the cached demo database depends on: a change to any of these builds it again. That is
# every module of the apps, not only the demo loaders: the demo stores what the apps' rules
# make of it (the public figures' suppression, for one), and a stale copy tests old rules.
DEMO_INPUTS = (
    "*/*.py",
    "*/*/*.py",
    "*/*/*/*.py",
    "*/*/*/*/*.py",
    "*/data/*",
    "requirements/dev.lock",
)


def pytest_collection_modifyitems(items):
    """Every browser test shares one worker (scripts/test runs `--dist loadgroup`): one
    server, one Chromium."""
    for item in items:
        if HERE in Path(item.fspath).parents or Path(item.fspath).parent == HERE:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_failed = report.failed
    return report


# --- the server -------------------------------------------------------------------------


def _demo_key():
    digest = hashlib.sha256()
    for pattern in DEMO_INPUTS:
        for path in sorted(ROOT.glob(pattern)):
            if path.is_file() and not {".venv", "tests", "benchmarks", "drills"} & set(path.parts):
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _server_env(var_dir, port=8000):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "REDIS_", "DATABASE_", "PORTAL_", "MEDIA_", "STATIC_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.browser",
        DATABASE_URL=f"sqlite:///{var_dir / 'db.sqlite3'}",
        PORTAL_VAR_DIR=str(var_dir),
        PORTAL_BASE_URL=f"http://127.0.0.1:{port}",
    )
    return env


def _build_demo(target):
    """Migrate and load the demo once into `target`; the demo's passwords go beside it."""
    building = target.with_name(target.name + f".building-{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    env = _server_env(building)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    output = subprocess.run(
        [*manage, "load_demo_content"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    credentials = {
        "admin": re.search(r"user: (\S+)\s+password: (\S+)", output).groups(),
        "staff_password": re.search(r"password for all: (\S+)\)", output).group(1),
        "poster": re.search(r"/r/(\w+)/ ", output).group(1),
    }
    (building / "credentials.json").write_text(json.dumps(credentials))
    try:
        building.rename(target)
    except OSError:  # another run built it at the same time
        shutil.rmtree(building, ignore_errors=True)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, url, var_dir, credentials):
        self.url = url
        self.var_dir = var_dir
        self.db = var_dir / "db.sqlite3"
        self.credentials = credentials

    def query(self, sql, *params):
        with contextlib.closing(sqlite3.connect(self.db, timeout=10)) as connection:
            return connection.execute(sql, params).fetchall()

    def captcha_answer(self, hashkey):
        """The answer a person reads off the picture, from the captcha store."""
        return self.query("SELECT response FROM captcha_captchastore WHERE hashkey = ?", hashkey)[
            0
        ][0]


@pytest.fixture(scope="session")
def server():
    cache = VAR / "cache" / _demo_key()
    if not cache.exists():
        _build_demo(cache)
    run = VAR / f"run-{os.getpid()}"
    shutil.rmtree(run, ignore_errors=True)
    shutil.copytree(cache, run)
    port = _free_port()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    log = (SCREENSHOTS / "server.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "portal.wsgi",
        ],
        cwd=ROOT,
        env=_server_env(run, port),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/readyz/", timeout=5) as response:  # noqa: S310 (our own http server)
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"The browser-test server did not start: see {SCREENSHOTS / 'server.log'}"
                    ) from None
                time.sleep(0.3)
        credentials = json.loads((run / "credentials.json").read_text())
        yield Server(url, run, credentials)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(run, ignore_errors=True)


# --- the browser ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium():
    """Module scope, not session: Playwright's sync API keeps an event loop running in this
    thread, and Django refuses database calls from tests that run after it in the same worker
    ("You cannot call this from an async context") until it stops."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: install Debian's chromium package")
    if not AXE_SOURCE.exists():
        pytest.fail(f"axe-core is missing: run `npm ci` in {HERE}")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()


class Shots:
    """Numbered screenshots of each step, in a folder per test, so a failure can be seen."""

    def __init__(self, folder):
        self.folder = folder
        self.count = 0
        shutil.rmtree(folder, ignore_errors=True)

    def __call__(self, page, name):
        from playwright.sync_api import Error

        self.count += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{self.count:02d}-{name}.png"
        try:
            page.screenshot(path=path, full_page=True)
        except Error as error:
            # A full page is captured beyond the viewport (Chromium's captureBeyondViewport),
            # which Chromium now and then refuses ("Unable to capture screenshot") for a page
            # it captures whole a moment later. A step's picture is for whoever reads the run,
            # not one of the test's checks: the visible part is kept, the refusal is reported,
            # and the verdict stays with the test's assertions.
            reason = error.message.splitlines()[0]
            warnings.warn(f"{path}: {reason}; only the viewport was captured", stacklevel=2)
            page.screenshot(path=path)


@pytest.fixture
def shots(request):
    name = re.sub(r"[^\w.-]+", "-", request.node.nodeid.split("::", 1)[-1]).strip("-")
    return Shots(SCREENSHOTS / Path(request.node.fspath).stem / name)


@pytest.fixture
def new_context(chromium, server, request, shots):
    """Open browser contexts (a person's browser each) at a viewport; every page is shot at
    the end of a failed test."""
    contexts = []

    def open_context(viewport="desktop", javascript=True, locale="zh-CN"):
        context = chromium.new_context(
            base_url=server.url,
            java_script_enabled=javascript,
            locale=locale,
            **VIEWPORTS[viewport],
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield open_context
    for number, context in enumerate(contexts):
        if getattr(request.node, "browser_failed", False):
            for index, page in enumerate(context.pages):
                with contextlib.suppress(Exception):
                    shots.folder.mkdir(parents=True, exist_ok=True)
                    page.screenshot(
                        path=shots.folder / f"failure-{number}-{index}.png", full_page=True
                    )
        context.close()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request):
    return request.param


@pytest.fixture
def page(new_context, viewport):
    return new_context(viewport).new_page()


# --- checks -----------------------------------------------------------------------------


def check_axe(page, label=""):
    """axe-core at WCAG 2.1 AA: no violation, with each named so it can be fixed."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluate, not a <script> tag: the Content-Security-Policy allows no inline script.
        page.evaluate(AXE_SOURCE.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
    )
    problems = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in result["violations"]
    ]
    assert not problems, f"axe on {label or page.url}:\n" + "\n".join(problems)


def solve_captcha(page, server):
    key = page.locator('input[name="captcha_0"]').input_value()
    page.locator('input[name="captcha_1"]').fill(server.captcha_answer(key))


def staff_login(context, server, username, password=None):
    """Through the real sign-in and second-factor forms, with the demo authenticator's code."""
    from accounts import demo

    password = password or server.credentials["staff_password"]
    page = context.new_page()
    page.goto("/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("form.login-form button[type=submit], form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/admin/two-factor/verify/"))
    page.locator('input[name="code"]').fill(_fresh_code(username, demo))
    page.locator("form.login-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/(\?.*)?$"))
    return page


_used_steps = {}


def _fresh_code(username, demo):
    """A code the server has not seen for this account: django-otp refuses a code of a time
    step at or before the last one used, and accepts the next step's (one step of drift)."""
    step = int(time.time()) // demo.STEP
    last = _used_steps.get(username, -1)
    if last >= step + 1:
        time.sleep(demo.seconds_left() + 0.5)
        step = int(time.time()) // demo.STEP
    use = max(step, last + 1)
    _used_steps[username] = use
    return demo.code(at=use * demo.STEP)
