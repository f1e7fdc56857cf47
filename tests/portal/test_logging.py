import logging

import pytest

from portal.logging import RedactAddresses, redact


@pytest.mark.parametrize(
    "address",
    [
        "203.0.113.77",
        "10.0.0.1",
        "2001:db8::1",
        "::1",
        "fe80::a00:27ff:fe4e:66a1",
        "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
    ],
)
def test_addresses_are_blanked(address):
    assert redact(f"Invalid request from ip={address}: bad line") == (
        "Invalid request from ip=[address]: bad line"
    )


@pytest.mark.parametrize(
    "text", ["at 12:00:00 the job ran", "version 3.11.7", "GET /report/?entry=BUS42 200"]
)
def test_other_text_is_left_alone(text):
    assert redact(text) == text


def test_filter_rewrites_formatted_records():
    record = logging.LogRecord(
        "x", logging.WARNING, __file__, 1, "from %s", ("198.51.100.9",), None
    )
    assert RedactAddresses().filter(record)
    assert record.getMessage() == "from [address]"


def test_gunicorn_access_log_format_names_no_client():
    from pathlib import Path

    namespace = {}
    source = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
    exec(compile(source.read_text(), str(source), "exec"), namespace)  # noqa: S102 (our own config file)
    for atom in ("%(h)s", "%(a)s", "%(f)s", "%({x-forwarded-for}i)s", "%(u)s"):
        assert atom not in namespace["access_log_format"]
    assert "redact" in namespace["logconfig_dict"]["handlers"]["error"]["filters"]
