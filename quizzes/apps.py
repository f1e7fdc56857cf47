from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = _("Law quizzes")

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from .models import Attempt
        from .permissions import AttemptPolicy

        register_permission_policy(Attempt, AttemptPolicy(Attempt))
