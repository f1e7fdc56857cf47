"""Demo reporting data: sample cities and counties under two provinces, and one fictional
report with a question from staff, whose receipt the demo command prints so a newcomer can
try the status page."""

from django.contrib.auth import get_user_model

from . import services
from .models import Category, Clue, Region
from .receipts import format_access_key, format_tracking_number, hash_access_key, new_access_key
from .reference import DATA, load_regions, seed_if_empty

DEMO_TOKEN = "demo-report-0000000000000001"  # noqa: S105  (a form token, not a secret)


def load():
    seed_if_empty()
    load_regions(DATA / "demo_regions.csv")


def demo_report():
    """Create the demo report if missing and give it a new access key; returns the receipt."""
    clue = Clue.objects.filter(submission_token=DEMO_TOKEN).first()
    if clue is None:
        clue, _key = services.submit_clue(
            details={
                "category": Category.objects.get(slug="routine-loans"),
                "region": Region.objects.get(code="130203"),
                "what_happened": "（示例，虚构）某“小额贷款”公司以“砍头息”放贷，借款人逾期后，"
                "多人上门喷漆、堵门、深夜电话骚扰，逼迫借款人家属还款。",
                "when": Clue.When.UNKNOWN,
                "where": "（示例）某小区",
                "officials_shield": Clue.Shield.UNKNOWN,
            },
            parties=[{"name": "（示例）“光头”", "description": "自称公司经理", "role": "头目"}],
            reporter=None,
            submission_token=DEMO_TOKEN,
            entry_code="",
            language="zh-hans",
        )
        staff = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
        services.ask_reporter(clue, "（示例）请问上门的人是否开车？记得车牌号吗？", staff=staff)
    # Like the admin password, a fresh key each run: only its hash is ever stored.
    key = new_access_key()
    clue.access_key_hash = hash_access_key(key)
    clue.save(update_fields=["access_key_hash"])
    return format_tracking_number(clue.tracking_number), format_access_key(key)
