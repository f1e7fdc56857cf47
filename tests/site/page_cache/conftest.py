"""The page cache's tests share a site whose settings row exists, and an anonymous reader."""

from django.test import Client

import pytest

from portal.models import PortalSettings


@pytest.fixture
def site_tree(site_tree):
    """With its settings row, which the first page rendered would otherwise create (and so
    invalidate the pages, as any new setting does)."""
    PortalSettings.for_site(site_tree["site"])
    return site_tree


@pytest.fixture
def reader():
    """An anonymous browser: no session, no cookies at all."""
    return Client()
