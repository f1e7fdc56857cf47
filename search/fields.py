"""How a page model makes its text findable in Chinese: one line in the model.

    from search.fields import segmented

    class StoryPage(Page):
        ...
        search_fields = segmented(*Page.search_fields, index.SearchField("body"))

``segmented`` swaps every ``index.SearchField`` for a ``SegmentedSearchField`` of the same
name and boost. Wagtail's database backends put the field named "title" in the index's title
column and the others in its body column, exactly as before; only the text they receive is
cut into words first (see search/segment.py). Page's own title field is kept beside its
segmented twin: Wagtail's system check (wagtailsearch.W001) looks for that very object, and
the admin's search for a whole title keeps working. Autocomplete and filter fields are left
as they are.

The untouched text of the same fields gives the results' snippets (``plain_text``), so a page
type needs nothing else to show them.
"""

from wagtail.search import index

from .segment import index_text


def _as_text(value):
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ".join(_as_text(item) for item in value)
    if isinstance(value, dict):
        return " ".join(_as_text(item) for item in value.values())
    return str(value)


class SegmentedSearchField(index.SearchField):
    """A search field whose indexed value is the field's text cut into words."""

    def raw_text(self, obj):
        """The field's searchable text before segmentation (rich text without its markup)."""
        return _as_text(super().get_value(obj))

    def get_value(self, obj):
        return index_text(self.raw_text(obj))


def segmented(*fields):
    """The given search fields, with each SearchField segmented for Chinese."""
    result = []
    for field in fields:
        if type(field) is index.SearchField:
            if field.field_name == "title":
                result.append(field)
            field = SegmentedSearchField(field.field_name, boost=field.boost, **field.kwargs)
        result.append(field)
    return result


def plain_text(page, include_title=False):
    """The page's searchable text as written (for snippets), or "" if it is not segmented."""
    parts = []
    for field in type(page).get_search_fields():
        if isinstance(field, SegmentedSearchField):
            if field.field_name == "title" and not include_title:
                continue
            parts.append(field.raw_text(page))
    return " ".join(part for part in parts if part.strip())
