"""The demo's API key: the Tangshan office's case system, so a newcomer can run
scripts/unit_client.py against the demo straight away."""

from reporting.models import Unit

from .models import ApiKey

DEMO_KEY_NAME = "（示例）唐山市扫黑办案件系统"


def demo_api_key(people):
    """A new key at every loading (the last one is revoked: its secret was printed once and is
    stored nowhere), created by the Tangshan supervisor, reading clues and evidence and
    acting on them."""
    unit = Unit.objects.get(code="r130200")
    supervisor = people.get("supervisor-tangshan")
    for old in ApiKey.objects.filter(unit=unit, name=DEMO_KEY_NAME, revoked_at__isnull=True):
        old.revoke(supervisor)
    _row, key = ApiKey.issue(
        unit=unit,
        name=DEMO_KEY_NAME,
        scopes=[ApiKey.Scope.READ, ApiKey.Scope.ACT, ApiKey.Scope.EVIDENCE],
        created_by=supervisor,
    )
    return key
