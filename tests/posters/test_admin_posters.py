"""Entry points in the admin: the bulk import, the ZIP of posters and the figures."""

import io
import re
import zipfile
from urllib.parse import parse_qs, urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest

from posters import services
from posters.models import Campaign, EntryPoint, ScanDay

pytestmark = pytest.mark.django_db
IMPORT = "/admin/posters/entry-points/import/"

GOOD = (
    "名称,位置,宣传活动,类别,地区\n"
    "菜市场,路北区某菜市场东门,春季宣传,market-bullies,130203\n"
    "公交站,唐山站公交站,春季宣传,,130200\n"
    "大学城,某大学食堂门口,,校园欺凌、利用未成年人犯罪,\n"
)


def upload(client, content, name="posters.csv", **data):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content), **data})


def test_an_import_creates_every_row_and_offers_their_posters(admin_client, entry_point):
    response = upload(admin_client, GOOD.encode("gb18030"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "已创建 3 个入口。" in html
    created = EntryPoint.objects.exclude(pk=entry_point.pk)
    assert created.count() == 3
    market = created.get(name="菜市场")
    assert (market.campaign.name, market.category.slug, market.region.code) == (
        "春季宣传",
        "market-bullies",
        "130203",
    )
    assert created.get(name="大学城").category.slug == "campus-minors"
    zip_url = re.search(r'href="([^"]*posters\.zip[^"]*)"', html).group(1).replace("&amp;", "&")
    assert sorted(parse_qs(urlsplit(zip_url).query)["id"]) == sorted(
        str(pk) for pk in created.values_list("pk", flat=True)
    )
    archive = zipfile.ZipFile(io.BytesIO(admin_client.get(zip_url).content))
    assert sorted(archive.namelist()) == sorted(
        f"poster-{code}-a4.pdf" for code in created.values_list("code", flat=True)
    )
    assert all(archive.read(name).startswith(b"%PDF") for name in archive.namelist())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "name,location,category,region\n好,,nope,999999\n,某处,,\n",
            [
                "第 2 行：位置为空；没有“nope”这个类别；没有代码为“999999”的地区。",
                "第 3 行：名称为空。",
            ],
        ),
        ("name,location\n" + "长" * 101 + ",某处\n", ["第 2 行：名称超过 100 个字符。"]),
        ("name\n菜市场\n", ["第一行必须是列名；缺少：location。"]),
        ("name,location\n", ["文件只有列名，没有数据行。"]),
        ("", ["所提交的是空文件。"]),  # Django's own check of an upload
        ("\n\n", ["文件是空的。"]),
        ("name,location\n\x00\x01,x\n", ["这不是 CSV 文件"]),
        ('name,location\n"unclosed,x\n', ["行", "位置"]),
    ],
)
def test_bad_rows_are_named_and_nothing_is_created(admin_client, entry_point, content, message):
    before = set(EntryPoint.objects.values_list("pk", flat=True))
    campaigns = Campaign.objects.count()
    html = upload(admin_client, content.encode()).content.decode()
    for part in message:
        assert part in html, part
    assert set(EntryPoint.objects.values_list("pk", flat=True)) == before
    assert Campaign.objects.count() == campaigns


def test_a_campaign_named_in_a_bad_file_is_not_created(admin_client, entry_point):
    content = "name,location,campaign\n好,某处,新活动\n坏,,新活动\n"
    upload(admin_client, content.encode())
    assert not Campaign.objects.filter(name="新活动").exists()
    assert EntryPoint.objects.count() == 1


def test_files_that_are_not_text_or_too_big_are_refused(admin_client, entry_point):
    png = upload(admin_client, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, name="x.csv")
    assert "不是 UTF-8 或 GB18030 编码的文本" in png.content.decode()
    big = upload(admin_client, b"name,location\n" + b"a,b\n" * 300_000)
    assert "文件超过 1 MB" in big.content.decode()
    assert EntryPoint.objects.count() == 1


def test_import_needs_the_add_permission(client, entry_point, staff):
    client.force_login(staff["verifier-tangshan"])
    assert upload(client, GOOD.encode()).status_code in (302, 403)
    assert EntryPoint.objects.count() == 1


@pytest.mark.parametrize("query", ["", "?campaign=abc", "?id=x&id=y"])
def test_a_zip_needs_a_campaign_or_entry_points(admin_client, entry_point, query):
    response = admin_client.get(reverse("entry_points:posters_zip") + query)
    assert response.status_code == 400


def test_listings_show_figures_in_a_bounded_number_of_queries(
    admin_client, entry_point, django_assert_max_num_queries
):
    campaign = Campaign.objects.create(name="春季宣传")
    for number in range(12):
        other = EntryPoint.objects.create(name=f"海报{number}", location="某处", campaign=campaign)
        ScanDay.objects.create(entry_point=other, day="2026-11-01", count=number)
    admin_client.get("/admin/posters/entry-points/")  # warm caches of the admin itself
    with django_assert_max_num_queries(25):
        listing = admin_client.get("/admin/posters/entry-points/")
    html = listing.content.decode()
    assert "海报11" in html
    campaigns = admin_client.get("/admin/posters/campaigns/").content.decode()
    assert str(sum(range(12))) in campaigns
    page = admin_client.get(f"/admin/posters/campaigns/inspect/{campaign.pk}/").content.decode()
    assert "本活动的全部海报" in page


def test_entry_points_cannot_be_deleted(admin_client, entry_point):
    response = admin_client.get(f"/admin/posters/entry-points/delete/{entry_point.pk}/")
    assert response.status_code in (302, 403)
    assert EntryPoint.objects.filter(pk=entry_point.pk).exists()


def test_an_editor_makes_a_poster_in_the_admin(admin_client, site_tree):
    import reporting.demo

    reporting.demo.load()
    response = admin_client.post(
        "/admin/posters/entry-points/new/",
        {"name": "社区公告栏", "location": "某社区公告栏", "target": "report", "active": "on"},
    )
    assert response.status_code == 302
    entry_point = EntryPoint.objects.get(name="社区公告栏")
    page = admin_client.get(f"/admin/posters/entry-points/inspect/{entry_point.pk}/")
    html = page.content.decode()
    assert f"/r/{entry_point.code}/poster.pdf" in html
    assert services.short_url(entry_point) in html


def test_a_page_target_needs_a_page(admin_client, site_tree):
    response = admin_client.post(
        "/admin/posters/entry-points/new/",
        {"name": "传单", "location": "社区", "target": "page", "active": "on"},
    )
    assert response.status_code == 200
    assert "请选择扫码后打开的页面" in response.content.decode()
    assert not EntryPoint.objects.exists()
