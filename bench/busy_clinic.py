"""The busy clinic the write-path benchmarks share: 10 therapists, ~20,000 bookings in 8 weeks.

Import after django.setup().
"""

from datetime import UTC, datetime, timedelta
from datetime import time as clock

from django.core.management import call_command
from django.db import connection

from booking.models import (
    Booking,
    Clinic,
    OpeningHours,
    Patient,
    Qualification,
    Room,
    RoomFeature,
    Therapist,
    Treatment,
    WorkingHours,
)

THERAPISTS = 10
WEEKS = 8
BOOKINGS = 20_000


def seed(now: datetime):
    """A clinic open 07:00-21:00 daily; each therapist works 08:00-20:00 and is ~99% booked."""
    call_command("migrate", verbosity=0)
    clinic = Clinic.objects.create(
        name="Bench clinic",
        slug="bench",
        min_notice_minutes=0,
        booking_horizon_days=365,
        slot_step_minutes=20,
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(clinic=clinic, weekday=d, opens=clock(7), closes=clock(21)) for d in range(7)
    )
    couch, _ = RoomFeature.objects.get_or_create(code="couch", defaults={"name": "Couch"})
    massage_q, _ = Qualification.objects.get_or_create(
        code="sports_massage", defaults={"name": "Sports massage"}
    )
    rooms = []
    for n in range(THERAPISTS + 2):
        room = Room.objects.create(clinic=clinic, name=f"Room {n + 1:02d}")
        room.features.add(couch)
        rooms.append(room)
    therapists = []
    for n in range(THERAPISTS):
        therapist = Therapist.objects.create(
            first_name=f"T{n}", last_name="Bench", profession="physiotherapist"
        )
        therapist.clinics.add(clinic)
        therapist.qualifications.add(massage_q)
        therapists.append(therapist)
        WorkingHours.objects.bulk_create(
            WorkingHours(
                therapist=therapist, clinic=clinic, weekday=d, starts=clock(8), ends=clock(20)
            )
            for d in range(7)
        )
    short = Treatment.objects.create(
        clinic=clinic,
        name="Short massage",
        modality="sports_massage",
        duration_minutes=15,
        buffer_after_minutes=5,
    )
    short.required_qualifications.add(massage_q)
    short.required_room_features.add(couch)
    patients = Patient.objects.bulk_create(
        Patient(clinic=clinic, first_name=f"P{n}", last_name="Bench", email=f"p{n}@bench.test")
        for n in range(500)
    )
    tz = clinic.tz
    first_day = now.astimezone(tz).date() - timedelta(days=7)
    rows = []
    slot_index = 0
    for offset in range(WEEKS * 7):
        day = first_day + timedelta(days=offset)
        day_start = datetime.combine(day, clock(8), tzinfo=tz).astimezone(UTC)
        for t_index, therapist in enumerate(therapists):
            for k in range(36):  # 20-minute grid, 08:00-20:00
                slot_index += 1
                if slot_index % 126 == 0 or len(rows) >= BOOKINGS:  # leave a few gaps
                    continue
                start = day_start + timedelta(minutes=20 * k)
                rows.append(
                    Booking(
                        clinic=clinic,
                        patient=patients[slot_index % len(patients)],
                        treatment=short,
                        therapist=therapist,
                        room=rooms[t_index],
                        start=start,
                        end=start + timedelta(minutes=15),
                        blocked_start=start,
                        blocked_end=start + timedelta(minutes=20),
                        session_key=f"{short.pk}:{therapist.pk}:{rooms[t_index].pk}:{start.timestamp():.0f}",
                        status="confirmed",
                    )
                )
    Booking.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return clinic, short, therapists, rooms
