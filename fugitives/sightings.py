"""Sightings: the report form, opened from a wanted notice's "report a sighting" button, is
about that notice (reporting.intake.subjects). Registered from apps.FugitivesConfig.ready()."""

from django.utils.translation import gettext_lazy as _

from reporting.intake import subjects

from .models import NoticePage

PARAMETER = "notice"
# The report form's category for sightings (reporting/data/categories.csv).
CATEGORY = "fugitive"
# Page ids are 64-bit at most: a longer run of digits is no id, and never reaches the
# database (which would refuse a number past its column's range with an error).
MAX_ID_DIGITS = 18

NOT_OPEN = _(
    "The wanted notice named in the link you followed is not open for sightings. "
    "You can report here as usual."
)
FIELDS = {
    "what_happened": {
        "label": _("What did you see?"),
        "help_text": _(
            "What the person looked like and did, who was with them, where they went. "
            "Do not approach or follow them."
        ),
    },
    "when": {"label": _("When did you see this person?")},
    "where": {
        "label": _("Where did you see this person?"),
        "help_text": _("A street, shop, station or village, as exactly as you can."),
    },
}


def resolve(value):
    """The notice a link names, while the person is wanted and the notice live and public."""
    if not (value.isascii() and value.isdigit() and len(value) <= MAX_ID_DIGITS):
        raise subjects.Refused(subjects.UNKNOWN)
    notice = (
        NoticePage.objects.live().public().filter(pk=int(value)).select_related("portrait").first()
    )
    if notice is None:
        raise subjects.Refused(subjects.UNKNOWN)
    if not notice.is_wanted:
        raise subjects.Refused(NOT_OPEN)
    return subjects.Subject(
        page=notice,
        label=notice.title,
        category=CATEGORY,
        image=notice.portrait if not notice.details_withdrawn else None,
        image_alt=notice.portrait_alt,
        fields=FIELDS,
    )


def register():
    subjects.add(PARAMETER, resolve)
