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
    out is not split. The cell also holds the row's tick box for the bulk actions, part of
    the form above the table (by its `form` attribute): the table keeps its columns."""

    cell_template_name = "reporting/admin/number_cell.html"

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


class ClusterColumn(Column):
    """The repeat cluster a clue is in: its lead's number, grouped as on the receipt, and how
    many of its clues this person may see, as a link to the queue of that cluster. The view
    reads those for the whole page in one query (ClueIndexView.get_table) and leaves them on
    each row as `cluster_summary`; a clue in no cluster shows a dash."""

    cell_template_name = "reporting/admin/cluster_cell.html"

    def get_value(self, instance):
        # The id only: reading instance.cluster would load the lead, one query per row.
        return instance.cluster_id

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["cluster"] = getattr(instance, "cluster_summary", None)
        return context


class ProtectionColumn(Column):
    """An open request for protection, to those who handle it: a link to its page, marked
    overdue past its deadline. The view sets `protection_marker` on each row
    (ClueIndexView.mark_protection); others never get this column."""

    cell_template_name = "reporting/admin/protection_cell.html"

    def get_value(self, instance):
        return getattr(instance, "protection_marker", None)

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["marker"] = getattr(instance, "protection_marker", None)
        return context
