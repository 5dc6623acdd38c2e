"""Database helpers that must work on both PostgreSQL and the embedded SQLite default."""

from django.db import migrations


class RunSQLOnPostgres(migrations.RunSQL):
    """RunSQL that runs only on PostgreSQL; other databases skip it.

    Used for what SQLite cannot express (exclusion constraints over time ranges). Those rules
    stay out of model Meta so model validation and the admin work on every database.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
