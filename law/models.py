"""A law as a Wagtail page holding its structure: chapters, optional sections and articles.
The structure lives in child rows of the page (modelcluster), so it is versioned with the
page's revisions, moderated with it, and copied with it into a translation."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import (
    FieldPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from modelcluster.fields import ParentalKey

from portal.pagecache.kept import SharedUntilContentChanges
from portal.restrictions import PortalPage
from search.fields import segmented

from . import structure
from .citations import citation, law_citation
from .parser import HEADING_MAX_LENGTH, NOTE_MAX_LENGTH


class LawPage(RoutablePageMixin, PortalPage):
    class Status(models.TextChoices):
        IN_FORCE = "in_force", _("in force")
        AMENDED = "amended", _("amended")
        REPEALED = "repealed", _("repealed")

    short_title = models.CharField(
        _("short title"),
        max_length=60,
        blank=True,
        help_text=_("Used in citations, e.g. 反有组织犯罪法. The page title is the full title."),
    )
    promulgated_by = models.CharField(_("promulgating body"), max_length=120, blank=True)
    adoption_note = models.CharField(
        _("adoption note"),
        max_length=NOTE_MAX_LENGTH,
        blank=True,
        help_text=_("The note under the title, as the official text gives it."),
    )
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    in_force_on = models.DateField(_("in force from"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.IN_FORCE
    )
    text_as_of = models.DateField(
        _("text current as of"),
        null=True,
        blank=True,
        help_text=_("Shown in a banner: the date up to which amendments are included."),
    )
    intro = RichTextField(
        _("introduction"), blank=True, features=["bold", "italic", "link", "ol", "ul"]
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("short_title"),
        MultiFieldPanel(
            [
                FieldPanel("promulgated_by"),
                FieldPanel("adoption_note"),
                FieldPanel("adopted_on"),
                FieldPanel("in_force_on"),
                FieldPanel("status"),
                FieldPanel("text_as_of"),
            ],
            heading=_("Status and dates"),
        ),
        FieldPanel("intro"),
        InlinePanel("versions", heading=_("Version history"), label=_("version")),
    ]
    structure_panels = [
        InlinePanel("chapters", heading=_("Chapters"), label=_("chapter")),
        InlinePanel("sections", heading=_("Sections"), label=_("section")),
        InlinePanel("articles", heading=_("Articles"), label=_("article")),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(structure_panels, heading=_("Text of the law")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )
    search_fields = segmented(
        *Page.search_fields,
        index.SearchField("short_title"),
        index.SearchField("intro"),
        index.SearchField("searchable_text"),
    )

    template = "law/law_page.html"
    parent_page_types = ["content.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("law")
        verbose_name_plural = _("laws")

    def cite(self, cited):
        """《反有组织犯罪法》第五十条; Anti-Organized Crime Law, Article 50."""
        return law_citation(structure.law_name(self), cited)

    def searchable_text(self):
        return "\n".join(article.text for article in self.articles.all())

    def outline(self):
        """Chapters with their sections and articles, from three queries."""
        return structure.outline(self)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Read only when the template renders them: the text is kept in a `{% cache %}` until
        # the content changes, and a render that finds it there reads nothing.
        context["chapters"] = SimpleLazyObject(self.outline)
        return context

    def article_numbers(self, request):
        """The numbers of this law's articles, in order, kept until the content changes (not
        for a preview, which shows a draft)."""

        def read():
            return tuple(self.articles.order_by("number").values_list("number", flat=True))

        if getattr(request, "is_preview", False):
            return read()
        return SharedUntilContentChanges("law-article-numbers", self.pk).get_or_build(read)

    @path("")
    def full_text(self, request):
        return self.render(request)

    @path("print/")
    def print_view(self, request):
        return self.render(request, template="law/law_print.html")

    @path("article-<int:number>/")
    def article_view(self, request, number):
        numbers = self.article_numbers(request)
        if number not in numbers:
            raise Http404
        known = frozenset(numbers)

        def article():
            found = self.articles.filter(number=number).first()
            if found is None:
                raise Http404
            return structure.rendered_article(self, found, known, on_own_page=True)

        # The article and its chapter are read only when the template renders them: the
        # text is kept in a `{% cache %}` until the content changes.
        article = SimpleLazyObject(article)
        context = super().get_context(request)
        context.update(
            article=article,
            article_number=number,
            article_citation=self.cite(citation(number)),
            article_label=structure.label("条", number),
            previous=number - 1 if number - 1 in known else None,
            next=number + 1 if number + 1 in known else None,
            chapter=SimpleLazyObject(lambda: structure.chapter_of(self, article.chapter_number)),
        )
        return TemplateResponse(request, "law/law_article.html", context)


class LawVersion(Orderable):
    page = ParentalKey(LawPage, on_delete=models.CASCADE, related_name="versions")
    date = models.DateField(_("date"))
    description = models.CharField(_("what changed"), max_length=300)

    panels = [FieldPanel("date"), FieldPanel("description")]

    class Meta(Orderable.Meta):
        verbose_name = _("version")


class LawChapter(Orderable):
    page = ParentalKey(LawPage, on_delete=models.CASCADE, related_name="chapters")
    number = models.PositiveSmallIntegerField(_("number"), validators=[MaxValueValidator(999)])
    title = models.CharField(_("title"), max_length=HEADING_MAX_LENGTH)

    panels = [FieldPanel("number"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = _("chapter")


class LawSection(Orderable):
    page = ParentalKey(LawPage, on_delete=models.CASCADE, related_name="sections")
    chapter_number = models.PositiveSmallIntegerField(_("chapter"))
    number = models.PositiveSmallIntegerField(
        _("number"), validators=[MinValueValidator(1), MaxValueValidator(999)]
    )
    title = models.CharField(_("title"), max_length=HEADING_MAX_LENGTH)

    panels = [FieldPanel("chapter_number"), FieldPanel("number"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = _("section")


class LawArticle(Orderable):
    page = ParentalKey(LawPage, on_delete=models.CASCADE, related_name="articles")
    number = models.PositiveSmallIntegerField(
        _("number"), validators=[MinValueValidator(1), MaxValueValidator(9999)]
    )
    chapter_number = models.PositiveSmallIntegerField(_("chapter"))
    section_number = models.PositiveSmallIntegerField(
        _("section"), default=0, help_text=_("0 when the chapter has no sections.")
    )
    text = models.TextField(
        _("text"),
        blank=True,
        help_text=_(
            "One paragraph (款) per line; items (项) on their own lines starting with （一）. "
            "Empty: the article's text is not on this site yet."
        ),
    )

    panels = [
        FieldPanel("number"),
        FieldPanel("chapter_number"),
        FieldPanel("section_number"),
        FieldPanel("text"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("article")

    def clean(self):
        if self.number < 1:
            raise ValidationError({"number": _("Articles are numbered from 1.")})
