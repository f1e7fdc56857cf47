from django.conf import settings
from django.core.checks import Error, register

from portal.pdffonts import load_font


@register()
def poster_font_is_usable(app_configs, **kwargs):
    """A missing or unusable font would only show when someone downloads a poster; refuse it
    when the portal is checked (every management command, the release step's migrate)."""
    try:
        load_font()
    except Exception as error:  # reportlab raises OSError, TTFError or its own exceptions
        return [
            Error(
                f"The poster font {settings.POSTER_FONT_PATH!r} "
                f"(face {settings.POSTER_FONT_INDEX}) cannot be used: {error}",
                hint=(
                    "Install Debian's fonts-wqy-microhei (apt-get install fonts-wqy-microhei), "
                    "or set POSTER_FONT_PATH (and POSTER_FONT_INDEX for a .ttc) to another "
                    "TrueType CJK font. OpenType fonts with CFF outlines cannot be embedded."
                ),
                id="posters.E001",
            )
        ]
    return []
