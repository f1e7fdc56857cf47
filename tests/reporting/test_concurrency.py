import re
import threading
import time

from django.db import connection
from django.test import Client

import pytest
from captcha.models import CaptchaStore

import reporting.demo
from reporting.intake.antispam import issue_stamp
from reporting.models import Category, Clue

THREADS, PER_THREAD = 8, 25


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_200_concurrent_reports_get_200_distinct_tracking_numbers(site_tree, settings):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is measured against PostgreSQL, as production runs")
    # 200 reports from one address in a minute: a load test raises the flood limit explicitly.
    settings.REPORT_RATE_LIMIT = 10_000
    reporting.demo.load()
    category = Category.objects.get(slug="gang-crime").pk
    receipts, errors = [], []

    def reporter(worker):
        client = Client()
        try:
            for n in range(PER_THREAD):
                html = client.get("/report/").content.decode()
                key = re.search(r'name="captcha_0" value="([^"]+)"', html).group(1)
                token = re.search(r'name="submission_token" value="([^"]+)"', html).group(1)
                answer = CaptchaStore.objects.get(hashkey=key).response
                response = client.post(
                    "/report/",
                    {
                        "category": category,
                        "what_happened": f"并发举报 {worker}-{n}",
                        "when": "unknown",
                        "officials_shield": "unknown",
                        "identity": "anonymous",
                        "agree": "on",
                        "party-TOTAL_FORMS": "0",
                        "party-INITIAL_FORMS": "0",
                        "captcha_0": key,
                        "captcha_1": answer,
                        "submission_token": token,
                        # Sent as a person would, a minute after the form was opened.
                        "issued": issue_stamp(token, at=time.time() - 60),
                    },
                )
                assert response.status_code == 302, response.status_code
                receipt = client.get(response["Location"]).content.decode()
                receipts.append(re.search(r'id="tracking-number"[^>]*>([^<]+)<', receipt).group(1))
        except Exception as error:  # collected and reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=reporter, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(receipts) == THREADS * PER_THREAD
    assert len(set(receipts)) == THREADS * PER_THREAD
    assert Clue.objects.count() == THREADS * PER_THREAD
    assert Clue.objects.values("tracking_number").distinct().count() == THREADS * PER_THREAD
