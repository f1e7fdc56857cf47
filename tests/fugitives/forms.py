"""The admin's edit form of a notice, as an editor sends it, from a notice's current values."""

from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

FIELDS = (
    "title",
    "slug",
    "status",
    "status_reason",
    "person",
    "other_names",
    "sex",
    "identity_number",
    "native_place",
    "description",
    "portrait_alt",
    "region",
    "offence",
    "legal_basis",
    "issuing_authority",
    "reward_rules",
    "contact_phone",
    "surrender_address",
    "surrender_phone",
)
OPTIONAL = ("birth_year", "height_cm", "reward_yuan", "portrait", "law_page", "status_since")


def notice_form(notice, action="publish", photos=(), **changes):
    data = {field: getattr(notice, field) for field in FIELDS}
    for field in OPTIONAL:
        value = getattr(notice, f"{field}_id", None) if field in ("portrait", "law_page") else None
        if field not in ("portrait", "law_page"):
            value = getattr(notice, field)
        data[field] = "" if value is None else value
    data["issued_on"] = notice.issued_on.isoformat()
    data["surrender_policy"] = rich_text(notice.surrender_policy or "")
    if notice.feature_on_home:
        data["feature_on_home"] = "on"
    data.update(changes)
    if data["status_since"] and hasattr(data["status_since"], "isoformat"):
        data["status_since"] = data["status_since"].isoformat()
    data["photos"] = inline_formset(list(photos))
    data[f"action-{action}"] = action
    return nested_form_data(data)
