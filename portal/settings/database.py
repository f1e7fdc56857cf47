import dj_database_url


def database_settings(url: str, conn_max_age: int = 600) -> dict:
    """Django DATABASES["default"] for a DATABASE_URL, tuned per engine."""
    config = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at the
        # start of a transaction, so concurrent submissions queue on the busy timeout instead
        # of failing with "database is locked" when a read lock cannot be upgraded.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend, checking a busy connection's health once a second rather than
        # before every request (portal/postgresql/base.py).
        config["ENGINE"] = "portal.postgresql"
        # A database host that drops packets must fail fast (readiness answers 503 with a
        # reason) instead of hanging requests until the client gives up.
        config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    return config
