from django.contrib.auth.models import Group
from django.urls import reverse

from wagtail.models import WorkflowPage
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

import pytest

import portal.demo
from content.factories import HomePageFactory
from portal.factories import UserFactory


def member(group_name, username):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.mark.django_db
def test_demo_assigns_the_moderation_workflow_to_both_language_trees(site_tree):
    first = portal.demo.load_workflow(site_tree["site"])
    second = portal.demo.load_workflow(site_tree["site"])
    assert first == second
    for home in (site_tree["home"], site_tree["en_home"]):
        assert WorkflowPage.objects.get(page=home).workflow == first
        assert home.get_workflow() == first
    assert [task.specific.groups.get().name for task in first.tasks] == ["Moderators"]
    assert WorkflowPage.objects.filter(workflow=first).count() >= 2


@pytest.mark.django_db
@pytest.mark.parametrize("tree", ["home", "en_home"])
def test_an_editors_page_stays_unpublished_until_a_moderator_approves(client, site_tree, tree):
    portal.demo.load_workflow(site_tree["site"])
    page = HomePageFactory(parent=site_tree[tree], slug="draft", title="Draft", live=False)
    page.save_revision()
    editor = member("Editors", "editor")
    moderator = member("Moderators", "moderator")

    client.force_login(editor)
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        nested_form_data(
            {
                "title": "Ready for review",
                "slug": "draft",
                "lead": "A lead.",
                "body": rich_text("<p>Body.</p>"),
                "featured_stories": inline_formset([]),
                "action-submit": "Submit",
            }
        ),
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert not page.live
    assert page.workflow_in_progress
    assert client.get(page.get_url()).status_code == 404  # readers do not see it
    # An editor cannot approve their own submission.
    task_state = page.current_workflow_task_state
    approve = reverse(
        "wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk]
    )
    client.post(approve, {"comment": ""})
    page.refresh_from_db()
    assert not page.live

    client.force_login(moderator)
    assert client.post(approve, {"comment": "OK"}).status_code in {200, 302}
    page.refresh_from_db()
    assert page.live
    assert page.title == "Ready for review"
    client.logout()
    assert client.get(page.get_url()).status_code == 200
