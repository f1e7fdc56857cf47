from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register


@register()
def private_media_is_not_public(app_configs, **kwargs):
    """Evidence must never be reachable through MEDIA_URL or STATIC_URL."""
    private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    errors = []
    for name in ("MEDIA_ROOT", "STATIC_ROOT"):
        public = Path(getattr(settings, name)).resolve()
        if private == public or public in private.parents or private in public.parents:
            errors.append(
                Error(
                    f"PRIVATE_MEDIA_ROOT ({private}) overlaps {name} ({public}).",
                    hint="Put private evidence in a folder outside every public file area.",
                    id="portal.E001",
                )
            )
    return errors
