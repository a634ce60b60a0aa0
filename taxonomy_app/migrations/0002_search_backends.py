"""Full-text search structures that only exist on one database vendor.

SQLite: an FTS5 table over SearchItem.text (external content), kept in step by triggers.
PostgreSQL: a GIN index on SearchItem.search_vector.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE taxonomy_search_fts USING fts5(
           text, content='taxonomy_app_searchitem', content_rowid='id', tokenize='porter unicode61')""",
    """CREATE TRIGGER taxonomy_searchitem_ai AFTER INSERT ON taxonomy_app_searchitem BEGIN
           INSERT INTO taxonomy_search_fts(rowid, text) VALUES (new.id, new.text); END""",
    """CREATE TRIGGER taxonomy_searchitem_ad AFTER DELETE ON taxonomy_app_searchitem BEGIN
           INSERT INTO taxonomy_search_fts(taxonomy_search_fts, rowid, text) VALUES ('delete', old.id, old.text); END""",
    """CREATE TRIGGER taxonomy_searchitem_au AFTER UPDATE OF text ON taxonomy_app_searchitem BEGIN
           INSERT INTO taxonomy_search_fts(taxonomy_search_fts, rowid, text) VALUES ('delete', old.id, old.text);
           INSERT INTO taxonomy_search_fts(rowid, text) VALUES (new.id, new.text); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS taxonomy_searchitem_au",
    "DROP TRIGGER IF EXISTS taxonomy_searchitem_ad",
    "DROP TRIGGER IF EXISTS taxonomy_searchitem_ai",
    "DROP TABLE IF EXISTS taxonomy_search_fts",
]
POSTGRES_FORWARD = [
    "CREATE INDEX IF NOT EXISTS searchitem_vector_gin ON taxonomy_app_searchitem USING gin (search_vector)",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS searchitem_vector_gin"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("taxonomy_app", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
