"""The two database roles of deploy/postgres/init-roles.sh, on a server of its own database:
the portal works connected as the application role (a report through the public form, staff
moving it on, the worker's periodic jobs, the demo loader, the readiness probe), and that
role cannot change the schema, skip the ledger's triggers or rewrite the ledger, which the
owner role, that migrations run as, still can. Roles belong to the whole server: each run
makes its own and removes them."""

import json
import os
import secrets
import shutil
import subprocess
import sys

from django.conf import settings

import psycopg
import pytest
from psycopg import errors, sql

from tests.conftest import ROOT

SCRIPT = ROOT / "deploy" / "postgres" / "init-roles.sh"
LEDGER = "reporting_ledgerentry"

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "portal.postgresql",
        reason="database roles and grants are PostgreSQL's; SQLite has neither",
    ),
    pytest.mark.skipif(not shutil.which("psql"), reason="the role script runs psql"),
]


def server():
    default = settings.DATABASES["default"]
    return {
        "host": default["HOST"] or "127.0.0.1",
        "port": str(default["PORT"] or 5432),
        "user": default["USER"],
        "password": default["PASSWORD"] or "",
    }


def connect(dbname, user=None, password=None):
    details = server()
    if user:
        details.update(user=user, password=password)
    return psycopg.connect(dbname=dbname, autocommit=True, connect_timeout=10, **details)


def url(role, password, database):
    details = server()
    return f"postgres://{role}:{password}@{details['host']}:{details['port']}/{database}"


def run_script(names):
    details = server()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PGHOST": details["host"],
        "PGPORT": details["port"],
        "PGUSER": details["user"],
        "PGPASSWORD": details["password"],
        "PORTAL_OWNER_ROLE": names["owner"],
        "PORTAL_OWNER_PASSWORD": names["owner_password"],
        "PORTAL_APP_ROLE": names["app"],
        "PORTAL_APP_PASSWORD": names["app_password"],
        "PORTAL_DB_NAME": names["database"],
    }
    done = subprocess.run([str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done


def run_django(args, database_url, files_root):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": database_url,
        "PORTAL_TEST_FILES_ROOT": str(files_root),
    }
    # A migrate takes seconds, but minutes on a loaded two-core machine: the limit is for a
    # process that hangs.
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return done


@pytest.fixture(scope="module")
def roles(tmp_path_factory):
    """A database made by the script for two new roles, migrated as the owner, then used by
    the portal as the application role; removed with its roles afterwards."""
    suffix = secrets.token_hex(4)
    names = {
        "owner": f"test_owner_{suffix}",
        "app": f"test_app_{suffix}",
        "database": f"test_roles_{suffix}",
        "owner_password": secrets.token_hex(16),
        "app_password": secrets.token_hex(16),
    }
    files = tmp_path_factory.mktemp("roles-files")
    try:
        run_script(names)
        owner_url = url(names["owner"], names["owner_password"], names["database"])
        run_django(["manage.py", "migrate", "--noinput", "-v0"], owner_url, files)
        app_url = url(names["app"], names["app_password"], names["database"])
        steps = run_django(["-m", "tests.portal.app_role_steps"], app_url, files)
        names["steps"] = json.loads(steps.stdout.strip().splitlines()[-1])
        yield names
    finally:
        with connect("postgres") as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(names["database"])
                )
            )
            for role in (names["app"], names["owner"]):
                admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def as_role(roles, which):
    return connect(roles["database"], roles[which], roles[f"{which}_password"])


def test_the_portal_works_as_the_application_role(roles):
    seen = roles["steps"]
    assert seen["role"] == roles["app"]
    assert seen["report"] == [302, 200]  # sent, then its receipt shown
    assert seen["accept"] == [200, "screened"]  # through the staff's action view
    assert seen["status"] == "acknowledged"
    assert seen["ledger"][0] == "submitted"
    assert {"accepted", "transferred", "acknowledged"} <= set(seen["ledger"])
    # The demo's own tasks and every periodic job, all run by the worker without an error.
    assert len(seen["periodic"]) >= 8
    assert set(seen["periodic"]) <= set(seen["tasks_run"])
    assert seen["task_statuses"] == ["SUCCESSFUL"]
    assert seen["ready"] == 200


