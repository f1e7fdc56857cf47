from django.conf import settings
from django.core.checks import Error, register


@register()
def second_factor_is_required_outside_development(app_configs, **kwargs):
    """Only the development settings may switch the second factor off."""
    if settings.TWO_FACTOR_REQUIRED or settings.DEBUG:
        return []
    return [
        Error(
            "TWO_FACTOR_REQUIRED is off while DEBUG is off.",
            hint="Staff accounts read clues: only development settings may turn it off.",
            id="accounts.E001",
        )
    ]
