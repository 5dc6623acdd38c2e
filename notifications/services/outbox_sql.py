"""The outbox written in one statement on PostgreSQL (outbox.py says what each change means).

A booking's change costs its calendar entry, its messages and the revisions of the feeds that
show it. Written with the ORM that is three to seven statements inside the booking's
transaction, each a round trip while the clinic is locked; here it is one: a data-modifying
WITH whose parts all see the rows as they were before the statement (PostgreSQL's rule for
WITH), which is exactly what the rules below ask for. Returns None when the booking has no
entry yet (a booking older than this app), and the caller takes the ORM path, which creates it.

SQLite cannot write two tables in one statement; outbox.py runs the same rules through the
ORM there, and the notifications tests run on both databases. `bump_feeds` is shared by both.
"""

# The SQL is assembled from table and column names read from the models and from constants;
# every value travels as a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connections, models

from core.sql import insert_part, insert_values

from ..directory import Appointment, FeedKind
from ..models import (
    CalendarEntry,
    CalendarFeed,
    Kind,
    Notification,
    NotificationStatus,
)

TRANSACTIONAL = (Kind.CONFIRMATION, Kind.RESCHEDULE)
CANCELLED_BOOKING = "The booking was cancelled."
MOVED_TOO_CLOSE = "The booking moved to less than this lead time away."


@dataclass(frozen=True)
class Place:
    """Where an entry shows up: the owners of the feeds it belongs to."""

    clinic_id: int
    therapist_id: int
    room_id: int
    patient_id: int

    @classmethod
    def of(cls, shown) -> Place:
        """The place of a calendar entry or an `Appointment` (they name the same four)."""
        return cls(shown.clinic_id, shown.therapist_id, shown.room_id, shown.patient_id)


def _connection():
    return connections[CalendarEntry.objects.db]


def _table(model) -> str:
    return _connection().ops.quote_name(model._meta.db_table)


def _column(model, name: str) -> str:
    return _connection().ops.quote_name(model._meta.get_field(name).column)


def _place_condition(values: tuple[str, str, str, str]) -> str:
    """The feeds of one place; `values` are SQL for (clinic, therapist, room, patient)."""
    clinic, therapist, room, patient = values
    return (
        f"(f.kind = '{FeedKind.THERAPIST}' AND f.owner_id = {therapist} AND f.clinic_id = {clinic})"
        f" OR (f.kind = '{FeedKind.ROOM}' AND f.owner_id = {room} AND f.clinic_id = {clinic})"
        f" OR (f.kind = '{FeedKind.CLINIC}' AND f.owner_id = {clinic} AND f.clinic_id = {clinic})"
        f" OR (f.kind = '{FeedKind.PATIENT}' AND f.owner_id = {patient} AND f.clinic_id IS NULL)"
    )


def _place_params(place: Place) -> list[int]:
    # In _place_condition's order of appearance.
    c, t, r, p = place.clinic_id, place.therapist_id, place.room_id, place.patient_id
    return [t, c, r, c, c, c, p]


_PARAMS = ("%s", "%s", "%s", "%s")


def bump_feeds(places: list[Place], *, now: datetime) -> list[int]:
    """Raise the revision of every feed showing these places; one UPDATE … RETURNING (both
    databases). Returns the feeds' ids, for the rebuild after commit."""
    connection = _connection()
    condition = " OR ".join(_place_condition(_PARAMS) for _ in places)
    params = [connection.ops.adapt_datetimefield_value(now)]
    for place in places:
        params += _place_params(place)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table(CalendarFeed)} AS f SET revision = f.revision + 1, changed_at = %s "
            f"WHERE {condition} RETURNING id",
            params,
        )
        return [row[0] for row in cursor.fetchall()]


def _feeds_cte(now: datetime, place: Place) -> tuple[str, list]:
    """Feeds of the new place and of the place the entry had (the `entry` part's old_*)."""
    old = _place_condition(
        ("entry.old_clinic", "entry.old_therapist", "entry.old_room", "entry.old_patient")
    )
    sql = (
        f"feeds AS (UPDATE {_table(CalendarFeed)} AS f "
        "SET revision = f.revision + 1, changed_at = %s FROM entry "
        f"WHERE {_place_condition(_PARAMS)} OR {old} RETURNING f.id)"
    )
    return sql, [_connection().ops.adapt_datetimefield_value(now), *_place_params(place)]


