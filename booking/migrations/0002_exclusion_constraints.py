"""PostgreSQL: the database itself forbids double-booking a therapist or a room.

Two active bookings of one therapist (or one room) whose buffered times overlap are refused
unless they are places in the same group session (same session_key). Half-open ranges '[)'
let back-to-back sessions touch. SQLite skips this; there writes are serialised instead.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

from booking.db import RunSQLOnPostgres

RANGE = "tstzrange(blocked_start, blocked_end, '[)')"


def exclusion(name: str, column: str) -> RunSQLOnPostgres:
    return RunSQLOnPostgres(
        sql=(
            f"ALTER TABLE booking_booking ADD CONSTRAINT {name} EXCLUDE USING gist "
            f"({column} WITH =, {RANGE} WITH &&, session_key WITH <>) "
            "WHERE (status <> 'cancelled')"
        ),
        reverse_sql=f"ALTER TABLE booking_booking DROP CONSTRAINT {name}",
    )


class Migration(migrations.Migration):
    dependencies = [("booking", "0001_initial")]

    operations = [
        BtreeGistExtension(),
        exclusion("booking_therapist_no_overlap", "therapist_id"),
        exclusion("booking_room_no_overlap", "room_id"),
    ]
