"""The SQL behind the availability engine (booking/availability.py).

Written by hand because it runs on every availability search and every booking: building the
equivalent ORM queries cost several times more than running them. Works on PostgreSQL and SQLite
alike. The rules it applies come from one place each:

- which bookings hold time: `ACTIVE_STATUSES` (models.py), passed in as parameters;
- a qualified therapist holds every qualification the treatment requires, and a fitting room has
  every feature it requires: `_QUALIFIED` and `_FITTING` below, which the ORM selectors
  `qualified_therapists()` and `fitting_rooms()` (availability.py) spell the same way for the
  explanations of a refused slot; tests/booking/test_availability.py holds the two to one answer.
"""

from __future__ import annotations

from datetime import time, timedelta

from .models import ACTIVE_STATUSES

# The longest a booking can block a therapist or room: 8 h session + 2 h buffers each side
# (Treatment's validators and constraints), rounded up.
MAX_BLOCKED_SECONDS = 13 * 3600

# Row kinds of the one availability query (see availability_sql).
BOOKING = 1  # busy time of bookings holding a therapist or room, packed per (therapist, room)
BLOCK = 2  # time off, a room out of use, a clinic closure
ROOM = 3  # a fitting room and its name
DETAIL = 4  # the patient's own sessions, places in this group treatment's sessions
WORKING = 5  # a therapist's weekly working period at the clinic ("starts,ends")
OPENING = 6  # the clinic's weekly opening period ("opens,closes")
THERAPIST = 7  # a qualified therapist who works there, and their name


def as_time(value) -> time:
    return value if isinstance(value, time) else time.fromisoformat(value)


def _epoch_sql(connection, column: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM {column})::bigint"
    return f"CAST(ROUND((julianday({column}) - 2440587.5) * 86400) AS INTEGER)"


# Therapist t lacks none of the treatment's required qualifications (one parameter: treatment).
_QUALIFIED = """NOT EXISTS (
    SELECT 1 FROM booking_treatment_required_qualifications rq
    WHERE rq.treatment_id = %s AND NOT EXISTS (
      SELECT 1 FROM booking_therapist_qualifications tq
      WHERE tq.therapist_id = t.id AND tq.qualification_id = rq.qualification_id))"""

# Room r lacks none of the treatment's required features (one parameter: treatment).
_FITTING = """NOT EXISTS (
    SELECT 1 FROM booking_treatment_required_room_features rf
    WHERE rf.treatment_id = %s AND NOT EXISTS (
      SELECT 1 FROM booking_room_features f
      WHERE f.room_id = r.id AND f.roomfeature_id = rf.roomfeature_id))"""

# The fitting rooms, and the qualified active therapists who work at the clinic (with `AND t.id
# = %s` when one therapist is asked for). Parameters: clinic, treatment; [therapist,] clinic,
# treatment.
_CTES = """
WITH rooms AS (
  SELECT r.id, r.name FROM booking_room r
  WHERE r.clinic_id = %s AND r.is_active AND {fitting}
), therapists AS (
  SELECT t.id, t.first_name, t.last_name FROM booking_therapist t
  WHERE t.is_active {therapist_filter}
    AND EXISTS (
      SELECT 1 FROM booking_therapist_clinics tc WHERE tc.therapist_id = t.id AND tc.clinic_id = %s)
    AND {qualified}
)
"""

# The statuses are parameters, so the list is ACTIVE_STATUSES itself, never a copy of it.
_ACTIVE_IN_REACH = f"""
  b.status IN ({", ".join(["%s"] * len(ACTIVE_STATUSES))}) AND b.id <> %s
  AND b.blocked_start > %s AND b.blocked_start < %s AND b.blocked_end > %s
"""

# Lean rows: the buffered times of the bookings holding a therapist or room in reach, one row
# per (therapist, room) with the times packed as "from,to,from,to,..." (epoch seconds).
# Packing keeps the transfer small: on a busy clinic most of this query's cost was moving
# thousands of rows, not finding them. First in the UNION, so its typed NULLs set the column
# types for the parts after it.
_HOLDING_SQL = """
SELECT 1, b.therapist_id, b.room_id, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),
       CAST(NULL AS INTEGER), CAST(NULL AS INTEGER), CAST(NULL AS INTEGER),
       CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),
       {pack}(CAST({blocked_start} AS TEXT) || ',' || CAST({blocked_end} AS TEXT), ',')
FROM booking_booking b
WHERE {active} AND (b.therapist_id IN (SELECT id FROM therapists)
                   OR b.room_id IN (SELECT id FROM rooms))
GROUP BY b.therapist_id, b.room_id
"""

