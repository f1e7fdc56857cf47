"""What the portal does at run time, done in a process connected as the application role of
deploy/postgres/init-roles.sh (tests/portal/test_database_roles.py runs it): the demo loaded,
a report sent through the public form, staff moving it on, the periodic jobs run by the
worker, the readiness probe. Prints one JSON line of what it saw; any refusal of the
database ends it with a traceback."""

import json
import re
import time
from datetime import timedelta

import django


def main():
    django.setup()

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from captcha.models import CaptchaStore
    from django_tasks_db.models import DBTaskResult

    from portal import registry
    from portal.management.commands.run_worker import queue_periodic_checks
    from reporting.intake.antispam import issue_stamp
    from reporting.lifecycle import review as workflow
    from reporting.models import Category, Clue, LedgerEntry, Transfer, Unit
    from tests.reporting.helpers import act

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (role,) = cursor.fetchone()

    call_command("load_demo_content", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115

    reporter = Client()
    html = reporter.get("/report/").content.decode()
    key = re.search(r'name="captcha_0" value="([^"]+)"', html).group(1)
    token = re.search(r'name="submission_token" value="([^"]+)"', html).group(1)
    sent = reporter.post(
        "/report/",
        {
            "captcha_0": key,
            "captcha_1": CaptchaStore.objects.get(hashkey=key).response,
            "submission_token": token,
            # Signed as opened a minute ago, rather than waited for (the form's minimum time).
            "issued": issue_stamp(token, at=time.time() - 60),
            "category": Category.objects.get(slug="routine-loans").pk,
            "region": "130200",
            "what_happened": "每月有人上门暴力催收，砸坏店铺玻璃。",
            "when": "unknown",
            "where": "某市场东门",
            "officials_shield": "unknown",
            "identity": "anonymous",
            "agree": "on",
            "party-TOTAL_FORMS": "1",
            "party-INITIAL_FORMS": "0",
            "party-MIN_NUM_FORMS": "0",
            "party-MAX_NUM_FORMS": "10",
            "party-0-name": "刀疤强",
        },
    )
    receipt = reporter.get(sent["Location"]) if sent.status_code == 302 else sent
    clue = Clue.objects.get(submission_token=token)

    staff = {u.username: u for u in get_user_model().objects.filter(username__contains="-")}
    accepted = act(staff["intake-hebei"], clue, "accept")
    clue.refresh_from_db()
    after_accept = clue.status
    workflow.transfer(
        clue,
        staff["intake-hebei"],
        to_unit=Unit.objects.get(code="r130200"),
        mode=Transfer.Mode.NORMAL,
        deadline=timezone.now() + timedelta(days=30),
    )
    workflow.acknowledge(clue, staff["verifier-tangshan"])
    clue.refresh_from_db()

    queue_periodic_checks()
    call_command("run_worker", batch=True, verbosity=0)
    tasks = DBTaskResult.objects.all()

    print(
        json.dumps(
            {
                "role": role,
                "report": [sent.status_code, receipt.status_code],
                "accept": [accepted.status_code, after_accept],
                "status": clue.status,
                "ledger": list(
                    LedgerEntry.objects.filter(clue=clue).values_list("action", flat=True)
                ),
                "task_statuses": sorted(set(tasks.values_list("status", flat=True))),
                "tasks_run": sorted(set(tasks.values_list("task_path", flat=True))),
                "periodic": sorted(check.module_path for check in registry.periodic_tasks()),
                "ready": Client().get("/readyz/").status_code,
            }
        )
    )


if __name__ == "__main__":
    main()
