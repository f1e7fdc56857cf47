"""Wagtail's strings that its Chinese catalogue lacks are translated by the project's
(portal/wagtail_strings.py): the admin in Chinese shows none of them in English."""

import re

from django.urls import reverse
from django.utils.translation import gettext

import pytest

import reporting.demo
from portal import wagtail_strings
from reporting.factories import ClueFactory
from tests.reporting.helpers import as_user

pytestmark = pytest.mark.django_db

# As they read in English in the admin's pages, whatever the markup around them.
ENGLISH_ON_THE_DASHBOARD = [
    "Search all pages…",
    "editor guide",
    "Edit account avatar",
    "created in",
    "Page types usage",
    '"Shortcuts"',
    "Show keyboard shortcuts",
    "Toggle minimap",
    "Close modal dialogs",
    "Paste without formatting",
    "Insert or edit a link",
    "Monospace (code)",
    "Strike-through",
    "Keyboard shortcuts are currently",
    "JavaScript is required",
]


def test_every_listed_string_has_a_chinese_translation():
    untranslated = [msgid for msgid in wagtail_strings.STRINGS if gettext(msgid) == msgid]
    assert untranslated == []
    for plural in wagtail_strings.SUMMARY:
        # `% 2`: the lazy plural translated for a count of two, its placeholders kept.
        text = plural % 2
        assert "created in" not in text, text


def test_the_dashboard_in_chinese_has_no_english_wagtail_strings(superuser, site_tree):
    html = as_user(superuser).get(reverse("wagtailadmin_home")).content.decode()
    english = [text for text in ENGLISH_ON_THE_DASHBOARD if text in html]
    assert english == []
    assert gettext("Search all pages…") in html
    # The summary counts ("2 Pages" in English).
    assert not re.search(r"\d+\s+(Pages?|Images?|Documents?)\b", html)


def test_the_clue_queue_headings_are_in_chinese(superuser, site_tree):
    reporting.demo.load()
    ClueFactory()
    html = as_user(superuser).get(reverse("clues:index")).content.decode()
    assert "Sort by" not in html
    assert "True" not in re.search(r'<table class="listing">.*?</table>', html, re.S)[0]
