from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import timezone, translation

from wagtail.models import Page, Site

from portal import formrenderer, seo
from portal.pagecache import kept
from portal.restrictions import portal_pages

register = template.Library()

HTML_LANG = seo.HREFLANG


@register.simple_tag
def html_lang(language_code):
    return HTML_LANG.get(language_code, language_code)


def _home_url(language_code):
    with translation.override(language_code):
        return reverse("wagtail_serve", args=[""])


@register.inclusion_tag("components/language_switch.html", takes_context=True)
def language_switch(context):
    """Links to this same content in each language: a page's translation when it has one,
    otherwise the same route in the other language, otherwise that language's home page."""
    request = context["request"]
    page = context.get("page")
    current = translation.get_language()
    translations = seo.live_translations(page) if isinstance(page, Page) else {}
    suffix = _route_suffix(page, request) if isinstance(page, Page) else ""

    links = []
    for code, name in settings.LANGUAGES:
        if isinstance(page, Page):
            other = translations.get(code)
            other_url = seo.page_url(other, request) if other else None
            url = other_url + suffix if other_url else _home_url(code)
        else:
            # A view whose page is kept for several URLs names the one to translate.
            path = context.get("language_switch_path") or request.get_full_path()
            url = translate_url(path, code)
        links.append(
            {
                "code": code,
                "lang": HTML_LANG.get(code, code),
                "name": name,
                "url": url,
                "current": code == current,
            }
        )
    return {"links": links}


def _route_suffix(page, request):
    """The part of the path after the page's own URL: a route inside a page (an article of a
    law), which the same page in another language has too."""
    own = seo.page_url(page, request)
    return request.path[len(own) :] if own and request.path.startswith(own) else ""


@register.inclusion_tag("components/page_meta.html", takes_context=True)
def page_meta(context):
    """Description, canonical URL, hreflang alternates and Open Graph for the head. For a page
    these use its live translations, the query the language switch then reuses."""
    request = context.get("request")
    page = context.get("page")
    language = translation.get_language()
    meta = {
        "description": "",
        "title": "",
        "type": "website",
        "og_locale": seo.OG_LOCALE.get(language, language),
        "og_alternate_locales": [
            seo.OG_LOCALE.get(code, code) for code, _name in settings.LANGUAGES if code != language
        ],
    }
    if not isinstance(page, Page) or request is None:
        return meta
    suffix = _route_suffix(page, request)

    def url_for(other):
        path = seo.page_path(other, request)
        return seo.absolute(path + suffix) if path else None

    site = Site.find_for_request(request)
    is_home = site is not None and page.translation_key == site.root_page.translation_key
    meta.update(
        description=page.search_description,
        title=page.seo_title or page.title,
        type="website" if is_home and not suffix else "article",
        canonical=url_for(page),
        alternates=seo.alternates(seo.live_translations(page), url_for),
    )
    return meta


@register.simple_tag(takes_context=True)
def site_footer(context):
    """The hotline, the operator and registration numbers, and the footer links of the
    request's site, in the current language:
    built once per site and language until an editor changes a setting or a page
    (portal.pagecache.kept.until_content_changes), so a page costs no query for its footer."""
    request = context.get("request")
    if request is None:
        return {"hotline": "", "items": []}  # the template hides every empty line
    return kept.until_content_changes(
        ("site_footer", request.get_host(), request.get_port()),
        lambda: _site_footer(request),
    )


def _site_footer(request):
    from portal.models import MIIT_REGISTRATION_URL, PortalSettings

    portal_settings = PortalSettings.for_request(request)
    language = translation.get_language()
    return {
        "hotline": portal_settings.hotline,
        "items": footer_links(request, portal_settings),
        "operator": portal_settings.operator(language),
        "address": portal_settings.address(language),
        "icp_number": portal_settings.icp_number,
        "icp_url": MIIT_REGISTRATION_URL,
        "public_security_number": portal_settings.public_security_number,
        "public_security_url": portal_settings.public_security_url,
    }


