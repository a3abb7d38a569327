"""The hsplan server: many users, one truth, on PostgreSQL/PostGIS.

- `db`       the store: region tables generated from `hsplan.region.schema`, users, scopes,
             sessions, submissions, audit; `import_region` / `export_region`.
- `migrate`  Alembic migrations (``hsplan db init|upgrade``).
- `scope`    what a user may see and write: deny by default, area subtrees, facilities.
- `auth`     argon2 passwords, users, sessions, CSRF tokens, login rate limit.
- `records`  what the routes share: the request context (transaction, scope, audit), scope
             clauses, facility submissions and their review.
- `reporting` departments' task progress with review, reporting periods (deadlines) and who
             has not reported.
- `pages`    the dashboard's pages from the database, scoped to the logged-in user (login,
             总览 … 任务, 填报, 审核, 报送情况).
- `app`      `create_server_app(db_url)`: login, the ``/api/v1/server`` API and the pages.
- `pgcluster` a throwaway PostgreSQL cluster for tests and trials.
- `migrations` the Alembic environment and its versions (run by `migrate`).
"""
