"""The Alembic environment of the one database: `env.py`, and one revision per schema change in `versions/`.

It ships inside the package, so `shopassist db upgrade` and the upgrade every worker runs at start
(`storage.migrate.ensure_schema`) work from an installed wheel too; there is no alembic.ini. A
schema change is a new file in `versions/` (`alembic revision --autogenerate` with
`-c` pointing at a config whose `script_location` is this folder, or by hand) whose
`down_revision` is the current head.
"""
