"""The reward settings, refused when a deployer's value would only fail later: an unknown
payment method the form could never offer, an outcome no conclusion ever has (no reward would
ever be claimable), a deadline of zero days."""

from django.conf import settings
from django.core.checks import Error, register
from django.core.checks import Warning as CheckWarning

from reporting.models import Conclusion

from .models import Claim

DAY_SETTINGS = (
    "REWARD_ASSESSMENT_DAYS",
    "REWARD_CLAIM_WINDOW_DAYS",
    "REWARD_ESCALATION_GRACE_DAYS",
)


def _unknown(name, known, error_id):
    values = getattr(settings, name, None)
    if isinstance(values, str) or not isinstance(values, list | tuple):
        return [
            Error(
                f"{name} must be a list of values, not {values!r}.",
                hint=f"Known values: {', '.join(known)} (comma-separated in the environment).",
                id=error_id,
            )
        ]
    unknown = [value for value in values if value not in known]
    if unknown:
        return [
            Error(
                f"{name} has unknown values: {', '.join(map(repr, unknown))}.",
                hint=f"Known values: {', '.join(known)}.",
                id=error_id,
            )
        ]
    if not values:
        # Legitimate for switching rewards off, so a warning: but likely a typo.
        return [
            CheckWarning(
                f"{name} is empty: no reward can be claimed.",
                hint=f"Known values: {', '.join(known)}.",
                id=error_id.replace(".E", ".W"),
            )
        ]
    return []


@register()
def reward_settings(app_configs, **kwargs):
    errors = _unknown("REWARD_PAYMENT_METHODS", Claim.Method.values, "rewards.E001")
    errors += _unknown("REWARD_QUALIFYING_OUTCOMES", Conclusion.Outcome.values, "rewards.E002")
    for name in DAY_SETTINGS:
        days = getattr(settings, name, None)
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            errors.append(
                Error(
                    f"{name} must be a whole number of days, at least 1, not {days!r}.",
                    id="rewards.E003",
                )
            )
    return errors
