import os
import sys

from django.core.asgi import get_asgi_application

from portal.settings.env import MissingSetting

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

try:
    application = get_asgi_application()
except MissingSetting as error:
    # Exit status 4 is gunicorn's "application failed to load": the server stops instead of
    # restarting workers that can never start.
    print(f"Configuration error: {error}", file=sys.stderr)
    sys.exit(4)
