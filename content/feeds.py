"""RSS and Atom feeds of a news index. Links are built from PORTAL_BASE_URL, never from the
request's Host header, so a forged header cannot put another site's address in a feed."""

from datetime import datetime, time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

LATEST = 30


def absolute(url):
    """On the configured origin, whether Wagtail gave a path or (with several sites) a full
    URL: only its path is kept."""
    return (
        settings.PORTAL_BASE_URL.rstrip("/")
        + urlsplit(url)._replace(scheme="", netloc="").geturl()
    )


class NewsFeed(Feed):
    def __init__(self, index):
        super().__init__()
        self.index = index

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def title(self):
        return self.index.title

    def link(self):
        return absolute(self.index.get_url(self.request))

    def description(self):
        return self.index.intro or self.index.title

    def feed_url(self):
        return absolute(self.request.path)

    def items(self):
        return self.index.items()[:LATEST]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return absolute(item.get_url(self.request))

    def item_pubdate(self, item):
        return timezone.make_aware(datetime.combine(item.date, time(8)))

    def item_updateddate(self, item):
        return item.last_published_at or self.item_pubdate(item)

    def item_categories(self, item):
        return [item.get_kind_display()]


class NewsAtomFeed(NewsFeed):
    feed_type = Atom1Feed

    def subtitle(self):
        return self.description()
