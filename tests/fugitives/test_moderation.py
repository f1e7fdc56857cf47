"""A notice goes through moderation like every page: an editor's notice or status change is
not public until a moderator approves it."""

from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

import pytest

import portal.demo
from fugitives.models import NoticePage
from portal.factories import UserFactory

from .forms import notice_form

pytestmark = pytest.mark.django_db


def member(group_name, username):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def test_an_editors_status_change_waits_for_a_moderator(client, demo):
    portal.demo.load_workflow(demo["site"])
    notice = demo["wanted"]
    client.force_login(member("Editors", "editor"))
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[notice.pk]),
        notice_form(notice, status="caught", action="submit"),
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    notice = NoticePage.objects.get(pk=notice.pk)
    assert notice.status == "wanted" and notice.workflow_in_progress
    reader = Client()
    assert "?notice=" in reader.get(notice.url).content.decode()

    client.force_login(member("Moderators", "moderator"))
    task_state = notice.current_workflow_task_state
    approve = reverse(
        "wagtailadmin_pages:workflow_action", args=[notice.pk, "approve", task_state.pk]
    )
    assert client.post(approve, {"comment": "OK"}).status_code in {200, 302}
    notice = NoticePage.objects.get(pk=notice.pk)
    assert notice.status == "caught"
    html = reader.get(notice.url).content.decode()
    assert "notice-page__status" in html and "?notice=" not in html
