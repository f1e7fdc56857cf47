import pytest

import fugitives.demo
import law.demo
from fugitives.models import NoticePage
from tests.reporting.conftest import report_page, staff, valid_data  # noqa: F401 (fixtures)


@pytest.fixture
def demo(site_tree):
    law.demo.load()
    index = fugitives.demo.load()
    return {
        "index": index,
        "wanted": NoticePage.objects.get(slug="example-2026-01", locale__language_code="zh-hans"),
        "caught": NoticePage.objects.get(slug="example-2025-07", locale__language_code="zh-hans"),
        **site_tree,
    }


def english(page):
    from wagtail.models import Locale

    return page.get_translation(Locale.objects.get(language_code="en")).specific
