"""The forgotten-password form: whatever is typed or added, the answer is the form again with
an error, the same "sent if we know it" page, or a refusal of a malformed request (a field
name over Django's header limit), never a server error; and only a staff member's own
address queues a mail for them."""

import pytest
from django_tasks_db.models import DBTaskResult
from hypothesis import example, given
from hypothesis import strategies as st

from portal.factories import UserFactory

from .strategies import bounded, form_value, hostile_text

pytestmark = pytest.mark.django_db

STAFF_ADDRESS = "reviewer@example.test"


@pytest.fixture
def staff_member(db, settings):
    # Each example is one more request from one client: the limits are not what is tested.
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 10**9
    settings.PASSWORD_RESET_LIMIT_PER_CLIENT = 10**9
    return UserFactory(username="reviewer", email=STAFF_ADDRESS, is_staff=True)


@bounded(60)
@given(
    email=form_value | st.builds("{}@example.test".format, hostile_text),
    extra=st.dictionaries(hostile_text, form_value, max_size=2),
)
@example(email="reviewer@example.test\x00", extra={})
@example(email="REVIEWER@EXAMPLE.TEST", extra={})
@example(email="reviewer@example.test", extra={"email": "x"})
def test_any_reset_request_is_answered(client, staff_member, email, extra):
    before = DBTaskResult.objects.count()
    response = client.post("/admin/password_reset/", {**extra, "email": email})
    assert response.status_code in (200, 302, 400)
    if response.status_code == 302:
        assert response["Location"] == "/admin/password_reset/done/"
        [task] = DBTaskResult.objects.order_by("-enqueued_at")[:1]
        ids = task.args_kwargs["args"][0]
        assert ids in ([], [staff_member.pk])
        assert DBTaskResult.objects.count() == before + 1
    else:
        assert DBTaskResult.objects.count() == before