# Each refused to the application role; the owner's half of the test shows they are valid.
SCHEMA_CHANGES = [
    f"TRUNCATE {LEDGER}",
    "TRUNCATE reporting_clue CASCADE",
    f"ALTER TABLE {LEDGER} ADD COLUMN rewritten text",
    f"ALTER TABLE {LEDGER} DISABLE TRIGGER reporting_ledger_append_only",
    f"ALTER TABLE {LEDGER} DISABLE TRIGGER USER",
    f"ALTER TABLE {LEDGER} ENABLE REPLICA TRIGGER reporting_ledger_no_truncate",
    f"DROP TRIGGER reporting_ledger_append_only ON {LEDGER}",
    f"DROP TABLE {LEDGER} CASCADE",
    "DROP FUNCTION reporting_ledger_refuse_change() CASCADE",
    "CREATE TABLE public.planted (id integer)",
    "SET session_replication_role = replica",
]


@pytest.mark.parametrize("statement", SCHEMA_CHANGES)
def test_the_application_role_cannot_change_the_schema(roles, statement):
    with as_role(roles, "app") as app, pytest.raises(errors.InsufficientPrivilege):
        app.execute(statement)


@pytest.mark.parametrize(
    "statement", [s for s in SCHEMA_CHANGES if not s.startswith("SET session_replication")]
)
def test_the_owner_role_can_and_runs_migrations(roles, statement):
    """The same statements pass for the owner (undone): the refusals above are the role's."""
    with as_role(roles, "owner") as owner, owner.transaction(force_rollback=True):
        if statement.startswith("TRUNCATE"):
            # The ledger's own trigger refuses TRUNCATE to everyone; past the privilege
            # check, that is what the owner meets.
            with pytest.raises(errors.RaiseException, match="append-only"):
                owner.execute(statement)
        else:
            owner.execute(statement)


@pytest.mark.parametrize(
    "statement",
    ["UPDATE reporting_ledgerentry SET note = 'x'", "DELETE FROM reporting_ledgerentry"],
)
def test_the_ledger_refuses_rewrites_from_the_application_role(roles, statement):
    with as_role(roles, "app") as app:
        (entries,) = app.execute("SELECT count(*) FROM reporting_ledgerentry").fetchone()
        assert entries > 0
        with pytest.raises(errors.RaiseException, match="append-only"):
            app.execute(statement)
        assert app.execute(f"SELECT count(*) FROM {LEDGER}").fetchone() == (entries,)  # noqa: S608


def test_the_application_role_owns_nothing_and_neither_role_is_privileged(roles):
    with as_role(roles, "owner") as owner:
        owned = owner.execute(
            "SELECT count(*) FROM pg_class WHERE relowner = to_regrole(%s)", [roles["app"]]
        ).fetchone()
        tables = owner.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = %s",
            [roles["owner"]],
        ).fetchone()
        flags = owner.execute(
            "SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, "
            "rolreplication FROM pg_roles WHERE rolname IN (%s, %s) ORDER BY rolname",
            [roles["app"], roles["owner"]],
        ).fetchall()
        member = owner.execute(
            "SELECT pg_has_role(%s, %s, 'MEMBER')", [roles["app"], roles["owner"]]
        ).fetchone()
    assert owned == (0,)
    assert tables[0] > 50
    assert [row[1:] for row in flags] == [(False,) * 5] * 2
    assert member == (False,)


def test_the_script_runs_again_and_takes_over_what_others_own(roles):
    """An older install's tables belong to the role the portal used to connect as: a second
    run hands them to the owner role and grants the application role its rows."""
    with connect(roles["database"]) as admin:
        admin.execute("CREATE TABLE public.legacy (id bigint GENERATED BY DEFAULT AS IDENTITY)")
    run_script(roles)
    with as_role(roles, "app") as app:
        app.execute("INSERT INTO public.legacy DEFAULT VALUES")
        assert app.execute("SELECT count(*) FROM public.legacy").fetchone() == (1,)
        with pytest.raises(errors.InsufficientPrivilege):
            app.execute("DROP TABLE public.legacy")
    with as_role(roles, "owner") as owner:
        owner.execute("DROP TABLE public.legacy")
