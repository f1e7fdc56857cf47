"""The security headers of every kind of page, asserted whole, and the markup that the
Content-Security-Policy must allow: no inline script, event handler or style on the pages
served under the strict policy."""

import re
from html.parser import HTMLParser

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from wagtail.test.utils.form_data import querydict_from_html

import pytest

import content.demo_pages
import content.demo_stories
import law.demo
import reporting.demo
from posters.models import EntryPoint
from reporting.factories import ClueFactory
from reporting.models import Clue, LedgerEntry
from tests.conftest import StaffClient
from tests.reporting import samples

pytestmark = pytest.mark.django_db

STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; media-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
EDITOR_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self'; media-src 'self'; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
NAMES = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
    "Permissions-Policy",
    "Cross-Origin-Opener-Policy",
    "Cache-Control",
)

PUBLIC_PAGE = {
    "Content-Security-Policy": STRICT_CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS,
    "Cross-Origin-Opener-Policy": "same-origin",
    # Kept by the page cache, and by shared caches for a minute (docs/caching.md).
    "Cache-Control": "public, max-age=60, s-maxage=60",
}
# Rendered for this reader alone: a search that cannot be kept, a miss.
UNCACHED_PUBLIC_PAGE = {**PUBLIC_PAGE, "Cache-Control": "private, no-store"}
REPORTER_PAGE = {**PUBLIC_PAGE, "Referrer-Policy": "no-referrer", "Cache-Control": NEVER_CACHE}
STAFF_PAGE = {**PUBLIC_PAGE, "Cache-Control": NEVER_CACHE}


def headers(response):
    return {name: response.get(name) for name in NAMES}


