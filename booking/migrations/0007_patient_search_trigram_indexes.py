"""PostgreSQL: trigram indexes for the reception's patient search ("name, email or phone
contains"), which Django writes as UPPER(column) LIKE '%…%'. Without them that search read
every patient of the clinic network (bench/scale.py --explain). SQLite skips this.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from booking.db import RunSQLOnPostgres

COLUMNS = ("first_name", "last_name", "email", "phone")


def trigram_index(column: str) -> RunSQLOnPostgres:
    name = f"booking_patient_{column}_trgm"
    return RunSQLOnPostgres(
        sql=(
            f"CREATE INDEX {name} ON booking_patient "
            f"USING gin (upper({column}::text) gin_trgm_ops)"
        ),
        reverse_sql=f"DROP INDEX {name}",
    )


class Migration(migrations.Migration):
    dependencies = [("booking", "0006_merge_history_and_record_sharing")]

    operations = [TrigramExtension(), *(trigram_index(column) for column in COLUMNS)]
