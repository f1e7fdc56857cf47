"""The demo's sighting: a clue about the demo's wanted notice, sent as the notice's "report a
sighting" button sends it after a scan of the notice's printed poster, so staff see the
notice on the clue and the queue's filter, the poster counts it, and the reporter's receipt is
printed with the demo's other receipts."""

from django.conf import settings

from reporting.factories import ClueFactory
from reporting.intake.receipts import (
    format_access_key,
    format_tracking_number,
    hash_access_key,
    new_access_key,
)
from reporting.models import Clue

from .models import NoticePage
from .sightings import CATEGORY

TOKEN = "demo-sighting-0000000000001"  # nosec B105 # noqa: S105  (a form token)
# The demo's wanted notice (demo.NOTICES), in Chinese.
NOTICE_SLUG = "example-2026-01"
# The code of its printed poster in the posters demo (posters/demo.py NOTICE_POSTER).
POSTER_CODE = "TSWNT5"


def load():
    """Create the sighting if missing and give it a new access key; returns the receipt, or
    None when the demo has no wanted notice to be about."""
    clue = Clue.objects.filter(submission_token=TOKEN).first()
    if clue is None:
        notice = (
            NoticePage.objects.live()
            .filter(slug=NOTICE_SLUG, locale__language_code=settings.LANGUAGE_CODE)
            .first()
        )
        if notice is None or not notice.is_wanted:
            return None
        clue = ClueFactory(
            subject=notice,
            category=CATEGORY,
            channel=Clue.Channel.POSTER,
            entry_code=POSTER_CODE,
            region="130203",
            what_happened="（示例，虚构）今天早上七点左右，在汽车站售票厅看见一个很像通缉令上的人，"
            "戴黑色鸭舌帽，左手背有疤，买了去邻县的车票。",
            when=Clue.When.DATE,
            when_start=notice.latest_revision_created_at.date(),
            where="（示例）某县汽车站售票厅",
            submission_token=TOKEN,
        )
    # Like the demo's other receipts, a fresh key each run: only its hash is ever stored.
    key = new_access_key()
    clue.access_key_hash = hash_access_key(key)
    clue.save(update_fields=["access_key_hash"])
    return format_tracking_number(clue.tracking_number), format_access_key(key)
