"""What changes the content's generation: publishing, unpublishing, moving or deleting a
page, saving a snippet, a setting, a site, a locale, an image, a document or a view
restriction, and any model an app names with `watch()` from its AppConfig.ready."""

from django.db import connection, transaction

from .generation import bump


def invalidate(**_signal_arguments):
    """Every stored page is stale from now on. Inside a transaction, once more when it
    commits: a page rendered meanwhile from the data before the commit must not be kept
    under the new token."""
    bump()
    if connection.in_atomic_block:
        transaction.on_commit(bump)


# Models that pages show without being pages themselves, beyond the kinds found below
# (settings, snippets, images, documents, sites, locales, view restrictions).
_extra_models = set()
_decided = {}


def watch(model):
    """Saving or deleting a `model` changes the content's generation."""
    _extra_models.add(model)
    _decided.clear()


def _watched(model):
    decided = _decided.get(model)
    if decided is None:
        decided = _decide(model)
        _decided[model] = decided
    return decided


def _decide(model):
    from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting
    from wagtail.documents.models import AbstractDocument
    from wagtail.images.models import AbstractImage
    from wagtail.models import BaseViewRestriction, Locale, Site
    from wagtail.snippets.models import get_snippet_models

    from modelcluster.fields import ParentalKey

    bases = (
        BaseSiteSetting,
        BaseGenericSetting,
        AbstractImage,
        AbstractDocument,
        BaseViewRestriction,
        Locale,
        Site,
        *_extra_models,
    )
    if issubclass(model, bases) or model in get_snippet_models():
        return True
    # The inline rows of a setting or snippet (the footer links of PortalSettings) are saved
    # after it, and must invalidate again once they are.
    return any(
        isinstance(field, ParentalKey) and _watched(field.related_model)
        for field in model._meta.concrete_fields
    )


def _saved(sender, instance, update_fields=None, **kwargs):
    from wagtail.models import Page

    if issubclass(sender, Page):
        # A draft saves only its bookkeeping fields (update_fields); a live page saved whole
        # (publishing, or code that edits a live page) changes what readers see.
        if update_fields is None and instance.live:
            invalidate()
    elif _watched(sender):
        invalidate()


def _deleted(sender, **kwargs):
    from wagtail.models import Page

    if issubclass(sender, Page) or _watched(sender):
        invalidate()


def connect():
    from django.db.models.signals import post_delete, post_save

    from wagtail import signals

    post_save.connect(_saved, dispatch_uid="pagecache-saved")
    post_delete.connect(_deleted, dispatch_uid="pagecache-deleted")
    for signal in (
        signals.page_published,
        signals.page_unpublished,
        signals.post_page_move,
        signals.published,
        signals.unpublished,
    ):
        signal.connect(invalidate, dispatch_uid=f"pagecache-{id(signal)}")
