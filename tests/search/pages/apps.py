from django.apps import AppConfig


class SearchTestPagesConfig(AppConfig):
    """A page type for the search tests only (installed by portal.settings.test): the real
    site has one HomePage per language, and results lists need many ordinary pages."""

    name = "tests.search.pages"
    label = "search_test_pages"
