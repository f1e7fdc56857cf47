"""The withdrawal of a notice's personal details (docs/fugitives.md).

A person who was caught, surrendered or died, or whose notice was withdrawn, is still a
person: FUGITIVE_DETAILS_WITHDRAWAL_DAYS after the status date, the live notice is published
again without the photos and identity details, its images lose their public files, and it
leaves the sitemap and the search index. The earlier revisions keep the details for editors
who may edit the notices section; the action is in Wagtail's audit log."""

import datetime
import os
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from wagtail.log_actions import log
from wagtail.models import Collection
from wagtail.search.index import remove_object

from .models import NoticePage

LOG_ACTION = "fugitives.details_withdrawn"
COLLECTION_NAME = "Withdrawn notice photos"
# The fields that describe the person, and what each becomes.
PERSONAL_FIELDS = {
    "person": "",
    "other_names": "",
    "sex": "",
    "birth_year": None,
    "height_cm": None,
    "identity_number": "",
    "native_place": "",
    "description": "",
    "portrait": None,
    "portrait_alt": "",
    "seo_title": "",
    "search_description": "",
    "feature_on_home": False,
}


def due(now=None):
    """Live notices no longer wanted whose status date is at least the set number of days
    old, and whose details are still shown."""
    now = now or timezone.now()
    cutoff = timezone.localdate(now) - datetime.timedelta(
        days=settings.FUGITIVE_DETAILS_WITHDRAWAL_DAYS
    )
    return (
        NoticePage.objects.live()
        .exclude(status=NoticePage.Status.WANTED)
        .filter(details_withdrawn_at=None, status_since__lte=cutoff)
        .order_by("pk")
    )


def withdraw_due_details(now=None):
    """Withdraw every due notice's details, each in its own transaction; the count done."""
    done = 0
    for pk in list(due(now).values_list("pk", flat=True)):
        with transaction.atomic():
            page = NoticePage.objects.select_for_update().filter(pk=pk).first()
            if page is not None and page.details_withdrawn_at is None:
                withdraw_details(page, now=now)
                done += 1
    return done


def withdraw_details(page, now=None, user=None):
    """Publish the notice without the person's details, hide its images, drop it from the
    search index and log it."""
    now = now or timezone.now()
    images = [page.portrait] if page.portrait_id else []
    images += [photo.image for photo in page.photos.select_related("image")]
    for field, blank in PERSONAL_FIELDS.items():
        setattr(page, field, blank)
    with translation.override(page.locale.language_code):
        page.title = _("Wanted notice: details withdrawn")
        page.draft_title = page.title
    page.photos = []
    page.details_withdrawn_at = now
    revision = page.save_revision(user=user, log_action=False, clean=False)
    revision.publish(user=user, log_action=False, skip_permission_checks=True)
    page = NoticePage.objects.get(pk=page.pk)
    remove_object(page)
    hidden = [_hide(image) for image in images if not _still_shown(image, page)]
    log(
        instance=page,
        action=LOG_ACTION,
        user=user,
        revision=revision,
        data={
            "status": page.status,
            "status_since": page.status_since.isoformat() if page.status_since else None,
            "days": settings.FUGITIVE_DETAILS_WITHDRAWAL_DAYS,
            "images_hidden": [image.pk for image in hidden],
        },
    )
    return page


def _still_shown(image, page):
    """Whether another live notice still shows this image (a translation not yet due)."""
    others = NoticePage.objects.live().filter(details_withdrawn_at=None).exclude(pk=page.pk)
    return others.filter(portrait=image).exists() or others.filter(photos__image=image).exists()


def _hide(image):
    """Delete the image's renditions (the files the page linked to) and move its original
    under a new random name, so no address a reader saw or could guess still serves it; the
    image moves to a collection of its own, for editors allowed to see it."""
    for rendition in image.renditions.all():
        rendition.delete()
    old_name = image.file.name
    with image.file.open("rb") as source:
        content = source.read()
    extension = os.path.splitext(old_name)[1].lower()
    # The same picture under a new name: what the image row knows of it stays true.
    known = {field: getattr(image, field) for field in ("width", "height", "file_size")}
    image.file.save(f"{secrets.token_urlsafe(24)}{extension}", ContentFile(content), save=False)
    for field, value in known.items():
        setattr(image, field, value)
    storage = image.file.storage
    transaction.on_commit(lambda: storage.delete(old_name))
    image.collection = withdrawn_collection()
    image.title = f"withdrawn-notice-photo-{image.pk}"
    image.save()
    return image


def withdrawn_collection():
    existing = Collection.objects.filter(name=COLLECTION_NAME).first()
    if existing is not None:
        return existing
    return Collection.get_first_root_node().add_child(name=COLLECTION_NAME)
