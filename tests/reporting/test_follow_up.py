import re
import time

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from portal.factories import UserFactory
from reporting.intake.views.follow_up import UNLOCK_SESSION_KEY
from reporting.lifecycle import reporter
from reporting.models import Clue, LedgerEntry

from . import samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def unlocked(client, report_page, valid_data):
    """A submitted report and a browser that has typed its receipt."""
    _, hidden = report_page()
    client.post("/report/", {**valid_data(), **hidden})
    html = client.get("/report/receipt/").content.decode()
    number = re.search(r'id="tracking-number"[^>]*>([^<]+)<', html).group(1)
    key = re.search(r'id="access-key"[^>]*>([^<]+)<', html).group(1)
    response = client.post("/report/status/", {"tracking_number": number, "access_key": key})
    assert response.status_code == 302
    return Clue.objects.get()


def page(client):
    response = client.get("/report/status/")
    assert response.status_code == 200
    return response.content.decode()


def test_status_page_shows_plain_status_and_timeline(client, unlocked):
    html = page(client)
    assert 'id="public-status">已收到<' in html
    assert "我们已收到您的举报。" in html
    assert "no-store" in client.get("/report/status/")["Cache-Control"]


def test_staff_question_appears_without_staff_name_and_reporter_answers(client, unlocked):
    staff = UserFactory(username="reviewer-zhao", first_name="赵", last_name="审核员")
    reporter.ask_reporter(unlocked, "市场东门具体是哪个市场？", staff=staff)
    html = page(client)
    assert "市场东门具体是哪个市场？" in html
    assert "工作人员提问" in html
    assert "reviewer-zhao" not in html and "审核员" not in html

    response = client.post("/report/status/reply/", {"body": "是城南农贸市场。"}, follow=True)
    html = response.content.decode()
    assert "您的回答已发送" in html
    assert "是城南农贸市场。" in html
    actions = list(unlocked.ledger.values_list("action", flat=True))
    assert actions == ["submitted", "staff_asked", "reporter_replied"]


def test_empty_or_oversized_answers_are_refused(client, unlocked):
    empty = client.post("/report/status/reply/", {"body": ""})
    assert empty.status_code == 400
    assert "请先写下您的回答" in empty.content.decode()
    long = client.post("/report/status/reply/", {"body": "长" * 5001})
    assert long.status_code == 400
    assert not unlocked.messages.exists()


def test_reporter_adds_evidence_later_stripped_like_the_first(client, unlocked):
    photo = SimpleUploadedFile("later.jpg", samples.jpeg_with_gps(), content_type="image/jpeg")
    response = client.post("/report/status/evidence/", {"evidence": [photo]}, follow=True)
    assert "文件已添加到举报中" in response.content.decode()
    item = unlocked.evidence.get()
    with item.file.open("rb") as handle:
        assert b"PhoneMaker" not in handle.read()
    assert unlocked.ledger.filter(action=LedgerEntry.Action.REPORTER_ADDED_EVIDENCE).exists()


def test_adding_a_bad_file_names_it(client, unlocked):
    bad = SimpleUploadedFile("tool.jpg", samples.ELF_EXECUTABLE)
    response = client.post("/report/status/evidence/", {"evidence": [bad]})
    assert response.status_code == 400
    assert "“tool.jpg”不是可接收的" in response.content.decode()
    nothing = client.post("/report/status/evidence/", {})
    assert nothing.status_code == 400
    assert "请至少选择一个文件" in nothing.content.decode()
    assert not unlocked.evidence.exists()


def test_without_the_key_nothing_can_be_read_or_changed(client, site_tree, unlocked):
    from django.test import Client

    stranger = Client()
    assert "请输入回执上的跟踪编号和查询码" in stranger.get("/report/status/").content.decode()
    assert stranger.post("/report/status/reply/", {"body": "冒充"}).status_code == 302
    assert not unlocked.messages.exists()


def test_leaving_and_expiry_lock_the_report_again(client, unlocked):
    client.post("/report/status/leave/")
    assert "请输入回执上的跟踪编号和查询码" in page(client)

    session = client.session
    session[UNLOCK_SESSION_KEY] = {"clue": unlocked.pk, "until": time.time() - 1}
    session.save()
    assert "请输入回执上的跟踪编号和查询码" in page(client)


def test_a_section_another_app_adds_shows_on_the_status_page(client, unlocked):
    from django.utils.html import format_html

    from reporting.intake import status_sections

    def section(request, clue, form):
        return format_html('<section id="added-section">{}</section>', clue.tracking_number)

    def nothing(request, clue, form):
        return ""

    status_sections.add(99, "added", section)
    status_sections.add(98, "nothing", nothing)
    try:
        html = page(client)
    finally:
        status_sections._sections[:] = [
            entry for entry in status_sections._sections if entry[1] not in ("added", "nothing")
        ]
    assert f'<section id="added-section">{unlocked.tracking_number}</section>' in html
    assert html.index("added-section") < html.index("add-evidence-title")
