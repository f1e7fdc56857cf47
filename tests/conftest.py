import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.contrib.auth import load_backend
from django.db import transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.test import Client, RequestFactory
from django.utils import translation

from wagtail.models import Locale, Page, Site

import pytest
from django_otp import DEVICE_ID_SESSION_KEY

import content.demo
from accounts.models import Authenticator
from portal.factories import SuperuserFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(getattr(settings, "TEST_FILES_ROOT", ""), ignore_errors=True)


LEDGER_TABLE = "reporting_ledgerentry"
# How PostgreSQL lists a trigger's state (pg_trigger.tgenabled), as ALTER TABLE sets it again.
TRIGGER_STATES = {"O": "ENABLE", "A": "ENABLE ALWAYS", "R": "ENABLE REPLICA", "D": "DISABLE"}


@contextmanager
def ledger_triggers_lifted(connection):
    """The ledger's triggers (reporting migrations 0005 and 0018) off, then back as they were.
    Only the table's owner may do this, as the test database's user is; call it inside a
    transaction, so that no other connection ever sees the table unguarded and a failure
    leaves the triggers in place."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname, tgenabled FROM pg_trigger "
                "WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal",
                [LEDGER_TABLE],
            )
            triggers = cursor.fetchall()
            if triggers:
                cursor.execute(f"ALTER TABLE {LEDGER_TABLE} DISABLE TRIGGER USER")
            yield
            for name, state in triggers:
                cursor.execute(
                    f"ALTER TABLE {LEDGER_TABLE} {TRIGGER_STATES[state]} TRIGGER "
                    + connection.ops.quote_name(name)
                )
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [LEDGER_TABLE],
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute("DROP TRIGGER " + connection.ops.quote_name(name))
            yield
            for _name, sql in triggers:
                cursor.execute(sql)
        else:
            yield


@pytest.fixture(autouse=True, scope="session")
def flush_past_the_ledger_guard():
    """pytest-django empties the database after each transactional test: TRUNCATE on
    PostgreSQL, DELETE on SQLite, both of which the ledger refuses to anyone. The test
    database's owner lifts the refusal for that flush alone, in the flush's transaction."""
    flush = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with (
            transaction.atomic(using=self.connection.alias),
            ledger_triggers_lifted(self.connection),
        ):
            flush(self, sql_list)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BaseDatabaseOperations, "execute_sql_flush", execute_sql_flush)
        yield


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the portal's default language. A request to /en/ leaves English
    active in the worker's thread (LocaleMiddleware activates a language and nothing resets
    it), so a later test of messages made outside a request read them in English or Chinese
    according to which tests its worker happened to run before it."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def urls_loaded():
    """The URLconf is imported before a test can freeze the clock: the units' API builds its
    schemas on import, and pydantic refuses freezegun's stand-in for datetime. Otherwise a
    test under freeze_time fails or passes by which test its worker ran first."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (the import is the point)


@pytest.fixture(autouse=True)
def clear_cache():
    """Rate-limit counters, stored pages and other cached state must not leak from one test
    to the next."""
    from django.core.cache import caches

    from portal.pagecache import kept

    for each in caches.all(initialized_only=True):
        empty(each)
    kept.forget()
    yield
    for each in caches.all(initialized_only=True):
        empty(each)
    kept.forget()


def empty(cache):
    """Empties a cache of this test process only. Redis's clear() empties the whole database,
    under the feet of a test in another process that keeps its pages there (under its own
    key prefix)."""
    from django.core.cache.backends.redis import RedisCache

    if not isinstance(cache, RedisCache):
        cache.clear()
        return
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=cache.make_key("*"), count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture
def render_every_time(settings):
    """The page cache off, for tests that count what rendering a page costs: a second visit
    would otherwise be answered from the cache without a query."""
    settings.PAGE_CACHE_SECONDS = 0


def pass_second_factor(client, user):
    """Mark the client's session as having given the second factor, as staff do after their
    password: with the user's authenticator, created if they have none."""
    device = Authenticator.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = Authenticator.objects.create(user=user, name="test authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


class StaffClient(Client):
    """The test client, for a staff member who is fully signed in: `force_login` also passes
    the second factor (most tests are about what staff do once in). Tests of the sign-in
    itself pass `second_factor=False`. `login` signs in with a password as the sign-in page
    does, with a request, which the lockout backend needs."""

    def force_login(self, user, backend=None, second_factor=True):
        if backend and not hasattr(load_backend(backend), "get_user"):
            # Wagtail's page tests name the first backend, the lockout check, which loads no
            # one: the session must name a backend that does.
            backend = None
        super().force_login(user, backend)
        if second_factor:
            pass_second_factor(self, user)

    def login(self, **credentials):
        credentials.setdefault("request", RequestFactory().post("/admin/login/"))
        return super().login(**credentials)


@pytest.fixture
def client():
    return StaffClient()


@pytest.fixture
def site_tree(db):
    """The published home page in Chinese and its English translation, as the demo has them."""
    site = content.demo.load()
    home = site.root_page.specific
    english = home.get_translation(Locale.objects.get(language_code="en")).specific
    return {"site": site, "home": home, "en_home": english, "root": Page.get_first_root_node()}


@pytest.fixture
def superuser(db):
    return SuperuserFactory(username="chief-editor")


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def run_django():
    """Run Python code in a fresh process with its own environment: for behaviour that is
    decided when settings load (missing variables, unreachable databases)."""

    # A full migrate in a new process takes seconds, but more than a minute on a loaded
    # two-core machine: the limit is for a process that hangs, not a slow one.
    def run(code, env, settings_module="portal.settings.test", timeout=300):
        clean = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": settings_module, **env}
        return subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=clean,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


__all__ = ["Site"]
