"""The anchors the portal's pages are measured against, in the same run on the same machine:
a bare Django view, and a bare form with a captcha that writes one row (PostgreSQL, persistent
connections). Nothing of the portal is imported here."""
