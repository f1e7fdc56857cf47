"""RSS and Atom feeds of a wanted-notices index: notices whose details are withdrawn leave
the feed with them. Links are built from PORTAL_BASE_URL, as the news feeds' are."""

from datetime import datetime, time

from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from content.feeds import LATEST, NewsFeed


class NoticeFeed(NewsFeed):
    def items(self):
        return self.index.notices().filter(details_withdrawn_at=None)[:LATEST]

    def item_title(self, item):
        if item.is_wanted:
            return item.title
        return _("%(title)s (%(status)s)") % {
            "title": item.title,
            "status": item.get_status_display(),
        }

    def item_description(self, item):
        return " · ".join(
            part for part in (item.offence, item.region, item.issuing_authority) if part
        )

    def item_pubdate(self, item):
        return timezone.make_aware(datetime.combine(item.issued_on, time(8)))

    def item_categories(self, item):
        return [item.get_status_display()]


class NoticeAtomFeed(NoticeFeed):
    feed_type = Atom1Feed

    def subtitle(self):
        return self.description()
