"""The competition certificate and its verification page: the PDF holds the participant's
chosen name, the competition, the score, the day it was finished and a code whose QR code
opens the page that confirms it; only the browser that made the attempt can download it."""

from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

import pypdfium2
import pytest

from quizzes import progress, services
from quizzes.models import Attempt
from reporting.factories import RegionFactory
from tests.posters.conftest import decode

from . import factories

pytestmark = pytest.mark.django_db

TITLE = "反有组织犯罪法知识竞赛"


def zh(message):
    """The Chinese the page or the certificate shows for a message, as the catalogue has it."""
    with translation.override("zh-hans"):
        return gettext(message)


@pytest.fixture
def quiz(site_tree):
    law = factories.law_page(site_tree["home"])
    factories.questions(law, 6)
    return factories.competition(site_tree["home"], title=TITLE)


@pytest.fixture
def hebei(db):
    return RegionFactory(code="130000", name="河北省", name_en="Hebei")


def give_to(client, attempt):
    """Put the attempt in the client's session, as progress.remember does."""
    session = client.session
    quizzes = dict(session.get(progress.SESSION_KEY, {}))
    quizzes[str(attempt.quiz_id)] = {"attempt": str(attempt.pk), "started": 1}
    session[progress.SESSION_KEY] = quizzes
    session.save()


@pytest.fixture
def passed(quiz, hebei):
    attempt = factories.attempt(quiz, right=3)
    return services.claim(attempt.pk, display_name="李 明 Li-Ming", region=hebei)


def read_pdf(content):
    document = pypdfium2.PdfDocument(content)
    page = document[0]
    text = page.get_textpage().get_text_range()
    image = page.render(scale=3).to_pil()
    size = page.get_size()
    page.close()
    document.close()
    return text.replace("\r", "").replace("\n", ""), image, size


def download(client, quiz):
    return client.get(f"/quizzes/{quiz.pk}/certificate.pdf")


def test_the_certificate_holds_the_name_the_competition_the_score_the_date_and_the_code(
    client, quiz, passed
):
    give_to(client, passed)
    response = download(client, quiz)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    code = services.format_code(passed.certificate_code)
    assert response["Content-Disposition"] == f'attachment; filename="certificate-{code}.pdf"'
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    text, image, (width, height) = read_pdf(response.content)
    assert width > height  # landscape
    assert (width, height) == pytest.approx((842, 595), abs=1)
    # Finished at 18:01 UTC on 14 March: the 15th in Beijing, where the portal is run.
    for expected in (
        zh("Certificate of achievement"),
        "李 明 Li-Ming",
        TITLE,
        "3 / 4",
        "2026年3月15日",
        "河北省",
        zh("Certificate code: %(code)s") % {"code": code},
        "反有组织犯罪法治宣传与线索举报平台",  # no operator set: the site's name
    ):
        assert expected in text, expected
    url = f"https://portal.example.test/quizzes/certificates/?code={code}"
    assert decode(image) == [url]

    page = client.get(url.removeprefix("https://portal.example.test"))
    html = page.content.decode()
    assert page.status_code == 200
    assert zh("This certificate is genuine.") in html
    for expected in ("李 明 Li-Ming", TITLE, code, "2026年3月15日", "河北省"):
        assert expected in html, expected
    assert 'name="robots" content="noindex"' in html
    assert "no-store" in page["Cache-Control"]


def test_the_certificate_is_black_and_grey_and_names_the_operator(client, site_tree, quiz, passed):
    from portal.models import PortalSettings

    portal = PortalSettings.for_site(site_tree["site"])
    portal.operator_zh = "某市司法局"
    portal.save()
    give_to(client, passed)
    text, image, _size = read_pdf(download(client, quiz).content)
    assert "某市司法局" in text
    red, green, blue = image.convert("RGB").split()
    assert red.tobytes() == green.tobytes() == blue.tobytes()


def test_the_certificate_is_chinese_for_an_english_reader_and_markup_in_a_name_is_text(
    client, quiz
):
    attempt = factories.attempt(quiz, right=4)
    # clean_display_name lets "&" through as punctuation; reportlab must not read it as markup.
    services.claim(attempt.pk, display_name="Anna & Bob")
    give_to(client, attempt)
    response = client.get(f"/en/quizzes/{quiz.pk}/certificate.pdf")
    assert response.status_code == 200
    text, image, _size = read_pdf(response.content)
    assert "Anna & Bob" in text and "4 / 4" in text
    assert zh("Certificate of achievement") in text
    [url] = decode(image)
    assert url.startswith("https://portal.example.test/quizzes/certificates/?code=")  # not /en/


def test_an_english_competition_prints_its_chinese_title(client, site_tree, quiz):
    from wagtail.models import Locale

    english_law = factories.law_page(site_tree["en_home"], title="Test Law", slug="test-law-en")
    factories.questions(english_law, 6, language="en")
    english = quiz.copy_for_translation(Locale.objects.get(language_code="en"))
    english.title = "Law Knowledge Competition"
    english.save_revision().publish()
    attempt = factories.attempt(english, right=4)
    services.claim(attempt.pk, display_name="Anna")
    give_to(client, attempt)
    text, _image, _size = read_pdf(client.get(f"/en/quizzes/{english.pk}/certificate.pdf").content)
    assert TITLE in text and "Law Knowledge Competition" not in text


