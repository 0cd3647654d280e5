"""Backups that are tested: `flask backup create|verify|restore`.

Operations, not a business area: this package knows the database and the migrations, no area's models. A backup
is a ZIP file holding `manifest.json` (what is inside: the schema revision, every table with its row count, the
database kind, when and by which code it was made, the dump's size and SHA-256) and the dump itself:
`database.sqlite3` (a copy made by SQLite's online backup API) or `database.pgdump` (`pg_dump --format=custom`).
"""
