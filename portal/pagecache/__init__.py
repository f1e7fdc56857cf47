"""Whole responses for anonymous readers, served from a cache without touching the database,
and the values pages are built from, kept until the content changes (docs/caching.md).

A page is stored once rendered for a reader who sent no session or messages cookie, when the
response is the same for everyone: a 200 that sets no cookie, does not vary on cookies, did
not use a CSRF token and was not marked private or uncacheable by its view. Everything a
staff member, a reporter or a preview sees is rendered afresh and marked private.

Invalidation is one "generation" token for the whole site: publishing, unpublishing, moving
or deleting a page, saving a snippet, a setting, a site, a locale, an image or a document
changes it (portal/apps.py connects the signals), and every entry stored under an older
token is a miss from then on. With Redis the token lives beside the pages, one round trip
reads both; with the in-process cache each web process has its own pages, so the token is
a small file that every process on the machine stats, and any process (the web worker that
published, the task worker that refreshed the statistics, a cron job) can change.

- `generation`: the token, how it is read and changed, and what this deployment renders with.
- `invalidation`: the signals that change it, and `watch()` for an app's own models.
- `kept`: values kept until the content changes, in this process or in the page cache.
- `middleware`: stores pages and answers from them inside Django.
- `front`: the WSGI application that answers most stored pages before Django does.
"""
