from django.db import migrations


class Migration(migrations.Migration):
    """knox's own migrations create its default token table even though accounts.AuthToken
    replaces it (KNOX_TOKEN_MODEL); the empty table is dropped so nothing points at users from
    outside the models (PostgreSQL's TRUNCATE of auth_user would refuse)."""

    dependencies = [
        ("accounts", "0001_initial"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS knox_authtoken", reverse_sql=migrations.RunSQL.noop),
    ]
