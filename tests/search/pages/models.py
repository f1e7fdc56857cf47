from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from search.fields import segmented


class ArticlePage(Page):
    """A page as later page types (law articles, stories, news) will have it: a title and a
    rich-text body, made searchable with the one line those types will use."""

    body = RichTextField(blank=True)

    search_fields = segmented(*Page.search_fields, index.SearchField("body"))