class InlineCode(HTMLParser):
    """What a strict policy would refuse: inline scripts (data blocks are not scripts), event
    handler attributes, javascript: links, style elements and style attributes."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src") and attrs.get("type") != "application/json":
            self.found.append(f"inline <script> at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> at line {self.getpos()[0]}")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"{name}= on <{tag}>")
            if name == "style":
                self.found.append(f"style= on <{tag}>")
            if name in ("href", "src", "action") and (value or "").strip().startswith(
                "javascript:"
            ):
                self.found.append(f"javascript: URL on <{tag}>")


def inline_code(response):
    parser = InlineCode()
    parser.feed(response.content.decode())
    return parser.found


def as_user(user):
    client = StaffClient()  # signed in with both steps
    client.force_login(user)
    return client


def _law():
    law.demo.load()


def _stories():
    content.demo_stories.load()


def _pages():
    content.demo_pages.load()


PUBLIC_PAGES = {
    "home": ("/", None),
    "home-en": ("/en/", None),
    "law": ("/law/", _law),
    "law-article": ("/law/article-1/", _law),
    "law-print": ("/law/print/", _law),
    "story-index": ("/stories/", _stories),
    "story": ("/stories/market-vendor/", _stories),
    "news-index": ("/news/", _stories),
    "news": ("/news/law-week/", _stories),
    "standard-page": ("/guide/", _pages),
    "search-form": ("/search/", None),
    "search": ("/search/?q=法", None),
}
# A search with a parameter that is not its own is rendered for its reader alone.
UNCACHED_PUBLIC_PAGES = {"search": "/search/?q=法&entry=x", "not-found": "/no-such-page/"}


@pytest.mark.parametrize("kind", PUBLIC_PAGES)
def test_public_pages(client, site_tree, kind):
    path, load = PUBLIC_PAGES[kind]
    if load:
        load()
    response = client.get(path)
    assert response.status_code == 200
    assert headers(response) == PUBLIC_PAGE
    assert inline_code(response) == []
    # Answered again from the page cache, with the same headers.
    assert headers(client.get(path)) == PUBLIC_PAGE


@pytest.mark.parametrize("kind", UNCACHED_PUBLIC_PAGES)
def test_public_pages_not_kept(client, site_tree, kind):
    response = client.get(UNCACHED_PUBLIC_PAGES[kind])
    assert response.status_code == (404 if kind == "not-found" else 200)
    assert headers(response) == UNCACHED_PUBLIC_PAGE
    assert inline_code(response) == []


def test_report_form(client, report_page):
    report_page()  # seeds the categories and regions the form lists
    response = client.get("/report/")
    assert headers(response) == REPORTER_PAGE
    assert inline_code(response) == []


def test_refused_report_keeps_the_reporter_headers(client, report_page, valid_data):
    _, hidden = report_page()
    response = client.post("/report/", {**valid_data(what_happened=""), **hidden})
    assert response.status_code == 400
    assert headers(response) == REPORTER_PAGE


def test_receipt_and_the_redirect_to_it(client, report_page, valid_data):
    _, hidden = report_page()
    sent = client.post("/report/", {**valid_data(), **hidden})
    assert sent.status_code == 302
    assert sent["Referrer-Policy"] == "no-referrer"
    assert sent["Cache-Control"] == NEVER_CACHE
    receipt = client.get(sent["Location"])
    assert receipt.status_code == 200
    assert headers(receipt) == REPORTER_PAGE
    assert inline_code(receipt) == []


def test_status_lookup_follow_up_and_its_actions(client, report_page, valid_data):
    lookup = client.get("/report/status/")
    assert headers(lookup) == REPORTER_PAGE
    assert inline_code(lookup) == []

    _, hidden = report_page()
    client.post("/report/", {**valid_data(), **hidden})
    html = client.get("/report/receipt/").content.decode()
    number = re.search(r'id="tracking-number"[^>]*>([^<]+)<', html).group(1)
    key = re.search(r'id="access-key"[^>]*>([^<]+)<', html).group(1)
    unlocked = client.post("/report/status/", {"tracking_number": number, "access_key": key})
    assert unlocked.status_code == 302
    assert unlocked["Referrer-Policy"] == "no-referrer"

    follow_up = client.get("/report/status/")
    assert number in follow_up.content.decode()
    assert headers(follow_up) == REPORTER_PAGE
    assert inline_code(follow_up) == []

    for path in ("/report/status/reply/", "/report/status/leave/"):
        response = client.post(path, {"body": "补充：他们每周五来。"})
        assert response.status_code == 302
        assert response["Referrer-Policy"] == "no-referrer"
        assert response["Cache-Control"] == NEVER_CACHE


def test_qr_redirect(client, site_tree):
    reporting.demo.load()
    entry_point = EntryPoint.objects.create(name="菜市场", location="路北区某菜市场东门")
    response = client.get(f"/r/{entry_point.code}/")
    assert response.status_code == 302
    assert headers(response) == {**REPORTER_PAGE, "X-Frame-Options": "DENY"}


def test_printable_poster_may_be_shown_by_the_browsers_pdf_viewer(client, site_tree):
    reporting.demo.load()
    entry_point = EntryPoint.objects.create(name="菜市场", location="路北区某菜市场东门")
    response = client.get(f"/r/{entry_point.code}/poster.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_admin_sign_in_page(client, site_tree):
    response = client.get(reverse("wagtailadmin_login"))
    assert headers(response) == STAFF_PAGE
    assert inline_code(response) == []


def test_admin_dashboard(staff):
    ClueFactory()
    response = as_user(staff["intake-hebei"]).get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    assert headers(response) == STAFF_PAGE
    assert inline_code(response) == []


def test_clue_queue_and_clue_page(staff):
    clue = ClueFactory()
    client = as_user(staff["intake-hebei"])
    queue = client.get(reverse("clues:index"))
    assert clue.tracking_number in queue.content.decode()
    assert headers(queue) == STAFF_PAGE
    assert inline_code(queue) == []

    page = client.get(reverse("clues:inspect", args=[clue.pk]))
    assert page.status_code == 200
    assert headers(page) == STAFF_PAGE
    # The page carries the action forms (a transfer's deadline is a date picker).
    assert inline_code(page) == []


def test_text_a_citizen_sent_cannot_become_markup_on_the_clue_page(staff):
    clue = ClueFactory()
    Clue.objects.filter(pk=clue.pk).update(
        what_happened='<script>alert(1)</script><img src=x onerror="alert(2)">'
    )
    page = as_user(staff["intake-hebei"]).get(reverse("clues:inspect", args=[clue.pk]))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content.decode()
    assert inline_code(page) == []
    assert headers(page)["Content-Security-Policy"] == STRICT_CSP


def test_evidence_download(staff, client, report_page, valid_data):
    _, hidden = report_page()
    data = {**valid_data(region="130203"), **hidden}
    data["evidence"] = [SimpleUploadedFile("p.png", samples.png_with_text())]
    client.post("/report/", data)
    clue = Clue.objects.get()
    item = clue.evidence.get()
    response = as_user(staff["intake-hebei"]).get(
        reverse("clues:evidence", args=[clue.pk, item.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="{clue.tracking_number}-{item.pk}.png"'
    )
    assert response["Content-Type"] == "image/png"
    assert headers(response) == {
        **STAFF_PAGE,
        "Content-Security-Policy": "sandbox; default-src 'none'",
    }
    b"".join(response.streaming_content)
    entry = clue.ledger.get(action=LedgerEntry.Action.EVIDENCE_DOWNLOADED)
    assert entry.actor == staff["intake-hebei"]
    assert entry.note == str(item.pk)


def test_statistics_and_ledger(staff):
    ClueFactory()
    client = as_user(staff["supervisor-hebei"])
    for url in ("/admin/reporting/statistics/", reverse("ledger:index")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert headers(response) == STAFF_PAGE, url
        # The ledger's date filter is a date picker: started by a static script.
        assert inline_code(response) == [], url


def test_ledger_listing_for_a_superuser(admin_client, site_tree):
    response = admin_client.get(reverse("ledger:index"))
    assert response.status_code == 200
    assert 'href="/admin/reporting/ledger/new/"' not in response.content.decode()


def test_admin_date_pickers_start_from_markers_not_inline_scripts(staff):
    response = as_user(staff["supervisor-hebei"]).get(reverse("ledger:index"))
    html = response.content.decode()
    assert 'data-portal-init="initDateChooser" data-portal-target="id_at_0"' in html
    assert "initDateChooser(" not in html
    assert '<script src="/static/js/admin-init.js" defer></script>' in html


def test_page_editor_gets_the_editor_policy_and_its_preview_may_be_framed_here(
    admin_client, site_tree
):
    home = site_tree["home"]
    editor = admin_client.get(reverse("wagtailadmin_pages:edit", args=[home.pk]))
    assert editor.status_code == 200
    assert headers(editor) == {**STAFF_PAGE, "Content-Security-Policy": EDITOR_CSP}

    # As the editor's preview panel does: post the form, then load the page in a frame.
    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=[home.pk])
    form = querydict_from_html(editor.content.decode(), form_id="page-edit-form")
    posted = admin_client.post(preview_url, form)
    assert posted.json() == {"is_valid": True, "is_available": True}
    preview = admin_client.get(preview_url, {"in_preview_panel": "true"})
    assert home.title in preview.content.decode()
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert preview["Content-Security-Policy"] == EDITOR_CSP.replace(
        "frame-ancestors 'none'", "frame-ancestors 'self'"
    )


def test_production_sends_hsts_and_the_same_policies(run_django):
    from tests.portal.test_settings import PRODUCTION_ENV

    code = """
from django.test import Client
response = Client().get(
    "/robots.txt", headers={"host": "portal.example.org", "x-forwarded-proto": "https"}
)
for name in ("Strict-Transport-Security", "Content-Security-Policy", "X-Content-Type-Options",
             "Referrer-Policy", "Permissions-Policy"):
    print(f"{name}: {response.get(name)}")
redirect = Client().get("/robots.txt", headers={"host": "portal.example.org"})
print("plain http:", redirect.status_code, redirect.get("Location"))
"""
    result = run_django(
        "import django; django.setup()\n" + code,
        {**PRODUCTION_ENV, "DATABASE_URL": "sqlite:////tmp/portal-headers-check.sqlite3"},
        settings_module="portal.settings.production",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Strict-Transport-Security: max-age=31536000; includeSubDomains; preload",
        f"Content-Security-Policy: {STRICT_CSP}",
        "X-Content-Type-Options: nosniff",
        "Referrer-Policy: same-origin",
        f"Permissions-Policy: {PERMISSIONS}",
        "plain http: 301 https://portal.example.org/robots.txt",
    ]
