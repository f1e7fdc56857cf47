"""The CSV imports: posters in bulk (an admin upload) and regions (a command). Any file is
created whole or refused whole with reasons; never an error, on either database."""

import csv
import io
from io import StringIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from posters import services
from posters.models import EntryPoint
from reporting.models import Region

from .strategies import binary, bounded, hostile_text

pytestmark = pytest.mark.django_db

POSTER_HEADERS = [alias for aliases in services.IMPORT_COLUMNS.values() for alias in aliases]
cell = st.one_of(
    hostile_text,
    st.sampled_from(["routine-loans", "130200", "130000", "春季宣传", "菜市场", ""]),
)


def as_csv(rows, encoding, delimiter=","):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode(encoding, "replace")


@st.composite
def poster_files(draw):
    header = draw(st.lists(st.sampled_from(POSTER_HEADERS) | hostile_text, max_size=6))
    rows = draw(st.lists(st.lists(cell, max_size=7), max_size=6))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1"]))
    return as_csv([header, *rows], encoding, draw(st.sampled_from([",", ";", "\t"])))


@bounded(80)
@given(data=poster_files() | binary)
@example(data=b"name,location,region\nA,B,1302\x00\n")
@example(data=b"name,location,campaign\nA,B," + ("活" * 101).encode())
def test_any_poster_file_is_imported_or_refused(open_site, data):
    before = EntryPoint.objects.count()
    try:
        created = services.import_entry_points(data)
    except services.ImportRefused as refused:
        assert refused.errors
        assert EntryPoint.objects.count() == before
    else:
        assert len(created) == EntryPoint.objects.count() - before


@bounded(30)
@given(data=poster_files() | binary, name=st.sampled_from(["a.csv", "a.xlsx", "", "x" * 300]))
def test_the_admin_upload_answers_any_file(admin_client, open_site, data, name):
    upload = SimpleUploadedFile(name or "f", data)
    response = admin_client.post("/admin/posters/entry-points/import/", {"file": upload})
    assert response.status_code == 200


REGION_HEADER = ["code", "parent", "level", "name", "name_en"]
region_cell = st.one_of(
    hostile_text,
    st.sampled_from(["130000", "130200", "130203", "999999", "province", "city", "county", ""]),
    st.text(st.sampled_from("0123456789"), min_size=6, max_size=12),
    st.sampled_from(["١٣٠٢٠٠", "１３０２００", "²³¹²³¹"]),
)


@st.composite
def region_files(draw):
    header = draw(st.just(REGION_HEADER) | st.lists(hostile_text, max_size=5))
    rows = draw(st.lists(st.lists(region_cell, min_size=4, max_size=6), max_size=5))
    return as_csv([header, *rows], draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"])))


@bounded(60)
@given(data=region_files() | binary)
@example(data=as_csv([REGION_HEADER, ["130299", "130200", "county", "名" * 101, "n"]], "utf-8"))
@example(data=as_csv([REGION_HEADER, ["130299", "130200", "county", "名\x00", "n"]], "utf-8"))
@example(data=as_csv([REGION_HEADER, ["١٣٠٢٩٩", "130200", "county", "名", "n"]], "utf-8"))
@example(data=as_csv([REGION_HEADER, ["130299", "130200", "county", "名", "n", "extra"]], "utf-8"))
def test_any_regions_file_is_loaded_or_refused(open_site, tmp_path_factory, data):
    path = tmp_path_factory.mktemp("regions") / "regions.csv"
    path.write_bytes(data)
    before = set(Region.objects.values_list("code", flat=True))
    try:
        call_command("load_regions", str(path), stdout=StringIO())
    except CommandError as error:
        assert str(error)
        assert set(Region.objects.values_list("code", flat=True)) == before
    for region in Region.objects.exclude(code__in=before):
        assert region.code.isascii() and region.code.isdigit()
