"""Wanted notices (通缉令, 悬赏通告) as Wagtail pages, and the list that holds them.

A notice names a person: once the person is no longer wanted, the notice says so, drops the
reward and the sighting link, and after FUGITIVE_DETAILS_WITHDRAWAL_DAYS loses its photos and
identity details (services.withdraw_details), which stay only in the page's revisions."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from modelcluster.fields import ParentalKey

from portal.restrictions import PortalPage
from search.fields import segmented

# Above this a reward is a typing error (a few zeros too many), not a policy: rewards offered
# publicly for one fugitive stay well below it.
MAX_REWARD_YUAN = 5_000_000
IDENTITY_NUMBER = RegexValidator(
    r"^(?:[0-9]{17}[0-9Xx]|[0-9]{15})$",
    _("An identity number has 18 characters (digits, the last may be X) or 15 digits."),
)


def masked_identity(number):
    """The first six characters (the place of registration) and the last one: enough for a
    reader who knows the person to recognise the notice, not enough to reuse the number."""
    if not number:
        return ""
    return number[:6] + "*" * (len(number) - 7) + number[-1]


class NoticeIndexPage(RoutablePageMixin, PortalPage):
    intro = models.TextField(_("introduction"), blank=True, max_length=500)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["content.HomePage"]
    subpage_types = ["fugitives.NoticePage"]
    template = "fugitives/notice_index_page.html"
    per_page = 12

    class Meta:
        verbose_name = _("wanted notices index")

    def notices(self):
        """Live public notices, those still wanted first, the newest first within each."""
        return (
            NoticePage.objects.child_of(self)
            .live()
            .public()
            .select_related("portrait")
            .prefetch_related("portrait__renditions")
            .annotate(
                not_wanted=models.Case(
                    models.When(status=NoticePage.Status.WANTED, then=0),
                    default=1,
                    output_field=models.IntegerField(),
                )
            )
            .order_by("not_wanted", "-issued_on", "-pk")
        )

    @path("")
    def listing(self, request):
        from content.models import paginate

        everything = self.notices()
        notices = everything
        chosen = {key: request.GET.get(key, "")[:100] for key in ("region", "offence", "status")}
        if chosen["region"]:
            notices = notices.filter(region=chosen["region"])
        if chosen["offence"]:
            notices = notices.filter(offence=chosen["offence"])
        if chosen["status"] in NoticePage.Status.values:
            notices = notices.filter(status=chosen["status"])
        else:
            chosen["status"] = ""

        def values(field):
            return (
                everything.exclude(**{field: ""})
                .values_list(field, flat=True)
                .order_by(field)
                .distinct()
            )

        return self.render(
            request,
            context_overrides={
                "notices": paginate(request, notices, self.per_page),
                "chosen": chosen,
                "regions": values("region"),
                "offences": values("offence"),
                "statuses": NoticePage.Status.choices,
            },
        )

    @path("feed/rss/")
    def rss(self, request):
        from .feeds import NoticeFeed

        return NoticeFeed(self)(request)

    @path("feed/atom/")
    def atom(self, request):
        from .feeds import NoticeAtomFeed

        return NoticeAtomFeed(self)(request)


class NoticePage(PortalPage):
    class Status(models.TextChoices):
        WANTED = "wanted", _("wanted")
        CAUGHT = "caught", _("caught")
        SURRENDERED = "surrendered", _("surrendered")
        DEAD = "dead", _("dead")
        WITHDRAWN = "withdrawn", _("notice withdrawn")

    class Sex(models.TextChoices):
        MALE = "male", _("male")
        FEMALE = "female", _("female")

    # The person. Every field here is blanked when the details are withdrawn.
    person = models.CharField(_("name"), max_length=100, blank=True)
    other_names = models.CharField(_("aliases and nicknames"), max_length=200, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    height_cm = models.PositiveSmallIntegerField(
        _("height (cm)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(50), MaxValueValidator(250)],
    )
    identity_number = models.CharField(
        _("identity number"),
        max_length=18,
        blank=True,
        validators=[IDENTITY_NUMBER],
        help_text=_("Shown masked: the first six characters and the last one."),
    )
    native_place = models.CharField(_("native place"), max_length=100, blank=True)
    description = models.TextField(
        _("appearance and habits"),
        max_length=1000,
        blank=True,
        help_text=_("Build, accent, scars, habits: what helps a reader recognise the person."),
    )
    portrait = models.ForeignKey(
        "content.PortalImage",
        verbose_name=_("portrait"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A recent photo of the face. Required while the person is wanted."),
    )
    portrait_alt = models.CharField(
        _("portrait text alternative"),
        max_length=200,
        blank=True,
        help_text=_("What the portrait shows, for people who cannot see it."),
    )

    # The notice.
    region = models.CharField(
        _("region"), max_length=60, blank=True, help_text=_("For example 河北省 or 唐山市.")
    )
    offence = models.CharField(
        _("offence"),
        max_length=120,
        help_text=_("As the notice names it, e.g. 组织、领导黑社会性质组织罪."),
    )
    legal_basis = models.TextField(
        _("legal basis"),
        max_length=1000,
        blank=True,
        help_text=_(
            "Mentions of the chosen law's articles (第二十二条) become links to those articles."
        ),
    )
    law_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("law cited"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issuing_authority = models.CharField(_("issuing authority"), max_length=150)
    issued_on = models.DateField(_("issued on"))
    reward_yuan = models.PositiveIntegerField(
        _("reward (yuan)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_REWARD_YUAN)],
    )
    reward_rules = models.TextField(
        _("reward rules"),
        max_length=1000,
        blank=True,
        help_text=_("Who qualifies, how the amount is decided, how reporters stay anonymous."),
    )
    contact_phone = models.CharField(
        _("phone for sightings"), max_length=40, blank=True, help_text=_("For example 110.")
    )
    surrender_policy = RichTextField(
        _("surrender policy"),
        blank=True,
        features=["bold", "italic", "link", "ol", "ul"],
        help_text=_("The lenient treatment for those who give themselves up."),
    )
    surrender_address = models.CharField(_("where to surrender"), max_length=200, blank=True)
    surrender_phone = models.CharField(_("phone for surrender"), max_length=40, blank=True)

    # What happened since.
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.WANTED
    )
    status_since = models.DateField(
        _("status since"),
        null=True,
        blank=True,
        help_text=_(
            "When the person was caught, surrendered or died, or the notice was withdrawn. "
            "The details are withdrawn a set number of days after this date."
        ),
    )
    status_reason = models.TextField(
        _("reason for the status change"),
        max_length=500,
        blank=True,
        help_text=_("Required to make a notice wanted again."),
    )
    feature_on_home = models.BooleanField(
        _("feature on the home page"),
        default=False,
        help_text=_("Shown on the home page while the person is wanted."),
    )
    # Set by the withdrawal job; never edited.
    details_withdrawn_at = models.DateTimeField(
        _("details withdrawn at"), null=True, blank=True, editable=False
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("status"),
                FieldPanel("status_since"),
                FieldPanel("status_reason"),
            ],
            heading=_("Status"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("person"),
                FieldPanel("other_names"),
                FieldPanel("sex"),
                FieldPanel("birth_year"),
                FieldPanel("height_cm"),
                FieldPanel("identity_number"),
                FieldPanel("native_place"),
                FieldPanel("description"),
            ],
            heading=_("The person"),
        ),
        FieldPanel("portrait"),
        FieldPanel("portrait_alt"),
        InlinePanel("photos", heading=_("More photos"), label=_("photo")),
        MultiFieldPanel(
            [
                FieldPanel("region"),
                FieldPanel("offence"),
                FieldPanel("legal_basis"),
                PageChooserPanel("law_page", page_type="law.LawPage"),
                FieldPanel("issuing_authority"),
                FieldPanel("issued_on"),
            ],
            heading=_("The notice"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("reward_yuan"),
                FieldPanel("reward_rules"),
                FieldPanel("contact_phone"),
            ],
            heading=_("Reward and sightings"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("surrender_policy"),
                FieldPanel("surrender_address"),
                FieldPanel("surrender_phone"),
            ],
            heading=_("Surrender"),
        ),
        FieldPanel("feature_on_home"),
    ]
    # The identity number is never indexed; the rest leaves the index with the details
    # (get_indexed_objects).
    search_fields = segmented(
        *Page.search_fields,
        index.SearchField("person"),
        index.SearchField("other_names"),
        index.SearchField("offence"),
        index.SearchField("region"),
        index.FilterField("status"),
    )
    parent_page_types = ["fugitives.NoticeIndexPage"]
    subpage_types = []
    template = "fugitives/notice_page.html"

    class Meta:
        verbose_name = _("wanted notice")
        verbose_name_plural = _("wanted notices")

    @property
    def is_wanted(self):
        return self.status == self.Status.WANTED

    @property
    def details_withdrawn(self):
        return self.details_withdrawn_at is not None

    @property
    def masked_identity_number(self):
        return masked_identity(self.identity_number)

    def sighting_url(self):
        """The report form with this notice named, for a reader who has seen the person."""
        return f"{reverse('reporting:report')}?notice={self.pk}"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Read only when the template renders it: the notice is kept in a `{% cache %}`.
        context["legal_basis"] = SimpleLazyObject(lambda: linked_legal_basis(self, request))
        return context

    def clean(self):
        super().clean()
        errors = {}
        if not self.details_withdrawn or self.is_wanted:
            if not self.portrait_id:
                errors["portrait"] = _("A notice needs at least one portrait of the person.")
            if not self.person.strip():
                errors["person"] = _("Give the person's name.")
        if self.portrait_id and not self.portrait_alt.strip():
            errors["portrait_alt"] = _("Describe the portrait for people who cannot see it.")
        if self.birth_year and self.birth_year > timezone.localdate().year:
            errors["birth_year"] = _("The year of birth cannot be in the future.")
        if self.identity_number:
            self.identity_number = self.identity_number.strip().upper()
        previous = (
            type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if self.pk
            else None
        )
        if (
            previous
            and previous != self.Status.WANTED
            and self.is_wanted
            and not self.status_reason.strip()
        ):
            errors["status_reason"] = _(
                "Say why a notice that was no longer in force is wanted again."
            )
        if self.is_wanted:
            # Wanted again (with its reason and a portrait): the notice is whole again, and
            # the withdrawal clock starts over at the next change.
            self.status_since = None
            self.details_withdrawn_at = None
        elif self.status_since is None:
            self.status_since = timezone.localdate()
        elif self.status_since > timezone.localdate():
            errors["status_since"] = _("This date cannot be in the future.")
        if errors:
            raise ValidationError(errors)

    def get_sitemap_urls(self, request=None):
        # A person no longer wanted is not advertised to search engines once the details
        # are withdrawn.
        if self.details_withdrawn:
            return []
        return super().get_sitemap_urls(request)

    @classmethod
    def get_indexed_objects(cls):
        return super().get_indexed_objects().filter(details_withdrawn_at=None)

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if self.details_withdrawn and not getattr(request, "is_preview", False):
            # The address stays answerable, with the outcome and nothing about the person.
            response.status_code = 410
        return response


def linked_legal_basis(notice, request):
    """The legal basis, escaped, with each mention of the chosen law's own articles linked to
    that article's page."""
    from law.citations import find_references

    text = notice.legal_basis
    law = notice.law_page.specific if notice.law_page_id and notice.law_page else None
    if law is not None and law.locale_id != notice.locale_id:
        # A translated notice keeps the law its original chose: link to that law's twin.
        law = law.get_translation_or_none(notice.locale)
        law = law.specific if law is not None else None
    if law is None or not text or not law.live or not hasattr(law, "article_numbers"):
        return text
    numbers = law.article_numbers(request)
    base = law.get_url(request)
    parts, position = [], 0
    for start, end, number in find_references(text):
        if number not in numbers:
            continue
        parts.append(escape(text[position:start]))
        parts.append(format_html('<a href="{}article-{}/">{}</a>', base, number, text[start:end]))
        position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(str(part) for part in parts))  # nosec B308 B703 # noqa: S308 (every piece is escaped above)


class NoticePhoto(Orderable):
    page = ParentalKey(NoticePage, on_delete=models.CASCADE, related_name="photos")
    image = models.ForeignKey(
        "content.PortalImage", verbose_name=_("photo"), on_delete=models.CASCADE, related_name="+"
    )
    alt = models.CharField(
        _("text alternative"),
        max_length=200,
        help_text=_("What the photo shows, for people who cannot see it."),
    )
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    panels = [FieldPanel("image"), FieldPanel("alt"), FieldPanel("caption")]

    class Meta(Orderable.Meta):
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