def test_only_the_browser_that_made_the_attempt_downloads_its_certificate(client, quiz, passed):
    assert download(client, quiz).status_code == 404  # nothing in this session
    other = Client()
    give_to(other, passed)
    assert download(other, quiz).status_code == 200
    # This browser's own attempt failed: it gets nothing, and not the other one's either.
    failed = factories.attempt(quiz, right=1, attempts_used=1)
    services.claim(failed.pk, display_name="王五")
    assert failed.certificate_code is None
    give_to(client, failed)
    assert download(client, quiz).status_code == 404
    # The session's attempt is for this quiz only.
    assert client.get(f"/quizzes/{quiz.pk + 1000}/certificate.pdf").status_code == 404


def test_no_certificate_before_the_attempt_is_finished_or_named(client, quiz):
    unfinished = factories.attempt(quiz, right=2, answered=2)
    assert unfinished.finished_at is None
    give_to(client, unfinished)
    assert download(client, quiz).status_code == 404
    unnamed = factories.attempt(quiz, right=4, attempts_used=1)
    assert unnamed.finished_at and unnamed.certificate_code is None  # not claimed yet
    give_to(client, unnamed)
    assert download(client, quiz).status_code == 404


def test_a_session_holding_no_attempt_id_gets_a_404(client, quiz):
    session = client.session
    session[progress.SESSION_KEY] = {str(quiz.pk): {"attempt": "not-a-uuid", "started": 1}}
    session.save()
    assert download(client, quiz).status_code == 404


def verify(client, code, prefix=""):
    return client.get(f"{prefix}/quizzes/certificates/", {"code": code})


def test_the_page_confirms_a_code_however_it_is_typed_in_either_language(client, passed):
    code = passed.certificate_code
    typed = f" {code[:3].lower()} {code[3:7]}-{code[7:].lower()} "
    html = verify(client, typed, prefix="/en").content.decode()
    assert "This certificate is genuine." in html
    for expected in (
        "李 明 Li-Ming",
        TITLE,
        "15 March 2026",
        "3 of 4 questions answered correctly",
        "Hebei",
        services.format_code(code),
    ):
        assert expected in html, expected


def test_a_hidden_attempt_keeps_a_valid_certificate(client, passed):
    Attempt.objects.filter(pk=passed.pk).update(hidden=True)
    html = verify(client, passed.certificate_code, prefix="/en").content.decode()
    assert "This certificate is genuine." in html


def test_the_page_alone_is_a_form(client):
    response = client.get("/en/quizzes/certificates/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="code"' in html and "This certificate is genuine" not in html
    assert "No certificate has this code" not in html


def test_an_unknown_code_is_said_to_be_unknown_with_the_typed_value_kept(client, passed):
    unknown = "ABCDE-23456"
    assert services.normalise_code(unknown) != passed.certificate_code
    response = verify(client, unknown, prefix="/en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "No certificate has this code." in html
    assert "This certificate is genuine" not in html
    assert 'value="ABCDE-23456"' in html


@pytest.mark.parametrize(
    "typed",
    [
        "A" * 500,
        "ABCDE\x1b23456",
        "ABCDE\u200b23456",  # an invisible space that is not whitespace
        "ABCDE\u202e23456",  # a right-to-left override
        "ABCDE-2345",
        "ABCDE-234567",
        "ABCDE-O1I00",  # letters and digits the codes never use
        "<script>",
        "   ",
    ],
)
def test_a_malformed_code_is_a_form_error(client, passed, typed):
    response = verify(client, typed, prefix="/en")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="field__error"' in html
    assert "This certificate is genuine" not in html and "No certificate has" not in html
    assert "<script>" not in html.split("<main", 1)[1]


def test_a_nul_character_is_refused_before_the_page(client, passed):
    # The portal's middleware answers 400 to a query string holding a NUL.
    assert verify(client, f"{passed.certificate_code}\x00", prefix="/en").status_code == 400


def test_a_code_typed_with_tabs_or_line_breaks_is_still_found(client, passed):
    code = passed.certificate_code
    html = verify(client, f"{code[:5]}\t\n{code[5:]}", prefix="/en").content.decode()
    assert "This certificate is genuine." in html


def test_a_certificate_code_names_no_attempt_that_was_not_claimed(client, quiz):
    # A code can only come from claim(): an unfinished or failed attempt has none to find.
    failed = factories.attempt(quiz, right=1)
    services.claim(failed.pk, display_name="王五")
    assert Attempt.objects.exclude(certificate_code=None).count() == 0


def test_lookups_are_limited_per_client(client, passed, settings):
    from quizzes.verification import LOOKUP_LIMIT

    for _number in range(LOOKUP_LIMIT):
        assert verify(client, "ABCDE-23456", prefix="/en").status_code == 200
    refused = verify(client, passed.certificate_code, prefix="/en")
    html = refused.content.decode()
    assert refused.status_code == 429
    assert "Too many certificate checks" in html and "This certificate is genuine" not in html
    # Another client is not held back by this one's checks.
    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    assert (
        "This certificate is genuine."
        in verify(elsewhere, passed.certificate_code, prefix="/en").content.decode()
    )


def test_a_long_title_and_name_shrink_to_fit_and_the_code_stays_readable(client, site_tree):
    law = factories.law_page(site_tree["home"])
    factories.questions(law, 6)
    title = "某某省某某市" + "反有组织犯罪法暨扫黑除恶专项斗争法律知识网络竞赛" * 9
    quiz = factories.competition(site_tree["home"], title=title[:255])
    attempt = factories.attempt(quiz, right=4)
    services.claim(attempt.pk, display_name="阿卜杜热合曼·买买提艾力·吐尔逊")
    give_to(client, attempt)
    text, image, _size = read_pdf(download(client, quiz).content)
    assert title[:255] in text
    assert "阿卜杜热合曼·买买提艾力·吐尔逊"[:20] in text
    assert len(decode(image)) == 1
