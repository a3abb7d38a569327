"""The hsplan server: many users, one truth, on PostgreSQL/PostGIS.

- `db`       the store: region tables generated from `hsplan.region.schema`, users, scopes,
             sessions, submissions, audit; `import_region` / `export_region`.
- `migrate`  Alembic migrations (``hsplan db init|upgrade``).
- `scope`    what a user may see and write: deny by default, area subtrees, facilities.
- `auth`     argon2 passwords, users, sessions, CSRF tokens, login rate limit.
- `app`      `create_server_app(db_url)`: login and the ``/api/v1/server`` API.
- `pgcluster` a throwaway PostgreSQL cluster for tests and trials.
"""