def _run(sql: str, params: list) -> tuple[list[tuple], list[int], int | None]:
    """Rows (kind 'm': message id, kind, channel, lead), feed ids and the entry id."""
    with _connection().cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    messages = [row[1:] for row in rows if row[0] == "m"]
    feeds = [row[1] for row in rows if row[0] == "f"]
    entry = next((row[1] for row in rows if row[0] == "e"), None)
    return messages, feeds, entry


_RESULT = """
SELECT 'e', id, NULL, NULL, NULL FROM entry
UNION ALL SELECT 'f', id, NULL, NULL, NULL FROM feeds
"""


def _matched(objs: list[Notification], returned: list[tuple], entry_id: int) -> list[Notification]:
    """Give the rows just inserted their ids (matched on the unique kind/channel/lead)."""
    ids = {(kind, channel, lead): pk for pk, kind, channel, lead in returned}
    for obj in objs:
        obj.pk = ids.get((obj.kind, obj.channel, obj.lead_minutes))
        obj.entry_id = entry_id
    return [obj for obj in objs if obj.pk is not None]


def record_new_entry(
    entry: CalendarEntry,
    rows: list[Notification],
    *,
    now: datetime,
    written_with: Sequence[models.Model] = (),
) -> list[int]:
    """Insert the entry and its first messages and bump the feeds: one statement. Sets the ids
    on `entry` and `rows`; returns the feed ids.

    `written_with` are rows inserted in that same statement, primary keys set (the booking and
    its history row), so the booking's whole write is one round trip."""
    entry_columns, entry_values, entry_params = insert_values(CalendarEntry, [entry], skip=())
    columns, values, params = insert_values(Notification, rows, skip=("entry",))
    place = Place.of(entry)
    feeds, feed_params = _feeds_cte(now, place)
    first, first_params = [], []
    for n, obj in enumerate(written_with):
        part, part_params = insert_part(f"written_{n}", obj)
        first.append(part + ",\n")
        first_params += part_params
    sql = f"""
WITH {"".join(first)}entry AS (
  INSERT INTO {_table(CalendarEntry)} ({", ".join(entry_columns)}) VALUES {entry_values}
  RETURNING id, clinic_id AS old_clinic, therapist_id AS old_therapist, room_id AS old_room,
            patient_id AS old_patient
), messages AS (
  INSERT INTO {_table(Notification)} (entry_id, {", ".join(columns)})
  SELECT entry.id, v.* FROM entry CROSS JOIN (VALUES {values}) AS v
  RETURNING id, kind, channel, lead_minutes
), {feeds}
SELECT 'm', id, kind, channel, lead_minutes FROM messages UNION ALL {_RESULT}"""
    messages, feed_ids, entry_id = _run(sql, [*first_params, *entry_params, *params, *feed_params])
    entry.pk = entry_id
    for row in rows:
        row.entry = entry
    _matched(rows, messages, entry_id)
    return feed_ids


def _entry_update(appointment: Appointment, values: dict) -> tuple[str, list]:
    """The `entry` part: update the booking's entry, returning its id and where it was."""
    names = list(values)
    fields = [CalendarEntry._meta.get_field(name) for name in names]
    connection = _connection()
    sets = ", ".join(
        f"{connection.ops.quote_name(f.column)} = CAST(%s AS {f.cast_db_type(connection)})"
        for f in fields
    )
    params = [f.get_db_prep_save(values[f.name], connection=connection) for f in fields]
    sql = (
        f"entry AS (UPDATE {_table(CalendarEntry)} AS e SET {sets} "
        f"FROM {_table(CalendarEntry)} AS old WHERE old.id = e.id AND e.booking_id = %s "
        "RETURNING e.id, e.start, old.clinic_id AS old_clinic, old.therapist_id AS old_therapist, "
        "old.room_id AS old_room, old.patient_id AS old_patient)"
    )
    return sql, [*params, appointment.booking_id]