def footer_links(request, portal_settings):
    """The site's footer links in the current language: one query for the links, and one
    for their pages' translations when any is in the other language."""
    language = translation.get_language()
    links = list(portal_settings.footer_links.select_related("link_page__locale"))
    other_language = {
        link.link_page.translation_key
        for link in links
        if link.link_page and link.link_page.locale.language_code != language
    }
    translated = {}
    if other_language:
        translated = {
            page.translation_key: page
            for page in portal_pages()
            .live()
            .public()
            .filter(translation_key__in=other_language, locale__language_code=language)
        }
    items = []
    for link in links:
        url = link.link_url
        if link.link_page:
            page = translated.get(link.link_page.translation_key, link.link_page)
            url = page.get_url(request) if page.live else None
        if url:
            items.append({"title": link.title(language), "url": url})
    return items


@register.simple_tag
def field(bound_field, descriptions=None):
    """components/field.html, written in Python (portal.formrenderer.field_html)."""
    kept = getattr(bound_field.form, "field_markup", None)
    if kept is not None:
        return kept(bound_field, descriptions)
    return formrenderer.field_html(bound_field, descriptions)


# A label's own closing punctuation, dropped before the summary adds the language's colon:
# "What happened?: ..." and "发生了什么？：..." read as doubled punctuation, as does a
# checkbox's sentence ("我已阅读上述须知，并如实举报。：...").
LABEL_END = " ?？:：.。!！"


@register.simple_tag
def error_summary_entry(bound_field):
    """One line of a form's error summary: the field's label and its first error, joined by
    the language's own colon (the catalogue's "%(label)s：%(error)s" in Chinese)."""
    return translation.pgettext("error summary", "%(label)s: %(error)s") % {
        "label": str(bound_field.label).rstrip(LABEL_END),
        "error": bound_field.errors[0],
    }


@register.filter
def datetime_attribute(value):
    """A `<time datetime>` value: local time to the second with its offset. The `c` format
    adds microseconds, which HTML's date and time syntax does not allow."""
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0).isoformat()


@register.filter
def lookup(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def report_url(context):
    """The report form's URL, carrying on the poster code a reader arrived with (?entry=),
    so a clue sent after reading the page a poster led to is still counted for it. Only
    the URL carries it: nothing is stored in the browser."""
    url = reverse("reporting:report")
    request = context.get("request")
    entry = request.GET.get("entry", "") if request is not None else ""
    if entry and len(entry) <= 20 and entry.isascii() and entry.isalnum():
        return f"{url}?{urlencode({'entry': entry})}"
    return url


def _preview(context):
    return getattr(context.get("request"), "is_preview", False)


@register.simple_tag(takes_context=True)
def kept_parts(context):
    """For `{% cache kept.seconds "name" kept.version ... using=kept.cache %}` around parts
    that only publishing changes: portal.pagecache.kept.template_fragments."""
    return kept.template_fragments(preview=_preview(context))


@register.inclusion_tag("components/main_menu.html", takes_context=True)
def main_menu(context):
    """The home page's children marked "show in menus", in the current language: built once
    per site and language until pages change (portal.pagecache.kept.until_content_changes)."""
    request = context.get("request")
    if request is None:
        return {"items": []}
    entries = kept.until_content_changes(
        ("main_menu", request.get_host(), request.get_port()), lambda: _menu_entries(request)
    )
    current = context.get("page")
    current_pk = current.pk if isinstance(current, Page) else None
    return {
        "items": [
            {"title": title, "url": url, "current": pk == current_pk} for pk, title, url in entries
        ]
    }


def _menu_entries(request):
    site = Site.find_for_request(request)
    if site is None:
        return []
    language = translation.get_language()
    home = (
        Page.objects.filter(translation_key=site.root_page.translation_key)
        .filter(locale__language_code=language)
        .first()
    ) or site.root_page
    if home.is_leaf():
        return []
    items = portal_pages().child_of(home).live().in_menu().public().specific(defer=True)
    # A page with a short title (a law) uses it: the menu must fit a phone.
    return [
        (item.pk, getattr(item, "short_title", "") or item.title, item.get_url(request))
        for item in items
    ]


@register.simple_tag(takes_context=True)
def page_query(context, number):
    """This listing's query string (its filters) with another page number, encoded."""
    query = context["request"].GET.copy()
    query["page"] = number
    return query.urlencode()
