from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = _("Law quizzes")

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from portal import registry

        from .models import Attempt
        from .permissions import AttemptPolicy

        register_permission_policy(Attempt, AttemptPolicy(Attempt))

        # After the moderation workflow (20), the law (30) and the content pages (50, 60):
        # the questions cite the law, the pages go under the home pages.
        registry.add_demo_step(65, _demo_quizzes)
        # After reporting's reference data (90): the participants name their provinces.
        registry.add_demo_step(95, _demo_leaderboard)
        registry.add_demo_summary(55, _demo_summary)


# The demo module is imported when the demo is loaded, not by every web process.


def _demo_quizzes(context):
    from . import demo

    context["quizzes"] = demo.load()


def _demo_leaderboard(context):
    from . import demo

    demo.load_leaderboard()


def _demo_summary(context):
    found = context.get("quizzes")
    if not found:
        return None
    from django.urls import reverse

    practice, competition = found["practice"][0], found["competition"][0]
    base = settings.PORTAL_BASE_URL
    leaderboard = reverse("quizzes:leaderboard", args=[competition.pk])
    return (
        f"Demo law quizzes: {base}{practice.url}  (practice) and {base}{competition.url}  "
        f"(competition, open until {competition.closes_at:%Y-%m-%d}; leaderboard: "
        f"{base}{leaderboard})"
    )
