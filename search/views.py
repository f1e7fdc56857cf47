"""The public search page: /search/?q= (Chinese) and /en/search/?q= (English)."""

from urllib.parse import urlencode

from django.shortcuts import render

from wagtail.models import Locale

from portal.pagecache.kept import until_content_changes
from portal.restrictions import portal_pages
from portal.views import find_site

from . import prepared, results
from .highlight import highlight, snippet
from .query import MAX_QUERY_LENGTH, normalise
from .segment import query_terms


def searchable_pages():
    """Live, public pages in the language being served: their ids (their own types are read
    only for the results shown, search.results.cards)."""
    # The locale is kept until the content changes (a locale saved changes it).
    locale = until_content_changes("active-locale", Locale.get_active)
    return portal_pages().live().public().filter(locale=locale).exclude(depth=1).only("pk")


def search(request):
    # Results' URLs need the request's site: the kept one, not a query per render.
    find_site(request)
    # The page shows the canonical query, not the one typed: the page cache keeps one page
    # for every spelling of it (search.query).
    query = normalise(request.GET.get("q", ""))
    shortened = len(query) > MAX_QUERY_LENGTH
    query = query[:MAX_QUERY_LENGTH]
    terms = query_terms(query)
    context = {
        "query": query,
        "terms": terms,
        "shortened": shortened,
        "max_length": MAX_QUERY_LENGTH,
        "results": [],
        "page_obj": None,
        "language_switch_path": request.path,
    }
    if terms:
        found = prepared.search(searchable_pages, terms)
        page_obj = results.paginate(found, request.GET.get("page"))
        context["page_obj"] = page_obj
        parameters = {"q": query}
        if page_obj.number > 1:
            parameters["page"] = page_obj.number
        # The same page in the other language, named from the canonical query rather than
        # the URL typed, so that every spelling kept as this page links alike.
        context["language_switch_path"] = f"{request.path}?{urlencode(parameters)}"
        context["results"] = [
            {"url": url, "title": highlight(title, terms), "snippet": snippet(text, terms)}
            for url, title, text in results.cards(page_obj.object_list, request)
        ]
    return render(request, "search/search.html", context)
