#!/bin/sh
# Langfuse's own role and database in the store's PostgreSQL; run by compose.yml's one-shot
# `langfuse-db` service (profile langfuse). Idempotent: creates what is missing and (re)sets the
# role's password to LANGFUSE_DB_PASSWORD. Connection settings come from PGHOST/PGUSER/PGPASSWORD.
set -eu

if [ -z "${LANGFUSE_DB_PASSWORD:-}" ]; then
  echo "LANGFUSE_DB_PASSWORD is empty: set it in the env file" >&2
  exit 1
fi

# The password travels as a psql variable and is quoted by psql (:'LANGFUSE_PW'), never pasted into SQL.
psql -v ON_ERROR_STOP=1 -v LANGFUSE_PW="$LANGFUSE_DB_PASSWORD" <<'SQL'
SELECT 'CREATE ROLE langfuse LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'langfuse')
\gexec
ALTER ROLE langfuse WITH LOGIN PASSWORD :'LANGFUSE_PW';
SELECT 'CREATE DATABASE langfuse OWNER langfuse'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'langfuse')
\gexec
SQL
