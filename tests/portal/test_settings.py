import threading

from django.conf import settings
from django.db import connections, transaction

import pytest

from portal.settings.database import database_settings

PRODUCTION_ENV = {
    "SECRET_KEY": "deploy-check-k3y-with-enough-variety-0123456789-abcdefghijklmnop",
    "ALLOWED_HOSTS": "portal.example.org",
    "PORTAL_BASE_URL": "https://portal.example.org",
    "REPORTER_ENCRYPTION_KEYS": "dGVzdC1vbmx5LWtleS1ub3Qtc2VjcmV0LTAxMjM0NTY=",
}


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "ALLOWED_HOSTS", "PORTAL_BASE_URL", "REPORTER_ENCRYPTION_KEYS"]
)
def test_production_refuses_to_start_naming_the_missing_variable(run_django, missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = run_django(
        "import sys; sys.argv = ['manage.py', 'check']; import runpy; "
        "runpy.run_path('manage.py', run_name='__main__')",
        env,
        settings_module="portal.settings.production",
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Configuration error: {missing} environment variable")


def test_production_wsgi_refuses_to_start_without_secret_key(run_django):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_django("import portal.wsgi", env, settings_module="portal.settings.production")
    assert result.returncode == 4
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "SECRET_KEY environment variable must be set" in result.stderr


@pytest.mark.parametrize("bad_url", ["portal.example.org", "ftp://x.org", "https://x.org/sub/"])
def test_production_rejects_a_base_url_that_is_not_an_origin(run_django, bad_url):
    env = {**PRODUCTION_ENV, "PORTAL_BASE_URL": bad_url}
    result = run_django("import portal.wsgi", env, settings_module="portal.settings.production")
    assert result.returncode == 4
    assert "PORTAL_BASE_URL must be an absolute URL" in result.stderr


def test_production_deploy_check_is_silent(run_django):
    result = run_django(
        "import sys; sys.argv = ['manage.py', 'check', '--deploy', '--fail-level', 'WARNING']; "
        "import runpy; runpy.run_path('manage.py', run_name='__main__')",
        {**PRODUCTION_ENV, "DATABASE_URL": "sqlite:////tmp/portal-deploy-check.sqlite3"},
        settings_module="portal.settings.production",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_bad_boolean_names_the_variable(run_django):
    env = {**PRODUCTION_ENV, "SECURE_SSL_REDIRECT": "maybe"}
    result = run_django("import portal.wsgi", env, settings_module="portal.settings.production")
    assert result.returncode == 4
    assert "SECURE_SSL_REDIRECT must be true or false" in result.stderr


def test_postgresql_connections_are_persistent_and_health_checked():
    config = database_settings("postgres://postgres@127.0.0.1:5432/portal")
    assert config["ENGINE"] == "portal.postgresql"  # its health check: portal/postgresql
    assert config["CONN_MAX_AGE"] == 600
    assert config["CONN_HEALTH_CHECKS"] is True
    assert "OPTIONS" not in config or "transaction_mode" not in config["OPTIONS"]


def test_a_pool_bounds_a_processs_postgresql_connections():
    config = database_settings("postgres://postgres@127.0.0.1:5432/portal", pool_size=16)
    assert config["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 16, "timeout": 5}
    # Each request gives its connection back to the pool, which checks it before reuse.
    assert config["CONN_MAX_AGE"] == 0
    assert config["CONN_HEALTH_CHECKS"] is True
    assert (
        database_settings("postgres://h/portal", pool_size=1)["OPTIONS"]["pool"]["min_size"] == 1
    )
    assert "pool" not in database_settings("postgres://h/portal")["OPTIONS"]
    assert "pool" not in database_settings("sqlite:///db.sqlite3", pool_size=16)["OPTIONS"]


def test_postgresql_binds_parameters_on_the_server_and_prepares_statements():
    options = database_settings("postgres://h/portal")["OPTIONS"]
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == 2
    # Off for a connection pooler that cannot keep prepared statements: psycopg then writes
    # the values into each statement's text, as Django does by default.
    options = database_settings("postgres://h/portal", prepared_statements=False)["OPTIONS"]
    assert "server_side_binding" not in options
    assert "prepare_threshold" not in options
    assert "server_side_binding" not in database_settings("sqlite:///db.sqlite3")["OPTIONS"]


def test_bad_prepared_statements_value_names_the_variable(run_django):
    env = {**PRODUCTION_ENV, "DATABASE_PREPARED_STATEMENTS": "sometimes"}
    result = run_django("import portal.wsgi", env, settings_module="portal.settings.production")
    assert result.returncode != 0
    assert "DATABASE_PREPARED_STATEMENTS must be true or false" in result.stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [("-1", "DATABASE_POOL_SIZE must be at least 0"), ("many", "must be a whole number")],
)
def test_bad_pool_size_names_the_variable(run_django, value, message):
    env = {**PRODUCTION_ENV, "DATABASE_POOL_SIZE": value}
    result = run_django("import portal.wsgi", env, settings_module="portal.settings.production")
    assert result.returncode != 0
    assert message in result.stderr


def _register(alias, url):
    configured = connections.configure_settings(
        {"default": settings.DATABASES["default"], alias: database_settings(url)}
    )
    connections.settings[alias] = configured[alias]


@pytest.fixture
def unblocked(django_db_blocker):
    """These tests open their own SQLite files, outside the test database."""
    with django_db_blocker.unblock():
        yield


@pytest.mark.usefixtures("unblocked")
def test_sqlite_file_uses_wal(tmp_path):
    _register("wal_probe", f"sqlite:///{tmp_path / 'probe.sqlite3'}")
    try:
        with connections["wal_probe"].cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
    finally:
        connections["wal_probe"].close()
        del connections.settings["wal_probe"]


@pytest.mark.usefixtures("unblocked")
def test_concurrent_sqlite_writers_never_see_database_is_locked(tmp_path):
    """Each writer reads before it writes, the pattern that makes SQLite refuse a lock upgrade
    at once (no busy wait) in a deferred transaction."""
    alias = "concurrency_probe"
    _register(alias, f"sqlite:///{tmp_path / 'concurrent.sqlite3'}")
    with connections[alias].cursor() as cursor:
        cursor.execute("CREATE TABLE clue (id INTEGER PRIMARY KEY, n INTEGER)")
    connections[alias].close()

    errors = []

    def writer(worker):
        try:
            for n in range(25):
                with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                    cursor.execute("SELECT count(*) FROM clue")
                    cursor.fetchone()
                    cursor.execute("INSERT INTO clue (n) VALUES (%s)", [worker * 100 + n])
        except Exception as error:
            errors.append(error)
        finally:
            connections[alias].close()

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT count(*) FROM clue")
            assert cursor.fetchone()[0] == 8 * 25
    finally:
        connections[alias].close()
        del connections.settings[alias]


def test_production_rejects_a_malformed_encryption_key(run_django):
    env = {**PRODUCTION_ENV, "REPORTER_ENCRYPTION_KEYS": "not-a-key"}
    result = run_django("import portal.wsgi", env, settings_module="portal.settings.production")
    assert result.returncode == 4
    assert "REPORTER_ENCRYPTION_KEYS must hold Fernet keys" in result.stderr


def test_development_secrets_are_generated_once_and_kept(run_django, tmp_path):
    code = (
        "from django.conf import settings; "
        "print(settings.SECRET_KEY); print(settings.REPORTER_ENCRYPTION_KEYS[0])"
    )
    env = {"PORTAL_VAR_DIR": str(tmp_path)}
    first = run_django(code, env, settings_module="portal.settings.dev")
    second = run_django(code, env, settings_module="portal.settings.dev")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    secret_key, fernet_key = first.stdout.split()
    assert len(secret_key) >= 50
    from cryptography.fernet import Fernet

    Fernet(fernet_key)  # a valid key
    assert (tmp_path / "dev-secrets.env").stat().st_mode & 0o077 == 0


def test_gunicorn_stops_instead_of_restarting_workers_without_settings(tmp_path):
    import subprocess
    import sys

    from django.conf import settings as django_settings

    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    env.update(PATH="/usr/bin:/bin", DJANGO_SETTINGS_MODULE="portal.settings.production")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "--bind",
            "127.0.0.1:0",
            "portal.wsgi:application",
        ],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert result.stderr.count("Configuration error: SECRET_KEY") <= 2


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PORTAL_BASE_URL": "http://portal.example.org"}, "must start with https://"),
        ({"PORTAL_BASE_URL": "https://other.example.org"}, "must be one of ALLOWED_HOSTS"),
    ],
)
def test_production_base_url_must_be_https_and_allowed(run_django, env, message):
    result = run_django(
        "import portal.wsgi",
        {**PRODUCTION_ENV, **env},
        settings_module="portal.settings.production",
    )
    assert result.returncode == 4
    assert message in result.stderr


def test_production_allows_plain_http_only_when_tls_redirect_is_off(run_django):
    env = {
        **PRODUCTION_ENV,
        "PORTAL_BASE_URL": "http://portal.example.org",
        "SECURE_SSL_REDIRECT": "false",
    }
    result = run_django("import portal.wsgi", env, settings_module="portal.settings.production")
    assert result.returncode == 0, result.stderr


def test_postgresql_connections_time_out_quickly():
    config = database_settings("postgres://postgres@127.0.0.1:5432/portal")
    assert config["OPTIONS"]["connect_timeout"] == 5


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "portal.postgresql",
    reason="checks the PostgreSQL connection this suite runs on",
)
def test_the_running_postgresql_connection_is_persistent_and_checked():
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] == 600
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
