"""The blocks editors build stories and news from. Nothing here loads from another site:
videos are files uploaded to the site, not embeds, so reading a story tells no third party."""

from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

TEXT_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul"]


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(label=_("Who said it"), required=False, max_length=120)

    class Meta:
        icon = "openquote"
        template = "content/blocks/quote.html"
        label = _("Quote")
        description = _("Words someone said, shown large, with who said them.")
        preview_value = {"text": "我不怕，因为我相信法律。", "attribution": "（虚构）张某"}


class FigureBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt = blocks.CharBlock(
        label=_("Text alternative"),
        max_length=200,
        help_text=_("What the picture shows, for people who cannot see it."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=200)


class GalleryBlock(blocks.StructBlock):
    images = blocks.ListBlock(FigureBlock(), label=_("Images"), min_num=1, max_num=12)

    class Meta:
        icon = "image"
        template = "content/blocks/gallery.html"
        label = _("Image gallery")
        description = _("Up to twelve pictures with captions, in a grid.")


class VideoBlock(blocks.StructBlock):
    video = DocumentChooserBlock(
        label=_("Video file"), help_text=_("An MP4 or WebM file uploaded to this site.")
    )
    title = blocks.CharBlock(label=_("Title"), max_length=120)
    transcript = blocks.TextBlock(
        label=_("Transcript or summary"),
        required=False,
        help_text=_("For people who cannot watch or hear the video."),
    )

    class Meta:
        icon = "media"
        template = "content/blocks/video.html"
        label = _("Video")
        description = _("A video uploaded to this site, played here with no other site involved.")


class StoryBody(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        features=TEXT_FEATURES,
        label=_("Text"),
        description=_("Paragraphs, headings, lists and links."),
        preview_value="<p>他在市场摆摊十年，直到有一天……</p>",
    )
    quote = QuoteBlock()
    gallery = GalleryBlock()
    video = VideoBlock()


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=200)
    answer = blocks.RichTextBlock(features=TEXT_FEATURES, label=_("Answer"))

    class Meta:
        icon = "help"
        label = _("Question and answer")


class FaqBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), max_length=120, required=False)
    questions = blocks.ListBlock(QuestionBlock(), label=_("Questions"), min_num=1)

    class Meta:
        icon = "help"
        template = "content/blocks/faq.html"
        label = _("Frequently asked questions")
        description = _("Questions that open to show their answers.")
        preview_value = {
            "heading": "常见问题",
            "questions": [{"question": "可以匿名举报吗？", "answer": "<p>可以。</p>"}],
        }


class RetentionPeriodBlock(blocks.StaticBlock):
    """How long a closed report's personal content is kept, from the setting the purge uses
    (CLUE_RETENTION_DAYS): no number for an editor to type, or to forget to change."""

    class Meta:
        icon = "time"
        template = "content/blocks/retention_period.html"
        label = _("Retention period of reports")
        description = _(
            "A paragraph saying how long after closure a report's personal content is erased, "
            "with the period the site really applies. For the privacy notice."
        )
        admin_text = _(
            "Shows the retention period configured on the server (CLUE_RETENTION_DAYS) in the "
            "page's language. Nothing to fill in."
        )


class PageBody(StoryBody):
    faq = FaqBlock()
    retention_period = RetentionPeriodBlock()