_TOLD = f"""EXISTS (
  SELECT 1 FROM {{notification}} n WHERE n.entry_id = entry.id
    AND n.kind IN ('{Kind.CONFIRMATION}', '{Kind.RESCHEDULE}')
    AND (n.status = '{NotificationStatus.SENT}'
         OR (n.status = '{NotificationStatus.PENDING}' AND n.claim_token IS NOT NULL)))"""


def record_cancellation(
    appointment: Appointment,
    values: dict,
    *,
    cancellation: Notification,
    tell_patient: bool = True,
    now: datetime,
) -> tuple[list[Notification], list[int]] | None:
    """Update the entry, cancel unsent reminders and unclaimed transactional emails, write the
    cancellation email if the patient was told of the booking (and is to be told: not when
    their data is being erased), bump the feeds: one statement."""
    connection = _connection()
    notification = _table(Notification)
    entry_sql, entry_params = _entry_update(appointment, values)
    columns, rows_sql, row_params = insert_values(Notification, [cancellation], skip=("entry",))
    feeds, feed_params = _feeds_cte(now, Place.of(appointment))
    adapt = connection.ops.adapt_datetimefield_value
    sql = f"""
WITH {entry_sql},
cancelled AS (
  UPDATE {notification} AS n SET status = '{NotificationStatus.CANCELLED}', claim_token = NULL,
         claimed_at = NULL, last_error = %s, updated_at = %s
  FROM entry WHERE n.entry_id = entry.id AND n.status = '{NotificationStatus.PENDING}'
    AND (n.kind = '{Kind.REMINDER}'
         OR (n.kind IN ('{Kind.CONFIRMATION}', '{Kind.RESCHEDULE}') AND n.claim_token IS NULL))
  RETURNING n.id
), messages AS (
  INSERT INTO {notification} (entry_id, {", ".join(columns)})
  SELECT entry.id, v.* FROM entry CROSS JOIN (VALUES {rows_sql}) AS v
  WHERE {_TOLD.format(notification=notification)} AND %s
  RETURNING id, kind, channel, lead_minutes
), {feeds}
SELECT 'm', id, kind, channel, lead_minutes FROM messages
UNION ALL SELECT 'c', id, NULL, NULL, NULL FROM cancelled UNION ALL {_RESULT}"""
    params = [
        *entry_params,
        CANCELLED_BOOKING,
        adapt(now),
        *row_params,
        tell_patient,
        *feed_params,
    ]
    messages, feed_ids, entry_id = _run(sql, params)
    if entry_id is None:
        return None
    return _matched([cancellation], messages, entry_id), feed_ids


