"""Columns of the clue queue that read as the reporter's receipt and in the reader's language,
where Wagtail's own would not."""

from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn

from reporting.intake.receipts import format_tracking_number

# Shown at every width: the queue is worked through by number and status, on a phone too.
# The other columns give way below the width at which they fit (static/css/admin-clues.css).
WIDE_ONLY = "clue-queue__wide"


class TrackingNumberColumn(TitleColumn):
    """The number grouped as the receipt prints it (5733 5828 5034): what a reporter reads
    out on the phone is what staff find on the screen. Kept on one line, as a number read
    out is not split."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("classname", "clue-queue__number")
        super().__init__(*args, **kwargs)

    def get_value(self, instance):
        return format_tracking_number(instance.tracking_number)


class KeyClueColumn(Column):
    """A key clue is tagged in words; any other clue gets a neutral dash, not Wagtail's red
    cross (which reads as an error) nor its untranslated "True"/"False" for screen readers."""

    cell_template_name = "reporting/admin/key_clue_cell.html"


class YesNoColumn(BooleanColumn):
    """Wagtail's tick and cross, read out as "yes" and "no" in the reader's language: its own
    column gives screen readers the untranslated "True" and "False"."""

    cell_template_name = "reporting/admin/yes_no_cell.html"


class SelectColumn(Column):
    """A tick box per row, for the bulk actions: part of the form above the table (by its
    `form` attribute), so the queue's own markup and its filtering are left as they are."""

    cell_template_name = "reporting/admin/select_cell.html"
    header_template_name = "reporting/admin/select_header.html"

    def __init__(self, name="select", **kwargs):
        kwargs.setdefault("label", "")
        kwargs.setdefault("width", "1%")
        super().__init__(name, accessor="pk", **kwargs)

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["number"] = format_tracking_number(instance.tracking_number)
        return context
