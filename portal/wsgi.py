import os
import sys

from django.core.wsgi import get_wsgi_application

from portal.settings.env import MissingSetting

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

try:
    django_application = get_wsgi_application()
except MissingSetting as error:
    # Exit status 4 is gunicorn's "application failed to load": the server stops instead of
    # restarting workers that can never start.
    print(f"Configuration error: {error}", file=sys.stderr)
    sys.exit(4)

# Stored pages are answered before Django's handler (portal/pagecache/front.py); imported
# once Django is set up, as the cache reads the settings and the apps.
from portal.pagecache.front import PageCacheApplication

application = PageCacheApplication(django_application)
