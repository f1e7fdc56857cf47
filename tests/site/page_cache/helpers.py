"""Ways to tell a page the cache answered from one that was rendered, and a page to show in
the menu."""

from content.models import StandardPage

PUBLIC = "public, max-age=60, s-maxage=60"
PRIVATE = "private, no-store"


def cached(reader, url, django_assert_num_queries, **headers):
    """The page as the cache answers it: the second fetch, without one SQL query."""
    first = reader.get(url, headers=headers)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = reader.get(url, headers=headers)
    assert again.content == first.content
    return again


def rendered(reader, url):
    """True when the page was rendered (a view ran: it read the database or rendered a
    template), False when the cache answered. Parts kept for every page (the menu, the site)
    may let a render read nothing, so the templates count too."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = reader.get(url)
    return response, len(queries) > 0 or bool(response.templates)


def menu_page(site_tree, slug="guide", title="举报指南"):
    page = site_tree["home"].add_child(
        instance=StandardPage(title=title, slug=slug, show_in_menus=True, live=False)
    )
    page.save_revision().publish()
    page.refresh_from_db()
    return page
