"""Posters of wanted notices: an entry point that opens the notice page itself (the reader
sees the notice, then its "report a sighting" button, which carries the poster's code on to
the report form), and the rule of when such a poster may be printed.

A poster carries the person's photo and identity only while the person is wanted and the
notice whole: for any other notice printing is refused (NotPrintable), while codes already
on walls keep working (services.destination opens the notice page, which then says the
notice is no longer in force)."""

from django.utils.translation import gettext as _

from fugitives.models import NoticePage

from .models import EntryPoint
from .services import _save_with_fresh_code


class NotPrintable(Exception):
    """Why this notice gets no poster now; the message is shown to the person asking."""


def notice_of(entry_point):
    """The wanted notice an entry point opens, or None (any other entry point, or a notice
    since deleted)."""
    if entry_point is None or entry_point.target != EntryPoint.Target.PAGE:
        return None
    if not entry_point.page_id:
        return None
    return NoticePage.objects.filter(pk=entry_point.page_id).first()


def check_printable(notice):
    """Raise NotPrintable unless the notice may be printed with the person's details."""
    if notice.details_withdrawn or not notice.is_wanted:
        raise NotPrintable(
            _(
                "This notice is no longer in force (%(status)s): its poster is not printed "
                "any more, so the person's photo and identity stay off the walls. Posters "
                "already hung keep working: their code opens the notice page, which says so."
            )
            % {"status": notice.get_status_display()}
        )
    if not notice.live:
        raise NotPrintable(_("Publish the notice first: the poster's code opens its page."))
    if not notice.portrait_id:
        raise NotPrintable(_("The notice has no portrait to print."))


def create_entry_point(notice, *, location, name="", campaign=None):
    """A new entry point (one per printed poster) that opens the notice page."""
    check_printable(notice)
    entry_point = EntryPoint(
        name=(name or notice.person or notice.title)[:100],
        location=location,
        campaign=campaign,
        target=EntryPoint.Target.PAGE,
        page=notice,
    )
    return _save_with_fresh_code(entry_point)


def entry_points_of(notice):
    return EntryPoint.objects.filter(
        target=EntryPoint.Target.PAGE, page_id=notice.pk
    ).select_related("campaign")
