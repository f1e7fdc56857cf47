#!/bin/sh
# The portal's two database roles and its database (docs/deployment.md#database-roles):
#
#   owner  owns the database, the schema and every table; migrations run as it.
#   app    what web and worker connect as: reads and writes rows, nothing else. It owns
#          nothing, so it cannot ALTER, DROP or TRUNCATE a table nor switch off a trigger,
#          and the ledger's append-only triggers (reporting migrations 0005 and 0018) hold
#          against the portal's own credentials.
#
# Runs as a superuser (PostgreSQL's image runs it from /docker-entrypoint-initdb.d/ when the
# data folder is new), or as a managed server's administrator, a role with CREATEROLE and
# CREATEDB: it makes itself a member of the owner role, as PostgreSQL requires for handing
# the database and default privileges to it. Run it again at any time: it creates what is
# missing, sets the passwords, hands objects owned by others (an older install, where the
# portal connected as the database's owner) to the owner role, and grants again.
#
# Settings (environment):
#   PORTAL_OWNER_PASSWORD, PORTAL_APP_PASSWORD   required
#   PORTAL_OWNER_ROLE (portal_owner), PORTAL_APP_ROLE (portal_app)
#   PORTAL_DB_NAME (POSTGRES_DB, else portal)
# and where to connect, as libpq reads it: PGHOST, PGPORT, PGUSER (POSTGRES_USER in the
# image), PGPASSWORD, PGDATABASE (the database to connect to first; postgres by default).
set -eu

: "${PORTAL_OWNER_PASSWORD:?set PORTAL_OWNER_PASSWORD}"
: "${PORTAL_APP_PASSWORD:?set PORTAL_APP_PASSWORD}"
owner_role=${PORTAL_OWNER_ROLE:-portal_owner}
app_role=${PORTAL_APP_ROLE:-portal_app}
database=${PORTAL_DB_NAME:-${POSTGRES_DB:-portal}}
if [ -z "${PGUSER:-}" ] && [ -n "${POSTGRES_USER:-}" ]; then
    PGUSER=$POSTGRES_USER
    export PGUSER
fi

run_psql() {
    # Values reach SQL only as psql variables, quoted by psql (:'name') or by format():
    # a password or name of any characters is taken as it is.
    psql --no-psqlrc --quiet --set ON_ERROR_STOP=1 \
        --set owner_role="$owner_role" --set app_role="$app_role" \
        --set owner_password="$PORTAL_OWNER_PASSWORD" --set app_password="$PORTAL_APP_PASSWORD" \
        --set database="$database" "$@"
}

run_psql --dbname "${PGDATABASE:-postgres}" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', name)
FROM (VALUES (:'owner_role'), (:'app_role')) AS wanted(name)
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name)
\gexec
-- Neither may make roles or databases, nor skip triggers (session_replication_role is for
-- superusers): NOREPLICATION and NOBYPASSRLS as well, said out loud.
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L',
              name, password)
FROM (VALUES (:'owner_role', :'owner_password'), (:'app_role', :'app_password')) AS wanted(name, password)
\gexec
-- The application role must not hold the owner's rights through membership.
SELECT format('REVOKE %I FROM %I', :'owner_role', :'app_role')
WHERE pg_has_role(:'app_role', :'owner_role', 'MEMBER')
\gexec
-- A non-superuser administrator may give a database or default privileges to a role only
-- as a member of it.
SELECT format('GRANT %I TO %I', :'owner_role', current_user)
WHERE NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
  AND NOT pg_has_role(current_user, :'owner_role', 'MEMBER')
\gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'owner_role')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database')
\gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'database', :'owner_role')
\gexec
-- Only the two roles connect; no temporary tables for anyone but the owner.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'database')
\gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', :'database', :'app_role')
\gexec
SQL

run_psql --dbname "$database" <<'SQL'
-- PostgreSQL 15 and later: public belongs to pg_database_owner, the owner role now. Older
-- servers: public belongs to the bootstrap superuser and everyone may create in it.
SELECT format('ALTER SCHEMA public OWNER TO %I', :'owner_role')
FROM pg_namespace
WHERE nspname = 'public' AND nspowner::regrole::text NOT IN ('pg_database_owner', quote_ident(:'owner_role'))
\gexec
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SELECT format('REVOKE ALL ON SCHEMA public FROM %I', :'app_role')
\gexec
SELECT format('GRANT USAGE ON SCHEMA public TO %I', :'app_role')
\gexec
-- What an older install left owned by another role (the one the portal used to connect as)
-- goes to the owner role. A sequence of an identity or serial column moves with its table.
SELECT format('ALTER %s %s OWNER TO %I',
              CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                             WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
              c.oid::regclass, :'owner_role')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
  AND c.relowner <> to_regrole(quote_ident(:'owner_role'))
  AND NOT (c.relkind = 'S' AND EXISTS (
      SELECT FROM pg_depend d
      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
\gexec
SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, :'owner_role')
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'public' AND p.proowner <> to_regrole(quote_ident(:'owner_role'))
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
\gexec
-- Rows only: read, add, change, remove. No TRUNCATE, REFERENCES or TRIGGER. Sequences:
-- nextval and currval; no setval (UPDATE), which no code of the portal calls.
SELECT format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', :'app_role')
\gexec
SELECT format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', :'app_role')
\gexec
-- The same for every table and sequence the owner creates from now on (later migrations).
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public '
              'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', :'owner_role', :'app_role')
\gexec
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public '
              'GRANT USAGE, SELECT ON SEQUENCES TO %I', :'owner_role', :'app_role')
\gexec
SQL

echo "init-roles: database $database owned by $owner_role; $app_role reads and writes rows only"
