"""The retention period as people read it, from CLUE_RETENTION_DAYS: privacy texts show the
period the purge really applies, never a number typed by an editor that could fall behind."""

from django import template
from django.conf import settings
from django.utils.translation import ngettext

register = template.Library()


@register.simple_tag
def retention_period():
    days = settings.CLUE_RETENTION_DAYS
    return ngettext("%(days)s day", "%(days)s days", days) % {"days": days}
