-- Casework's PostgreSQL roles, run once by the cluster's superuser:
--   sudo -u postgres psql -v ON_ERROR_STOP=1 -f deploy/postgresql/roles.sql
-- No passwords: both roles log in only over the local socket with peer authentication
-- (deploy/postgresql/pg_hba.conf, pg_ident.conf). See docs/operations.md.

-- Owns the database and its tables; `casework db upgrade` runs as this role.
CREATE ROLE casework_owner LOGIN;
-- What the app servers connect as. Owns nothing; its grants come from
-- `casework db upgrade` (or `casework db grant`) after every migration.
CREATE ROLE casework_app LOGIN NOINHERIT;

CREATE DATABASE casework OWNER casework_owner ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE casework FROM PUBLIC;
GRANT CONNECT ON DATABASE casework TO casework_app;

\connect casework
-- Nobody but the owner creates anything in the schema.
REVOKE ALL ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO casework_owner;
GRANT USAGE ON SCHEMA public TO casework_app;
