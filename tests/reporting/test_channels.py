"""Every clue names the channel it came through: the public form sets web or poster itself,
existing clues are migrated to theirs, and staff see and filter by it on the clue page, in
the queue and in its exports."""

import csv
import io
from importlib import import_module

from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from wagtail.users.models import UserProfile

import openpyxl
import pytest

from reporting.factories import ClueFactory
from reporting.intake.receipts import format_tracking_number
from reporting.models import Clue

from .helpers import as_user, page, submit

pytestmark = pytest.mark.django_db

Channel = Clue.Channel


def speaking(user, language):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()
    return user


def test_existing_clues_get_poster_when_they_carry_an_entry_code_and_web_otherwise():
    """Migration 0021: before it, only the public form made clues."""
    migration = import_module("reporting.migrations.0021_clue_channel")
    by_poster = ClueFactory(entry_code="TSMKT2")
    by_web = ClueFactory()
    # As the new field's default leaves every clue before the step runs.
    Clue.objects.update(channel=Channel.WEB)
    migration.set_channels(apps, None)
    by_poster.refresh_from_db()
    by_web.refresh_from_db()
    assert by_poster.channel == Channel.POSTER
    assert by_web.channel == Channel.WEB


def test_the_migration_can_be_reversed():
    migration = import_module("reporting.migrations.0021_clue_channel")
    step = migration.Migration.operations[-1]
    assert step.reversible


@pytest.mark.parametrize(("entry", "channel"), [("", Channel.WEB), ("TSMKT2", Channel.POSTER)])
def test_the_public_form_sets_web_or_poster(client, report_page, valid_data, entry, channel):
    response = submit(client, report_page, valid_data, entry=entry)
    assert response.status_code == 302
    clue = Clue.objects.get()
    assert clue.channel == channel
    assert clue.referring_body == ""


def test_a_referral_names_its_referring_body_and_only_a_referral_does():
    clue = ClueFactory()
    clue.channel = Channel.REFERRAL
    with pytest.raises(ValidationError) as refused:
        clue.clean()
    assert "referring_body" in refused.value.message_dict
    clue.referring_body = "   "
    with pytest.raises(ValidationError):
        clue.clean()
    clue.referring_body = "唐山市纪委监委"
    clue.clean()
    clue.channel = Channel.HOTLINE
    with pytest.raises(ValidationError) as refused:
        clue.clean()
    assert "referring_body" in refused.value.message_dict
    clue.referring_body = ""
    clue.clean()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_clue_page_shows_the_channel_and_the_referring_body(staff, language):
    referred = ClueFactory(
        region="130203", channel=Channel.REFERRAL, referring_body="唐山市人民检察院"
    )
    by_poster = ClueFactory(region="130203", entry_code="TSMKT2")
    intake = speaking(staff["intake-hebei"], language)
    with translation.override(language):
        referral, poster = str(Channel.REFERRAL.label), str(Channel.POSTER.label)
    if language == "en":
        assert (referral, poster) == ("referral", "QR poster")

    def channel_cell(clue):
        html = page(intake, clue).content.decode()
        start = html.index('id="clue-channel"')
        return html[start : html.index("</dd>", start)]

    assert referral in channel_cell(referred)
    assert "唐山市人民检察院" in channel_cell(referred)
    assert poster in channel_cell(by_poster)


def queue_numbers(user, query=""):
    html = as_user(user).get(reverse("clues:index") + query).content.decode()
    return {
        clue.tracking_number
        for clue in Clue.objects.all()
        if format_tracking_number(clue.tracking_number) in html
    }


def test_the_queue_filters_by_channel(staff):
    web = ClueFactory(region="130203")
    poster = ClueFactory(region="130203", entry_code="TSMKT2")
    hotline = ClueFactory(region="130203", channel=Channel.HOTLINE)
    intake = staff["intake-hebei"]
    assert queue_numbers(intake) == {
        web.tracking_number,
        poster.tracking_number,
        hotline.tracking_number,
    }
    assert queue_numbers(intake, "?channel=poster") == {poster.tracking_number}
    assert queue_numbers(intake, "?channel=hotline") == {hotline.tracking_number}
    assert queue_numbers(intake, "?channel=letter") == set()


def test_the_queue_shows_the_channel_as_a_column_that_gives_way_on_a_phone(staff):
    ClueFactory(region="130203", entry_code="TSMKT2")
    intake = speaking(staff["intake-hebei"], "en")
    html = as_user(intake).get(reverse("clues:index")).content.decode()
    assert "QR poster" in html
    heading = html[: html.index('href="/admin/reporting/clues/?ordering=channel"')]
    assert "clue-queue__wide" in heading[heading.rindex("<th") :]


def export_rows(user, file_format):
    response = as_user(user).get(reverse("clues:index") + f"?export={file_format}")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if file_format == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [
        ["" if cell is None else str(cell) for cell in row]
        for row in sheet.iter_rows(values_only=True)
    ]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_both_exports_hold_the_channel_as_words(staff, file_format, language):
    poster = ClueFactory(region="130203", entry_code="TSMKT2")
    referred = ClueFactory(
        region="130203", channel=Channel.REFERRAL, referring_body="唐山市纪委监委"
    )
    intake = speaking(staff["intake-hebei"], language)
    rows = export_rows(intake, file_format)
    with translation.override(language):
        heading = str(Clue._meta.get_field("channel").verbose_name)
        body_heading = str(Clue._meta.get_field("referring_body").verbose_name)
        labels = {poster.tracking_number: str(Channel.POSTER.label)}
        labels[referred.tracking_number] = str(Channel.REFERRAL.label)
    headings = [cell.lower() for cell in rows[0]]
    channel_at = headings.index(heading.lower())
    body_at = headings.index(body_heading.lower())
    number_at = next(i for i, cell in enumerate(rows[0]) if cell and rows[1][i] in labels)
    cells = {row[number_at]: row for row in rows[1:]}
    assert cells[poster.tracking_number][channel_at] == labels[poster.tracking_number]
    assert cells[referred.tracking_number][channel_at] == labels[referred.tracking_number]
    assert cells[referred.tracking_number][body_at] == "唐山市纪委监委"
    if language == "en":
        assert labels[poster.tracking_number] == "QR poster"
