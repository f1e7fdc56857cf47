from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from django_tasks import task


def intake_recipients():
    """Active staff who may view clues: superusers and holders of reporting.view_clue."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    permission = Q(groups__permissions__codename="view_clue") | Q(
        user_permissions__codename="view_clue"
    )
    return sorted(
        set(users.filter(Q(is_superuser=True) | permission).values_list("email", flat=True))
    )


@task()
def notify_intake_of_new_clue(clue_id):
    """Tell intake staff a clue arrived: a link only, never its content, so mail servers and
    inboxes hold nothing about the clue or the reporter."""
    recipients = intake_recipients()
    if not recipients:
        return 0
    with override(settings.LANGUAGE_CODE):
        send_mail(
            subject=_("A new clue has arrived"),
            message=_("A new clue is waiting for screening. Sign in to read it:\n%(url)s")
            % {"url": f"{settings.PORTAL_BASE_URL}/admin/"},
            from_email=None,
            recipient_list=recipients,
        )
    return len(recipients)


@task()
def purge_abandoned_staging():
    """Files kept for a report that was never completed are deleted after a day."""
    from . import services, staging
    from .models import ReceiptHandoff

    cutoff = timezone.now() - services.RECEIPT_HANDOFF_LIFETIME
    ReceiptHandoff.objects.filter(created_at__lt=cutoff).delete()
    return staging.purge_abandoned()
