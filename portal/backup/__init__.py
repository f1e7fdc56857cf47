"""Scripted backups (docs/operations.md#backup-and-restore): `backup_portal` and
`restore_portal` run archive.py under the portal's settings; crypto.py seals each part; the
keys file is opened without settings by `python -m portal.backup open-keys`."""
