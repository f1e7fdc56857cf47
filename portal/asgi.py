import os
import sys

from django.core.asgi import get_asgi_application

from portal.settings.env import MissingSetting

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

try:
    application = get_asgi_application()
except MissingSetting as error:
    sys.exit(f"Configuration error: {error}")
