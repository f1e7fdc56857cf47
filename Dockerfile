# syntax=docker/dockerfile:1
# Build: install the locked dependencies, compile translations, collect static files, make
# the search's word dictionary (var/cache/, read-only at run time and shared by the workers).
FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /venv
COPY requirements/base.lock /tmp/base.lock
RUN /venv/bin/pip install --no-cache-dir --require-hashes -r /tmp/base.lock
WORKDIR /app
COPY . .
# Dummy values satisfy production settings for these offline steps only; nothing is served.
# The system checks run where the portal runs (the release step's migrate): this stage lacks
# the runtime's packages, such as the poster font.
RUN export DJANGO_SETTINGS_MODULE=portal.settings.production \
      SECRET_KEY=build-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz \
      ALLOWED_HOSTS=build.invalid PORTAL_BASE_URL=https://build.invalid \
      REPORTER_ENCRYPTION_KEYS=YnVpbGQtb25seS1rZXktbm90LXNlY3JldC0wMTIzNDU= \
      DATABASE_URL=sqlite:////tmp/build.sqlite3 STATIC_ROOT=/app/staticfiles \
 && /venv/bin/python scripts/translations.py compile \
 && /venv/bin/python manage.py collectstatic --noinput -v 0 \
 && /venv/bin/python manage.py build_search_dictionary --skip-checks

# Run: no compilers, no build tools, a non-root user, only the app and its virtualenv.
FROM python:3.11-slim-bookworm AS runtime
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production \
    STATIC_ROOT=/app/staticfiles MEDIA_ROOT=/data/media PRIVATE_MEDIA_ROOT=/data/private
# espeak-ng speaks the captcha in Mandarin for people who cannot read the picture;
# fonts-wqy-microhei is the CJK font embedded in poster PDFs (POSTER_FONT_PATH);
# postgresql-client (15 on bookworm, as compose.yaml's db) gives backup_portal its pg_dump.
RUN apt-get update \
 && apt-get install -y --no-install-recommends espeak-ng fonts-wqy-microhei postgresql-client \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 portal \
 && useradd --system --uid 10001 --gid portal --home-dir /app --shell /usr/sbin/nologin portal \
 && mkdir -p /data/media /data/private \
 && chown portal:portal /data/media /data/private \
 && chmod 0750 /data/private
COPY --from=build /venv /venv
COPY --from=build --chown=root:root /app /app
WORKDIR /app
USER portal
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz/', timeout=4)"]
# Migrations are not run here: they are a one-off release step (see compose.yaml).
CMD ["gunicorn", "--config", "gunicorn.conf.py", "portal.wsgi:application"]
