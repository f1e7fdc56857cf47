"""What a report is about, named by a link to the report form: another app's page (a wanted
notice, for one) that the form shows and the clue keeps (Clue.subject). Reporting resolves
such links without importing those apps.

An app registers a resolver for a query parameter from its AppConfig.ready():

    subjects.add("notice", resolve)

`resolve(value)` gets the parameter's value as the link (or the form's hidden field) gives
it, a string of at most MAX_VALUE_LENGTH printable characters, and returns a Subject, or
raises Refused with a short sentence for the reporter ("this notice is not open for
sightings"). Anything a link can hold reaches it: it must refuse what it does not know,
never fail. It is asked again when the form is sent, so a subject is never taken from what
the browser sends without being checked anew."""

from dataclasses import dataclass, field, replace

from django.utils.translation import gettext_lazy as _

MAX_VALUE_LENGTH = 40


class Refused(Exception):
    """The value names no subject a report may be about; str(error) says so to the
    reporter."""


@dataclass(frozen=True)
class Subject:
    # The page the clue keeps (any Wagtail page); its pk is what the form carries.
    page: object
    # What the form calls it ("Wanted notice: 张三").
    label: str
    # The slug of the category the form preselects, or "" for none.
    category: str = ""
    # A small picture for the form (a Wagtail image, or None) and its text alternative.
    image: object = None
    image_alt: str = ""
    # Labels and help texts of the form's fields that read better for this subject:
    # {field name: {"label": ..., "help_text": ...}}.
    fields: dict = field(default_factory=dict)
    # Set by resolve(): the form's hidden value that names this subject again.
    key: str = ""


_resolvers = {}
# For a value no resolver could read; a resolver may say more.
UNKNOWN = _("The page named in the link you followed is unknown. You can report here as usual.")


def add(parameter, resolve):
    """Let links name a subject with ?<parameter>=<value>; registering again replaces."""
    _resolvers[parameter] = resolve


def _printable(value):
    return (
        isinstance(value, str)
        and 0 < len(value) <= MAX_VALUE_LENGTH
        and value.isprintable()
        and ":" not in value
    )


def resolve(parameter, value):
    """The Subject `value` names for `parameter`; raises Refused."""
    resolver = _resolvers.get(parameter)
    if resolver is None or not _printable(value):
        raise Refused(UNKNOWN)
    return replace(resolver(value), key=f"{parameter}:{value}")


def key_of(query, ignore=()):
    """The form's value for the first registered parameter a link's query string holds, or
    "". `ignore`: parameters whose value means something else there (the retired poster's
    ?notice=poster)."""
    for parameter in _resolvers:
        if parameter not in ignore and parameter in query:
            return f"{parameter}:{query.get(parameter, '')[: MAX_VALUE_LENGTH + 1]}"
    return ""


def from_key(key):
    """(Subject or None, a note for the reporter or "") of the form's value, checked anew."""
    if not key:
        return None, ""
    parameter, _sep, value = key.partition(":")
    try:
        return resolve(parameter, value), ""
    except Refused as refusal:
        return None, str(refusal) or str(UNKNOWN)