# Detail rows, only where needed: the patient's own sessions, places in this group treatment.
_DETAIL_SQL = """
SELECT 4, b.therapist_id, b.room_id, NULL, NULL,
       b.patient_id, b.treatment_id, b.place, {start}, {end}, b.session_key
FROM booking_booking b
WHERE {active} AND b.{column} = %s
"""

# Blocks, the rooms, the therapists and the weekly hours.
_REST_SQL = """
SELECT 2, k.therapist_id, k.room_id, {k_start}, {k_end}, NULL, NULL, NULL, NULL, NULL, NULL
FROM booking_block k
WHERE k.start < %s AND k."end" > %s
  AND (k.therapist_id IN (SELECT id FROM therapists) OR k.room_id IN (SELECT id FROM rooms)
       OR (k.clinic_id = %s AND k.therapist_id IS NULL AND k.room_id IS NULL))
UNION ALL
SELECT 3, NULL, id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, name FROM rooms
UNION ALL
SELECT 7, id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, first_name || ' ' || last_name
FROM therapists
UNION ALL
SELECT 5, wh.therapist_id, NULL, NULL, NULL, NULL, NULL, wh.weekday, NULL, NULL,
       CAST(wh.starts AS TEXT) || ',' || CAST(wh.ends AS TEXT)
FROM booking_workinghours wh
WHERE wh.clinic_id = %s AND wh.therapist_id IN (SELECT id FROM therapists)
UNION ALL
SELECT 6, NULL, NULL, NULL, NULL, NULL, NULL, weekday, NULL, NULL,
       CAST(opens AS TEXT) || ',' || CAST(closes AS TEXT)
FROM booking_openinghours WHERE clinic_id = %s
"""


def availability_sql(
    connection,
    *,
    clinic_id,
    treatment_id,
    therapist_id,
    is_group,
    patient_id,
    exclude_booking_id,
    reach_start,
    reach_end,
):
    """One statement: (kind, therapist, room, from, to, patient, treatment, place, start, end,
    key) rows of every kind above.

    The bookings that hold a therapist or room in reach come as lean rows, their buffered
    times packed per (therapist, room) into `key`; the few that need more (the patient's own
    sessions, places in this group treatment's sessions) come again as detail rows, and only
    when asked for. Weekly hours come as `place` = weekday and `key` = "starts,ends".
    One round trip, not two: the re-check under the clinic lock is one statement of the
    booking's budget (docs/decisions/0006).
    """
    adapt = connection.ops.adapt_datetimefield_value
    # Redundant but index-friendly lower bound: no booking blocks more than MAX_BLOCKED_SECONDS.
    lowest_start = reach_start - timedelta(seconds=MAX_BLOCKED_SECONDS)
    active = _ACTIVE_IN_REACH
    active_params = [
        *map(str, ACTIVE_STATUSES),
        exclude_booking_id if exclude_booking_id is not None else -1,
        adapt(lowest_start),
        adapt(reach_end),
        adapt(reach_start),
    ]
    therapist_filter = "AND t.id = %s" if therapist_id is not None else ""
    params = [
        clinic_id,
        treatment_id,
        *([therapist_id] if therapist_id is not None else []),
        clinic_id,
        treatment_id,
    ]
    parts = [
        _HOLDING_SQL.format(
            pack="string_agg" if connection.vendor == "postgresql" else "group_concat",
            active=active,
            blocked_start=_epoch_sql(connection, "b.blocked_start"),
            blocked_end=_epoch_sql(connection, "b.blocked_end"),
        )
    ]
    params += active_params
    details = [("patient_id", patient_id)] if patient_id is not None else []
    if is_group:
        details.append(("treatment_id", treatment_id))
    for column, value in details:
        parts.append(
            _DETAIL_SQL.format(
                active=active,
                column=column,
                start=_epoch_sql(connection, "b.start"),
                end=_epoch_sql(connection, 'b."end"'),
            )
        )
        params += [*active_params, value]
    parts.append(
        _REST_SQL.format(
            k_start=_epoch_sql(connection, "k.start"),
            k_end=_epoch_sql(connection, 'k."end"'),
        )
    )
    params += [adapt(reach_end), adapt(reach_start), clinic_id, clinic_id, clinic_id]
    ctes = _CTES.format(fitting=_FITTING, therapist_filter=therapist_filter, qualified=_QUALIFIED)
    return ctes + "UNION ALL".join(parts), params
