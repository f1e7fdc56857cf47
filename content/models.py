import re

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.images.models import AbstractImage, AbstractRendition, Image
from wagtail.models import Orderable, Page
from wagtail.search import index

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import Tag, TaggedItemBase

from portal.restrictions import PortalPage, portal_pages
from search.fields import segmented

from .blocks import PageBody, StoryBody


class PortalImage(AbstractImage):
    """The site's image model, swapped in from the first migration so that fields such as a
    photo credit or a consent note for people shown in hero stories can be added later."""

    admin_form_fields = Image.admin_form_fields

    class Meta(AbstractImage.Meta):
        verbose_name = _("image")
        verbose_name_plural = _("images")


class PortalRendition(AbstractRendition):
    image = models.ForeignKey(PortalImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)


class HomePage(PortalPage):
    lead = models.TextField(
        _("lead message"),
        max_length=500,
        blank=True,
        validators=[MaxLengthValidator(500)],
        help_text=_("One or two sentences shown large at the top of the home page."),
    )
    body = RichTextField(
        _("body"), blank=True, features=["h2", "h3", "bold", "italic", "link", "ol", "ul"]
    )

    law_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("the law to feature"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    news_index = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("latest news from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The three newest articles of this news index are shown."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("lead"),
        FieldPanel("body"),
        PageChooserPanel("law_page", page_type="law.LawPage"),
        PageChooserPanel("news_index", page_type="content.NewsIndexPage"),
        InlinePanel("featured_stories", heading=_("Featured hero stories"), max_num=3),
    ]
    search_fields = segmented(
        *Page.search_fields, index.SearchField("lead"), index.SearchField("body")
    )

    # One home page per language, each directly under the tree's root.
    parent_page_types = ["wagtailcore.Page"]
    template = "content/home_page.html"

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Read only when the template renders them: the sections are kept in a `{% cache %}`
        # until the content changes, and a render that finds them there reads nothing.
        context.update(
            featured_stories=SimpleLazyObject(self._featured_stories),
            latest_news=SimpleLazyObject(self._latest_news),
            law=SimpleLazyObject(self._law),
        )
        return context

    def _featured_stories(self):
        # In the order the editor set; only stories a reader may open.
        chosen = [item.story_id for item in self.featured_stories.all()]
        readable = {
            story.pk: story
            for story in StoryPage.objects.live()
            .public()
            .filter(pk__in=chosen)
            .select_related("portrait")
            .prefetch_related("portrait__renditions")
        }
        return [readable[pk] for pk in chosen if pk in readable]

    def _latest_news(self):
        if not self.news_index_id:
            return []
        news = NewsPage.objects.child_of(self.news_index).live().public()
        return list(news.order_by("-date", "-pk")[:3])

    def _law(self):
        if not self.law_page_id:
            return None
        return portal_pages().live().public().filter(pk=self.law_page_id).specific().first()


def paginate(request, queryset, per_page):
    """A page of the listing; a missing, non-numeric or too large ?page= gives a valid page
    instead of an error, because such links get shared and truncated."""
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


class StoryTag(TaggedItemBase):
    content_object = ParentalKey(
        "content.StoryPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class StoryIndexPage(PortalPage):
    intro = models.TextField(_("introduction"), blank=True, max_length=500)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["content.HomePage"]
    subpage_types = ["content.StoryPage"]
    template = "content/story_index_page.html"
    per_page = 12

    class Meta:
        verbose_name = _("hero stories index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        stories = (
            StoryPage.objects.child_of(self)
            .live()
            .public()
            .select_related("portrait")
            .prefetch_related("portrait__renditions", "tags")
            .order_by("-date", "-pk")
        )
        chosen = {key: request.GET.get(key, "")[:100] for key in ("tag", "region", "year")}
        if chosen["tag"]:
            stories = stories.filter(tags__name=chosen["tag"])
        if chosen["region"]:
            stories = stories.filter(region=chosen["region"])
        # Four ASCII digits only: "²" is a digit to Python and year 0 is out of range.
        if re.fullmatch(r"[12][0-9]{3}", chosen["year"]):
            stories = stories.filter(date__year=int(chosen["year"]))
        else:
            chosen["year"] = ""
        everything = StoryPage.objects.child_of(self).live().public()
        context.update(
            stories=paginate(request, stories.distinct(), self.per_page),
            chosen=chosen,
            regions=everything.exclude(region="")
            .values_list("region", flat=True)
            .order_by("region")
            .distinct(),
            years=[day.year for day in everything.dates("date", "year", order="DESC")],
            tags=Tag.objects.filter(content_storytag_items__content_object__in=everything)
            .distinct()
            .order_by("name"),
        )
        return context


class StoryPage(PortalPage):
    person = models.CharField(_("name of the person"), max_length=100)
    unit = models.CharField(_("unit or occupation"), max_length=150, blank=True)
    honours = models.CharField(_("honours"), max_length=300, blank=True)
    date = models.DateField(_("date"))
    region = models.CharField(
        _("region"), max_length=60, blank=True, help_text=_("For example 河北省 or 唐山市.")
    )
    summary = models.TextField(_("summary"), max_length=300, blank=True)
    portrait = models.ForeignKey(
        "content.PortalImage",
        verbose_name=_("portrait"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    portrait_alt = models.CharField(
        _("portrait text alternative"),
        max_length=200,
        blank=True,
        help_text=_("What the portrait shows, for people who cannot see it."),
    )
    body = StreamField(StoryBody(), verbose_name=_("story"), blank=True)
    tags = ClusterTaggableManager(through=StoryTag, blank=True, verbose_name=_("tags"))

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("person"),
                FieldPanel("unit"),
                FieldPanel("honours"),
                FieldPanel("date"),
                FieldPanel("region"),
            ],
            heading=_("The person"),
        ),
        FieldPanel("summary"),
        FieldPanel("portrait"),
        FieldPanel("portrait_alt"),
        FieldPanel("body"),
        FieldPanel("tags"),
    ]
    search_fields = segmented(
        *Page.search_fields,
        index.SearchField("person"),
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("date"),
    )
    parent_page_types = ["content.StoryIndexPage"]
    subpage_types = []
    template = "content/story_page.html"

    class Meta:
        verbose_name = _("hero story")
        verbose_name_plural = _("hero stories")

    def clean(self):
        super().clean()
        if self.portrait_id and not self.portrait_alt.strip():
            raise ValidationError(
                {"portrait_alt": _("Describe the portrait for people who cannot see it.")}
            )


class NewsIndexPage(RoutablePageMixin, PortalPage):
    intro = models.TextField(_("introduction"), blank=True, max_length=500)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["content.HomePage"]
    subpage_types = ["content.NewsPage"]
    template = "content/news_index_page.html"
    per_page = 15

    class Meta:
        verbose_name = _("news index")

    def items(self):
        return NewsPage.objects.child_of(self).live().public().order_by("-date", "-pk")

    @path("")
    def listing(self, request):
        items = self.items()
        kind = request.GET.get("kind", "")
        if kind in NewsPage.Kind.values:
            items = items.filter(kind=kind)
        else:
            kind = ""
        return self.render(
            request,
            context_overrides={
                "items": paginate(request, items, self.per_page),
                "kinds": NewsPage.Kind.choices,
                "kind": kind,
            },
        )

    @path("feed/rss/")
    def rss(self, request):
        from .feeds import NewsFeed

        return NewsFeed(self)(request)

    @path("feed/atom/")
    def atom(self, request):
        from .feeds import NewsAtomFeed

        return NewsAtomFeed(self)(request)


class NewsPage(PortalPage):
    class Kind(models.TextChoices):
        CAMPAIGN = "campaign", _("campaign")
        LAW = "law", _("law publicity")
        CASE = "case", _("case bulletin")

    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CAMPAIGN)
    summary = models.TextField(_("summary"), max_length=300)
    # 正文 (body), not 条文 (the text of a law), which is what "text" says in Chinese.
    body = StreamField(StoryBody(), verbose_name=_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("kind"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = segmented(
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("date"),
    )
    parent_page_types = ["content.NewsIndexPage"]
    subpage_types = []
    template = "content/news_page.html"

    class Meta:
        verbose_name = _("news article")
        verbose_name_plural = _("news articles")


class StandardPage(PortalPage):
    """About, the privacy notice, the reporting guide: text, quotes, pictures and FAQs."""

    intro = models.TextField(_("introduction"), blank=True, max_length=500)
    body = StreamField(PageBody(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = segmented(
        *Page.search_fields, index.SearchField("intro"), index.SearchField("body")
    )
    parent_page_types = ["content.HomePage", "content.StandardPage"]
    template = "content/standard_page.html"

    class Meta:
        verbose_name = _("standard page")


class HomeFeaturedStory(Orderable):
    home = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_stories")
    story = models.ForeignKey(
        "content.StoryPage", verbose_name=_("story"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("story")]
