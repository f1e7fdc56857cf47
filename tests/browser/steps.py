"""Steps a person takes, shared by the browser tests."""

import contextlib
import io
import re
import sqlite3
from datetime import UTC, datetime

from PIL import Image

from .conftest import solve_captcha

WHAT_HAPPENED = "每天傍晚有几个人到农贸市场收“管理费”，不交就掀摊子。"


def photo():
    """A small real photo for the evidence box."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 160)).save(out, format="PNG")
    return {"name": "market.png", "mimeType": "image/png", "buffer": out.getvalue()}


def fill_report(page, server, text=WHAT_HAPPENED, evidence=True):
    """The form as a reporter fills it: what happened, where, one person, a photo, the notice
    and the captcha. The category comes from the poster or is chosen here."""
    if not page.locator('input[name="category"]:checked').count():
        page.locator('input[name="category"]').first.check()
    page.locator("#id_what_happened").fill(text)
    page.locator("#id_where").fill("农贸市场东门")
    page.locator("#id_party-0-name").fill("黄毛")
    if evidence:
        page.locator('input[name="evidence"]').set_input_files(photo())
    page.locator("#id_agree").check()
    solve_captcha(page, server)


def send(page):
    page.locator(".report-form button.button--primary").click()


def read_receipt(page):
    """The two codes as a person copies them down: without the invisible break opportunities
    the receipt puts between the key's groups."""
    page.wait_for_url(re.compile(r"/report/receipt/$"))
    return (
        page.locator("#tracking-number").inner_text().strip(),
        page.locator("#access-key").inner_text().replace("\u200b", "").strip(),
    )


def open_status(page, tracking_number, access_key, prefix=""):
    page.goto(f"{prefix}/report/status/")
    page.locator("#id_tracking_number").fill(tracking_number)
    page.locator("#id_access_key").fill(access_key)
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#public-status")


def report(context, server, url="/report/"):
    """A whole report from a fresh page; returns the receipt."""
    page = context.new_page()
    page.goto(url)
    fill_report(page, server, evidence=False)
    send(page)
    receipt = read_receipt(page)
    page.close()
    return receipt


def ask(server, tracking_number, question):
    """Staff ask the reporter a question: written straight into the server's database, as
    the admin would store it."""
    number = tracking_number.replace(" ", "")
    with contextlib.closing(sqlite3.connect(server.db, timeout=10)) as connection, connection:
        (clue,) = connection.execute(
            "SELECT id FROM reporting_clue WHERE tracking_number = ?", (number,)
        ).fetchone()
        connection.execute(
            "INSERT INTO reporting_message (clue_id, sender, body, created_at)"
            " VALUES (?, 'staff', ?, ?)",
            (clue, question, datetime.now(UTC).replace(tzinfo=None).isoformat(" ")),
        )
