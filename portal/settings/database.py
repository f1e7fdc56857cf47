import dj_database_url

# How long a request waits for a pooled connection before it fails as a database outage (a
# report keeps its text: reporting.intake.views.outage). While the database is down every
# request waits this long, /readyz/ included, so it is no longer than connect_timeout.
POOL_TIMEOUT_SECONDS = 5


# A statement is prepared on a connection the third time it runs there: a report's statements
# run on every report, and one seldom run is not worth a prepared statement's memory.
PREPARE_THRESHOLD = 2


def database_settings(
    url: str, conn_max_age: int = 600, pool_size: int = 0, prepared_statements: bool = True
) -> dict:
    """Django DATABASES["default"] for a DATABASE_URL, tuned per engine.

    `pool_size` (PostgreSQL only): the most connections this process holds, shared by its
    threads through Django's pool; 0 leaves each thread its own persistent connection.
    `prepared_statements` (PostgreSQL only): parameters bound by the server and statements
    prepared; off, psycopg writes the values into each statement's text (for a connection
    pooler that cannot keep prepared statements)."""
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
        if prepared_statements:
            # Parameters bound by the server, statements prepared on a connection once it has
            # run them PREPARE_THRESHOLD times (portal/postgresql/cursors.py).
            config["OPTIONS"].update(server_side_binding=True, prepare_threshold=PREPARE_THRESHOLD)
        if pool_size:
            config["OPTIONS"]["pool"] = pool_options(pool_size)
            # A pooled connection goes back to the pool at the end of each request (Django
            # refuses a pool otherwise); with health checks on, the pool checks it when it
            # hands it out again.
            config["CONN_MAX_AGE"] = 0
    return config


def pool_options(size: int) -> dict:
    """psycopg_pool's ConnectionPool arguments, as Django passes them."""
    return {
        # Two open at start, so the first requests after a worker starts do not each connect.
        "min_size": min(2, size),
        "max_size": size,
        "timeout": POOL_TIMEOUT_SECONDS,
    }
