"""Listings that stop counting. The review queue and the ledger reach millions of rows, and an
exact COUNT(*) reads every one of them (seconds at a million clues, on every page load) for a
figure no reader needs to the unit. Past the cap the listing says "more than" and offers no
further pages: a filter narrows it. Exports are not paged and still hold every row."""

from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from wagtail.admin.paginator import WagtailPaginator

# Fifty pages of twenty: more than anyone pages through by hand.
CAP = 1000


class CappedPaginator(WagtailPaginator):
    cap = CAP

    @cached_property
    def counted(self):
        # Up to cap + 1 rows, in no particular order: the database stops at the first ones
        # it finds, the cheapest way.
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self):
        return min(self.counted, self.cap)

    @cached_property
    def capped(self):
        return self.counted > self.cap

    @cached_property
    def items_count_label(self):
        if not self.capped:
            return super().items_count_label
        return _("More than %(count)s %(items)s") % {
            "count": number_format(self.cap, force_grouping=True),
            "items": self.verbose_name_plural,
        }
