"""Site-wide demo data: the hotline, the operator and its registration numbers, footer links,
the moderation workflow, and an administrator account."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from wagtail.models import GroupApprovalTask, Page, Site, Workflow, WorkflowPage, WorkflowTask

from .factories import SuperuserFactory
from .models import FooterLink, PortalSettings

ADMIN_USERNAME = "admin"

# The standing pages of content/demo_pages.py, by slug under the Chinese home page (readers of
# English get each page's translation).
FOOTER_LINKS = [
    ("privacy", "隐私说明", "Privacy notice"),
    ("guide", "举报指南", "How to report"),
    ("about", "关于本平台", "About this portal"),
    ("figures", "数据公开", "Open figures"),
]


# Fictional, and saying so in what readers see: a demo must not pass for a registered site.
OPERATOR = {
    "operator_zh": "示例主办单位（虚构，仅供演示）",
    "operator_en": "Example operator (fictional, for demonstration only)",
    "address_zh": "示例省示例市示例路 1 号（虚构地址）",
    "address_en": "1 Example Road, Example City (fictional address)",
    "icp_number": "示例ICP备00000000号（虚构）",
    "public_security_number": "示例公网安备00000000000000号（虚构）",
}


def load_settings(site: Site) -> None:
    """The hotline (the model's default), the operator lines and footer links to the
    standing pages: call after those pages exist. What an editor has set is kept."""
    portal_settings = PortalSettings.for_site(site)
    if not any(getattr(portal_settings, field) for field in OPERATOR):
        for field, value in OPERATOR.items():
            setattr(portal_settings, field, value)
        portal_settings.save()
    if portal_settings.footer_links.exists():
        return
    for slug, title_zh, title_en in FOOTER_LINKS:
        page = Page.objects.child_of(site.root_page).filter(slug=slug).first()
        FooterLink.objects.create(
            portal_settings=portal_settings,
            title_zh=title_zh,
            title_en=title_en,
            link_page=page or site.root_page,
        )


def load_workflow(site: Site) -> Workflow:
    """Pages in both language trees go through Wagtail's moderation workflow: an editor
    submits, a member of Moderators approves and publishes. Wagtail's migrations create that
    workflow ("Moderators approval") on the tree's root; it is found, or made if an
    administrator removed it, and assigned to each language's home page so a workflow given to
    the root for other purposes does not change it. Assignments an editor changed are kept."""
    moderators, _created = Group.objects.get_or_create(name="Moderators")
    task = GroupApprovalTask.objects.filter(active=True, groups=moderators).order_by("pk").first()
    if task is None:
        task = GroupApprovalTask.objects.create(name="Moderators approval")
        task.groups.set([moderators])
    workflow = (
        Workflow.objects.filter(active=True, workflow_tasks__task=task).order_by("pk").first()
    )
    if workflow is None:
        workflow = Workflow.objects.create(name="Moderators approval")
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    for home in site.root_page.get_translations(inclusive=True):
        WorkflowPage.objects.get_or_create(page=home, defaults={"workflow": workflow})
    return workflow


def reset_admin() -> tuple[str, str]:
    """Create the demo administrator or give it a fresh random password; never a fixed one,
    so a demo left reachable on a network is not open to anyone who read the README."""
    password = secrets.token_urlsafe(12)
    hashed = make_password(password)
    user = get_user_model().objects.filter(username=ADMIN_USERNAME).first()
    if user is None:
        # Given the hash: the factory would hash a placeholder of its own first.
        user = SuperuserFactory(
            username=ADMIN_USERNAME, first_name="演示", last_name="管理员", password=hashed
        )
    user.password = hashed
    user.is_active = user.is_staff = user.is_superuser = True
    user.save()
    return ADMIN_USERNAME, password
