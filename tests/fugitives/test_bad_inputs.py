"""What the admin refuses on a notice, and what readers get at addresses that no longer show
one: a form error each time, never a 500."""

from django.urls import reverse

from wagtail.models import Page

import pytest

from fugitives.models import MAX_REWARD_YUAN, NoticePage

from .forms import notice_form

pytestmark = pytest.mark.django_db


def post(admin_client, notice, **changes):
    return admin_client.post(
        reverse("wagtailadmin_pages:edit", args=[notice.pk]), notice_form(notice, **changes)
    )


def errors_on(response):
    assert response.status_code == 200, "the form was accepted"
    return set(response.context["form"].errors)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"portrait": ""}, "portrait"),
        ({"portrait_alt": "  "}, "portrait_alt"),
        ({"reward_yuan": "-100"}, "reward_yuan"),
        ({"reward_yuan": str(MAX_REWARD_YUAN + 1)}, "reward_yuan"),
        ({"reward_yuan": "1e9"}, "reward_yuan"),
        ({"identity_number": "12345"}, "identity_number"),
        ({"birth_year": "2999"}, "birth_year"),
        ({"height_cm": "900"}, "height_cm"),
        ({"person": ""}, "person"),
    ],
)
def test_the_admin_refuses_a_bad_notice(admin_client, demo, changes, field):
    notice = demo["wanted"]
    before = notice.latest_revision_id
    assert field in errors_on(post(admin_client, notice, **changes))
    notice.refresh_from_db()
    assert notice.latest_revision_id == before


def test_a_new_notice_needs_a_portrait_with_its_text_alternative(admin_client, demo):
    notice = demo["wanted"]
    url = reverse("wagtailadmin_pages:add", args=["fugitives", "noticepage", demo["index"].pk])
    data = notice_form(notice, slug="another", portrait="", portrait_alt="")
    response = admin_client.post(url, data)
    assert "portrait" in errors_on(response)
    data = notice_form(notice, slug="another", portrait_alt="")
    assert "portrait_alt" in errors_on(admin_client.post(url, data))
    data = notice_form(notice, slug="another")
    assert admin_client.post(url, data).status_code == 302
    assert NoticePage.objects.filter(slug="another").exists()


def test_every_photo_needs_a_text_alternative(admin_client, demo):
    notice = demo["wanted"]
    photo = {"image": notice.portrait_id, "alt": "", "caption": "", "ORDER": "1"}
    response = post(admin_client, notice, photos=[photo])
    assert response.status_code == 200
    assert not response.context["form"].is_valid()
    photo["alt"] = "侧面照（示例剪影）"
    assert post(admin_client, notice, photos=[photo]).status_code == 302
    assert notice.photos.get().alt == "侧面照（示例剪影）"


def test_a_notice_goes_back_to_wanted_only_with_a_reason(admin_client, demo):
    notice = demo["wanted"]
    assert post(admin_client, notice, status="caught").status_code == 302
    notice = NoticePage.objects.get(pk=notice.pk)
    assert "status_reason" in errors_on(post(admin_client, notice, status="wanted"))
    assert NoticePage.objects.get(pk=notice.pk).status == "caught"
    reason = "抓获的是另一人，身份核实有误。"
    response = post(admin_client, notice, status="wanted", status_reason=reason)
    assert response.status_code == 302
    notice = NoticePage.objects.get(pk=notice.pk)
    assert notice.status == "wanted" and notice.status_since is None
    assert "?notice=" in admin_client.get(notice.url).content.decode()


def test_a_status_date_cannot_be_in_the_future(admin_client, demo):
    response = post(admin_client, demo["wanted"], status="caught", status_since="2999-01-01")
    assert "status_since" in errors_on(response)


def test_old_addresses_answer_without_an_error(client, demo):
    # A withdrawn notice: gone, saying why.
    response = client.get("/wanted/example-2025-07/")
    assert response.status_code == 410
    assert "notice-page__status" in response.content.decode()
    # A notice deleted by an editor, or an address under a notice: not found.
    Page.objects.get(pk=demo["wanted"].pk).delete()
    assert client.get("/wanted/example-2026-01/").status_code == 404
    assert client.get("/wanted/example-2025-07/anything/").status_code == 404
    assert client.get("/wanted/feed/nothing/").status_code == 404


def test_a_withdrawn_notice_made_wanted_again_is_whole_again(admin_client, client, demo):
    caught = demo["caught"]
    wanted = demo["wanted"]
    reason = "在押人员脱逃，重新通缉。"
    response = post(admin_client, caught, status="wanted", status_reason=reason)
    assert {"portrait", "person"} <= errors_on(response)
    response = post(
        admin_client,
        caught,
        status="wanted",
        status_reason=reason,
        title="（示例）通缉令：李某某（虚构人物）",
        person="（示例）李某某",
        portrait=wanted.portrait_id,
        portrait_alt="示例剪影",
    )
    assert response.status_code == 302
    response = client.get("/wanted/example-2025-07/")
    assert response.status_code == 200
    assert "（示例）李某某" in response.content.decode()
    assert "?notice=" in response.content.decode()
