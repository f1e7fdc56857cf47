from django.utils.translation import gettext_lazy as _

from wagtail import blocks


class MilestoneBlock(blocks.StructBlock):
    """A figure an editor copies from a published report, with where it comes from."""

    figure = blocks.CharBlock(
        label=_("figure"),
        max_length=20,
        # "% o" reads as a format directive to gettext; this text is never %-formatted.
        # xgettext: no-python-format
        help_text=_("As it should read, e.g. 85.8% or 5,100."),
    )
    label = blocks.CharBlock(label=_("what it counts"), max_length=120)
    source = blocks.CharBlock(
        label=_("source"),
        max_length=200,
        required=False,
        help_text=_("The report or notice the figure is taken from, and its date."),
    )

    class Meta:
        icon = "table"
        label = _("milestone figure")
        template = "transparency/blocks/milestone.html"