def record_move(
    appointment: Appointment,
    values: dict,
    *,
    reschedule: Notification,
    reminders: list[Notification],
    now: datetime,
) -> tuple[list[Notification], list[int]] | None:
    """A booking moved, in one statement: the entry follows it; unclaimed confirmation or
    "moved" emails describe the new time (due now); unsent reminders move to the new time, or
    are cancelled when the new time is closer than their lead; reminders the clinic wants that
    are missing are added; a "moved" email is written if the patient was told of the old time
    and none is waiting; the feeds of both places are bumped. Returns the rows written or
    moved (as the ORM path does) and the feed ids."""
    connection = _connection()
    notification = _table(Notification)
    adapt = connection.ops.adapt_datetimefield_value
    entry_sql, entry_params = _entry_update(appointment, values)
    start, version, at = adapt(appointment.start), appointment.version, adapt(now)
    pending = f"n.entry_id = entry.id AND n.status = '{NotificationStatus.PENDING}'"
    # The reminder's due time at the new start (lead minutes before it), in SQL.
    due = "(entry.start - n.lead_minutes * INTERVAL '1 minute')"
    moved = (
        "booking_version = %s, appointment_start = %s, claim_token = NULL, claimed_at = NULL, "
        "updated_at = %s"
    )
    parts = [
        f"""moved_emails AS (
  UPDATE {notification} AS n SET {moved}, due_at = %s FROM entry
  WHERE {pending} AND n.kind IN ('{Kind.CONFIRMATION}', '{Kind.RESCHEDULE}')
    AND n.claim_token IS NULL
  RETURNING n.id, n.kind, n.channel, n.lead_minutes, n.due_at
)""",
        f"""moved_reminders AS (
  UPDATE {notification} AS n SET {moved}, due_at = {due} FROM entry
  WHERE {pending} AND n.kind = '{Kind.REMINDER}' AND {due} > %s
  RETURNING n.id, n.kind, n.channel, n.lead_minutes, n.due_at
)""",
        f"""dropped AS (
  UPDATE {notification} AS n SET status = '{NotificationStatus.CANCELLED}', claim_token = NULL,
         claimed_at = NULL, last_error = %s, updated_at = %s FROM entry
  WHERE {pending} AND n.kind = '{Kind.REMINDER}' AND {due} <= %s
  RETURNING n.id
)""",
    ]
    params = [
        *entry_params,
        version, start, at, at,
        version, start, at, at,
        MOVED_TOO_CLOSE, at, at,
    ]  # fmt: skip
    columns, rows_sql, row_params = insert_values(Notification, [reschedule], skip=("entry",))
    parts.append(
        f"""moved_email AS (
  INSERT INTO {notification} (entry_id, {", ".join(columns)})
  SELECT entry.id, v.* FROM entry CROSS JOIN (VALUES {rows_sql}) AS v
  WHERE {_TOLD.format(notification=notification)} AND NOT EXISTS (
    SELECT 1 FROM {notification} n WHERE {pending} AND n.kind = '{Kind.RESCHEDULE}'
      AND n.claim_token IS NULL)
  RETURNING id, kind, channel, lead_minutes, due_at
)"""
    )
    params += row_params
    inserted = [reschedule]
    if reminders:
        columns, rows_sql, row_params = insert_values(Notification, reminders, skip=("entry",))
        parts.append(
            f"""new_reminders AS (
  INSERT INTO {notification} (entry_id, {", ".join(columns)})
  SELECT entry.id, v.* FROM entry CROSS JOIN (VALUES {rows_sql}) AS v ({", ".join(columns)})
  WHERE NOT EXISTS (
    SELECT 1 FROM {notification} n WHERE {pending} AND n.kind = '{Kind.REMINDER}'
      AND n.channel = v.channel AND n.lead_minutes = v.lead_minutes AND {due} > %s)
  RETURNING id, kind, channel, lead_minutes, due_at
)"""
        )
        params += [*row_params, at]
        inserted += reminders
    feeds, feed_params = _feeds_cte(now, Place.of(appointment))
    parts.append(feeds)
    params += feed_params
    touched = ["moved_emails", "moved_reminders", "moved_email"]
    if reminders:
        touched.append("new_reminders")
    selects = " UNION ALL ".join(
        f"SELECT '{name}', id, kind, channel, lead_minutes, due_at FROM {name}" for name in touched
    )
    sql = (
        f"WITH {entry_sql},\n" + ",\n".join(parts) + f"\n{selects}\n"
        "UNION ALL SELECT 'e', id, NULL, NULL, NULL, NULL FROM entry\n"
        "UNION ALL SELECT 'f', id, NULL, NULL, NULL, NULL FROM feeds"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    entry_id = next((row[1] for row in rows if row[0] == "e"), None)
    if entry_id is None:
        return None
    feed_ids = [row[1] for row in rows if row[0] == "f"]
    by_key = {(obj.kind, obj.channel, obj.lead_minutes): obj for obj in inserted}
    result: list[Notification] = []
    # In the ORM path's order: transactional emails, then reminders moved, then added.
    for name in touched:
        for _, pk, kind, channel, lead, due_at in (row for row in rows if row[0] == name):
            obj = (
                by_key.get((kind, channel, lead))
                if name in ("moved_email", "new_reminders")
                else None
            )
            if obj is None:
                obj = Notification(
                    pk=pk,
                    entry_id=entry_id,
                    kind=kind,
                    channel=channel,
                    lead_minutes=lead,
                    booking_version=version,
                    appointment_start=appointment.start,
                    due_at=due_at,
                    status=NotificationStatus.PENDING,
                )
            obj.pk, obj.entry_id, obj.due_at = pk, entry_id, due_at
            result.append(obj)
    return result, feed_ids


__all__ = [
    "CANCELLED_BOOKING",
    "MOVED_TOO_CLOSE",
    "TRANSACTIONAL",
    "Place",
    "bump_feeds",
    "record_cancellation",
    "record_move",
    "record_new_entry",
]
