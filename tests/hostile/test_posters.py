"""What a poster's printed link carries: the code in the path and the image's size and error
correction in the query. Whatever arrives, a scan leads to the report form and an image is an
image (or a 404 for a code that does not exist), and an address holding a NUL is refused."""

from urllib.parse import quote

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from posters import pdf, qr

from .strategies import ADVERSARIAL, bounded, carries_nul, form_value, hostile_text

pytestmark = pytest.mark.django_db

size = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["", " 600 ", "1e9", "0x10", "١٢٣", "-0", "4001", "99" * 3000]),
    hostile_text,
)
query = st.fixed_dictionaries(
    {},
    optional={"size": size | st.lists(size, min_size=2, max_size=3), "ecc": form_value},
)


@bounded(300)
@given(query=st.dictionaries(hostile_text, hostile_text, max_size=3) | query)
def test_options_are_always_within_bounds(query):
    pixels, level = qr.options(query)
    assert qr.MIN_SIZE <= pixels <= qr.MAX_SIZE and level in qr.LEVELS


@bounded(200)
@given(value=hostile_text)
def test_the_paper_is_always_one_we_print(value):
    assert pdf.paper_size(value) in pdf.PAPER


def path_of(code):
    return quote(code, safe="")


@bounded(60)
@given(code=hostile_text.filter(bool), params=query)
@example(code="\x00", params={})
@example(code="ABC\x00", params={"size": "100"})
@example(code=" ", params={})
def test_any_code_and_query_is_answered(client, entry_point, code, params):
    refused = carries_nul(code, params)
    scan = client.get(f"/r/{path_of(code)}/", params)
    assert scan.status_code in ((400,) if refused else (302, 404))
    image = client.get(f"/r/{path_of(code)}/qr.svg", params)
    assert image.status_code in ((400,) if refused else (200, 404))


@bounded(25)
@given(params=query, paper=st.sampled_from(["a3", "A4", "", *ADVERSARIAL[:5]]))
def test_a_real_code_always_gives_its_images(client, entry_point, params, paper):
    for kind in ("qr.svg", "qr.png"):
        response = client.get(f"/r/{entry_point.code}/{kind}", params)
        if carries_nul(params):
            assert response.status_code == 400
            continue
        assert response.status_code == 200
        assert response.content
