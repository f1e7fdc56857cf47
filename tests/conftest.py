import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from wagtail.models import Locale, Page, Site

import pytest

import content.demo
from portal.factories import SuperuserFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(getattr(settings, "TEST_FILES_ROOT", ""), ignore_errors=True)


@pytest.fixture(autouse=True)
def clear_cache():
    """Rate-limit counters and other cached state must not leak from one test to the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


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

    def run(code, env, settings_module="portal.settings.test", timeout=60):
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
