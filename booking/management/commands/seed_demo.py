"""`manage.py seed_demo`: a realistic demo clinic group, safe to run again.

Two clinics in the East Midlands with rooms, therapists, weekly hours, treatments, ~60 patients
and a few hundred bookings around today, plus one login for every role (passwords printed at
the end). Reference rows are matched on slugs, codes, names and usernames, so a second run
updates them in place instead of adding copies. Bookings are made only while the demo clinics
have none, and every one goes through `booking.services` as a staff booking (apply_policy=False),
so the diary's rules hold for the demo data too; an attempt the rules refuse is skipped and
counted in the summary. (Dry needling needs a screening and consent recorded in the plans app,
which the demo does not record, so those attempts are refused.) A fixed random seed makes two
runs on the same day give the same diary.

One command, kept in one file on purpose: it is a script read top to bottom (reference rows,
then people, then the diary), not several concerns.
"""

from __future__ import annotations

import logging
import random
from collections import Counter, defaultdict
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from booking import services
from booking.availability import Availability
from booking.management import demo_data as demo
from booking.models import (
    Booking,
    BookingStatus,
    CancellationReason,
    Channel,
    Clinic,
    ClinicMembership,
    OpeningHours,
    Patient,
    Qualification,
    Room,
    RoomFeature,
    StaffRole,
    Therapist,
    Treatment,
    WorkingHours,
)
from core.api import DomainError

SEED = 20250301
PAST_DAYS = 42
FUTURE_DAYS = 21
ATTEMPTS_PER_DAY = {"past": 4, "future": 3}


@contextmanager
def messages_kept_in_memory():
    """Emails and texts that demo bookings trigger go to memory, not to the console or a provider.

    Each booking records a confirmation and reminders (notifications app). In the embedded
    default Celery runs the sends in-process when the seed commits: hundreds of messages to
    made-up patients, printed over the summary. Reminders that fall due later are sent as usual
    by whatever worker runs then.
    """
    previous_level = logging.root.manager.disable
    logging.disable(logging.INFO)  # one "task succeeded" line per message otherwise
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            NOTIFICATIONS_SMS_BACKEND="notifications.sms.LocmemSMSBackend",
        ):
            yield
    finally:
        logging.disable(previous_level)


class Command(BaseCommand):
    help = "Load a demo clinic group (two clinics, staff, patients, bookings). Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. The demo logins have published passwords: only use "
            "this on a throwaway database.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo creates logins with published passwords, so it only runs with "
                "DEBUG=1. Pass --force to run it anyway on a throwaway database."
            )
        self.rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
        self.created: dict[str, int] = defaultdict(int)
        self.refused: Counter[str] = Counter()
        # The commit is inside the quiet block too: that is when the sends are handed over.
        with messages_kept_in_memory(), transaction.atomic():
            clinics = self.seed_clinics()
            self.seed_catalogue()
            rooms_by_clinic = self.seed_rooms(clinics)
            therapists = self.seed_therapists(clinics)
            treatments = self.seed_treatments(clinics)
            patients = self.seed_patients(clinics)
            users = self.seed_users(clinics, therapists, patients)
            # The plans app's demo (composed by command name: booking does not import plans):
            # exercise library, plan templates and needling screenings before the diary, so
            # needling sessions can be booked, and an example plan per clinic after it.
            call_command("seed_plans", "--demo", "--no-plans", stdout=self.stdout)
            if Booking.objects.filter(clinic__in=clinics.values()).exists():
                self.stdout.write(
                    "The demo clinics already have bookings; leaving the diary alone."
                )
            else:
                self.seed_bookings(clinics, treatments, patients, users)
                call_command("seed_plans", "--demo", stdout=self.stdout)
            # Signed session notes for past sessions: a course with pain falling (by command
            # name, as for plans: booking does not import session notes). Safe to run again.
            call_command("seed_notes", "--demo", stdout=self.stdout)
        self.report(clinics, rooms_by_clinic, users)

    # --- reference data ------------------------------------------------------------------------

    def _count(self, label: str, created: bool) -> None:
        self.created[label] += int(created)

    def seed_clinics(self) -> dict[str, Clinic]:
        clinics = {}
        for data in demo.CLINICS:
            fields = {k: v for k, v in data.items() if k != "slug"}
            clinic, created = Clinic.objects.update_or_create(
                slug=data["slug"], defaults={**fields, "time_zone": "Europe/London"}
            )
            self._count("clinics", created)
            for weekday, opens, closes in demo.OPENING_HOURS:
                _, created = OpeningHours.objects.get_or_create(
                    clinic=clinic, weekday=weekday, opens=opens, closes=closes
                )
                self._count("opening hours", created)
            clinics[clinic.slug] = clinic
        return clinics

    def seed_catalogue(self) -> None:
        for code, name in demo.ROOM_FEATURES.items():
            _, created = RoomFeature.objects.update_or_create(code=code, defaults={"name": name})
            self._count("room features", created)
        for code, name in demo.QUALIFICATIONS.items():
            _, created = Qualification.objects.update_or_create(code=code, defaults={"name": name})
            self._count("qualifications", created)

    def seed_rooms(self, clinics: dict[str, Clinic]) -> dict[str, list[Room]]:
        features = {f.code: f for f in RoomFeature.objects.all()}
        rooms: dict[str, list[Room]] = {}
        for slug, room_specs in demo.ROOMS.items():
            rooms[slug] = []
            for name, codes in room_specs.items():
                room, created = Room.objects.update_or_create(
                    clinic=clinics[slug], name=name, defaults={"is_active": True}
                )
                room.features.set([features[code] for code in codes])
                self._count("rooms", created)
                rooms[slug].append(room)
        return rooms

    def seed_therapists(self, clinics: dict[str, Clinic]) -> dict[str, Therapist]:
        qualifications = {q.code: q for q in Qualification.objects.all()}
        therapists = {}
        for spec in demo.THERAPISTS:
            therapist, created = Therapist.objects.update_or_create(
                first_name=spec.first_name,
                last_name=spec.last_name,
                defaults={"profession": spec.profession, "bio": spec.bio, "is_active": True},
            )
            self._count("therapists", created)
            therapist.qualifications.set([qualifications[code] for code in spec.qualifications])
            therapist.clinics.set([clinics[slug] for slug in spec.hours])
            for slug, periods in spec.hours.items():
                for weekday, starts, ends in periods:
                    _, created = WorkingHours.objects.get_or_create(
                        therapist=therapist,
                        clinic=clinics[slug],
                        weekday=weekday,
                        starts=starts,
                        ends=ends,
                    )
                    self._count("working hours", created)
            therapists[f"{spec.first_name} {spec.last_name}"] = therapist
        return therapists

    def seed_treatments(self, clinics: dict[str, Clinic]) -> dict[str, dict[str, Treatment]]:
        """clinic slug -> treatment key -> Treatment."""
        qualifications = {q.code: q for q in Qualification.objects.all()}
        features = {f.code: f for f in RoomFeature.objects.all()}
        treatments: dict[str, dict[str, Treatment]] = {}
        for slug, clinic in clinics.items():
            treatments[slug] = {}
            for spec in demo.TREATMENTS:
                treatment, created = Treatment.objects.update_or_create(
                    clinic=clinic,
                    name=spec.name,
                    defaults={
                        "modality": spec.modality,
                        "description": spec.description,
                        "duration_minutes": spec.minutes,
                        "buffer_before_minutes": 0,
                        "buffer_after_minutes": spec.buffer_after,
                        "price": Decimal(spec.price) + demo.PRICE_UPLIFT[slug],
                        "online_bookable": spec.online_bookable,
                        "patient_type": spec.patient_type,
                        "capacity": spec.capacity,
                        "is_active": True,
                    },
                )
                treatment.required_qualifications.set(
                    [qualifications[c] for c in spec.qualifications]
                )
                treatment.required_room_features.set([features[c] for c in spec.features])
                self._count("treatments", created)
                treatments[slug][spec.key] = treatment
        return treatments

    def seed_patients(self, clinics: dict[str, Clinic]) -> dict[str, list[Patient]]:
        """Alternate home clinics; every patient is matched on their (demo) email address."""
        names = [name.strip() for name in demo.PATIENT_NAMES.split(",")]
        slugs = list(clinics)
        patients: dict[str, list[Patient]] = {slug: [] for slug in slugs}
        # Its own stream, so patient details never shift the bookings.
        rng = random.Random(SEED + 1)  # noqa: S311
        for index, full_name in enumerate(names):
            first_name, last_name = full_name.split(" ", 1)
            slug = slugs[index % len(slugs)]
            handle = f"{first_name}.{last_name}".lower().replace("'", "")
            born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 58))
            patient, created = Patient.objects.update_or_create(
                email=f"{handle}@example.com",
                defaults={
                    "clinic": clinics[slug],
                    "first_name": first_name,
                    "last_name": last_name,
                    "phone": f"07700 900{index:03d}",
                    "date_of_birth": born,
                    "consents_to_sms": rng.random() < 0.6,
                    "consents_to_email": rng.random() < 0.9,
                    "consents_to_reminders": rng.random() < 0.85,
                },
            )
            self._count("patients", created)
            patients[slug].append(patient)
        return patients

    # --- logins ------------------------------------------------------------------------------

    def _user(self, username: str, *, first_name: str, last_name: str, **flags):
        user, created = get_user_model().objects.update_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@example.com",
                "is_active": True,
                "is_staff": flags.get("is_staff", False),
                "is_superuser": flags.get("is_superuser", False),
            },
        )
        user.set_password(demo.DEMO_PASSWORD)
        user.save(update_fields=["password"])
        self._count("users", created)
        return user

    def _membership(self, user, clinic: Clinic, role: str) -> None:
        _, created = ClinicMembership.objects.get_or_create(user=user, clinic=clinic, role=role)
        self._count("clinic memberships", created)

    def seed_users(self, clinics, therapists, patients) -> list[tuple]:
        """One login per role. Returns rows of (user, role, where) for the closing table."""
        derby, nottingham = clinics["derby"], clinics["nottingham"]
        rows = []
        superuser = self._user(
            "superuser", first_name="Demo", last_name="Superuser", is_staff=True, is_superuser=True
        )
        rows.append((superuser, "superuser", "everywhere"))

        admins = Group.objects.filter(name=demo.CLINIC_ADMIN_GROUP).first()
        if admins is None:
            self.stderr.write(
                f"No {demo.CLINIC_ADMIN_GROUP!r} group (run migrate): the clinic admins will "
                "have no permissions in the Django admin."
            )
        for clinic, first_name, last_name in [
            (derby, "Dana", "Fisher"),
            (nottingham, "Neil", "Baxter"),
        ]:
            # is_staff lets them into the Django admin; the group gives the model permissions
            # and the admin narrows every list to their own clinic.
            user = self._user(
                f"{clinic.slug}-admin", first_name=first_name, last_name=last_name, is_staff=True
            )
            self._membership(user, clinic, StaffRole.ADMIN)
            if admins is not None:
                user.groups.add(admins)
            rows.append((user, "clinic admin", clinic.name))

        for clinic, first_name, last_name in [
            (derby, "Rachel", "Hall"),
            (nottingham, "Ryan", "Moss"),
        ]:
            user = self._user(
                f"{clinic.slug}-reception", first_name=first_name, last_name=last_name
            )
            self._membership(user, clinic, StaffRole.RECEPTIONIST)
            rows.append((user, "receptionist", clinic.name))

        sarah = therapists["Sarah Whitfield"]
        user = self._user("sarah.whitfield", first_name="Sarah", last_name="Whitfield")
        Therapist.objects.filter(user=user).exclude(pk=sarah.pk).update(user=None)
        sarah.user = user
        sarah.save(update_fields=["user"])
        for clinic in sarah.clinics.all():
            self._membership(user, clinic, StaffRole.THERAPIST)
        rows.append((user, "therapist", ", ".join(c.name for c in sarah.clinics.all())))

        for patient in [p for group in patients.values() for p in group]:
            username = patient.email.split("@")[0]
            if username not in demo.PATIENT_LOGINS:
                continue
            user = self._user(username, first_name=patient.first_name, last_name=patient.last_name)
            Patient.objects.filter(user=user).exclude(pk=patient.pk).update(user=None)
            patient.user = user
            if patient.privacy_notice_accepted_at is None:
                patient.privacy_notice_accepted_at = timezone.now()
            patient.save(update_fields=["user", "privacy_notice_accepted_at"])
            rows.append((user, "patient", patient.clinic.name))
        return rows

    # --- the diary ---------------------------------------------------------------------------

    def seed_bookings(self, clinics, treatments, patients, users) -> None:
        """Fill six weeks back and three weeks ahead, day by day, the way reception would.

        Each attempt lists the free slots for a treatment (with the patient's own diary taken
        into account), picks one, and books it through `book_session`. Past sessions are then
        completed, marked no-show or cancelled through the services too. A patient's first
        session at a clinic is an initial assessment, as the clinic's rules expect.
        """
        reception = {clinic: user for user, role, clinic in users if role == "receptionist"}
        self.reception = {slug: reception[clinic.name] for slug, clinic in clinics.items()}
        self.seen: dict[int, set[int]] = defaultdict(set)  # clinic id -> patients with a session
        self.first_day: dict[int, date] = {}  # patient id -> day of their first session
        now = timezone.now()
        for slug, clinic in clinics.items():
            today = clinic.today(now)
            for offset in range(-PAST_DAYS, FUTURE_DAYS + 1):
                day = today + timedelta(days=offset)
                self._book_classes(clinic, treatments[slug]["class"], patients[slug], day, now)
                attempts = ATTEMPTS_PER_DAY["past" if day < today else "future"]
                for _ in range(attempts):
                    patient = self.rng.choice(patients[slug])
                    if self.first_day.get(patient.pk) == day:
                        # A second session on the day of the first could be booked earlier
                        # than the assessment; their follow-ups start another day.
                        continue
                    treatment = self._pick_treatment(treatments[slug], patient)
                    self._book_somewhere(treatment, patient, day, now)

    def _pick_treatment(self, treatments: dict[str, Treatment], patient: Patient) -> Treatment:
        if patient.pk not in self.seen[patient.clinic_id]:
            # Most new patients start with an assessment; some only ever want a massage.
            return treatments["assessment" if self.rng.random() < 0.8 else "massage_60"]
        keys, weights = zip(*demo.RETURNING_MIX, strict=True)
        return treatments[self.rng.choices(keys, weights)[0]]

    def _booked_at(self, start: datetime, now: datetime) -> datetime | None:
        """When a session was booked: for past sessions a few days before; else really now."""
        if start > now:
            return None
        return start - timedelta(days=self.rng.randint(1, 14), minutes=self.rng.randrange(600))

    def _book_somewhere(self, treatment: Treatment, patient: Patient, day: date, now) -> None:
        tz = treatment.clinic.tz
        day_start = datetime.combine(day, time(0), tzinfo=tz)
        day_end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
        if day_end <= now:
            listing_now = day_start - timedelta(days=1)
        else:
            listing_now = now
        slots = Availability(
            treatment=treatment,
            window_start=day_start,
            window_end=day_end,
            patient_id=patient.pk,
            apply_policy=False,
            now=listing_now,
        ).slots()
        if slots:
            slot = self.rng.choice(slots)
            self._book(treatment, patient, slot.start, now, therapist_id=slot.therapist_id)

    def _book_classes(self, clinic, group_class: Treatment, patients, day: date, now) -> None:
        for weekday, starts in demo.CLASS_TIMES[clinic.slug]:
            if day.weekday() != weekday:
                continue
            returning = [p for p in patients if p.pk in self.seen[clinic.pk]]
            size = min(len(returning), self.rng.randint(2, group_class.capacity - 1))
            start = datetime.combine(day, starts, tzinfo=clinic.tz)
            for patient in self.rng.sample(returning, size):
                self._book(group_class, patient, start, now)

    def _book(self, treatment, patient, start, now, therapist_id=None) -> Booking | None:
        """Book through the service; a refused slot is simply skipped, as reception would."""
        clinic = treatment.clinic
        channel = self.rng.choices(
            [Channel.RECEPTION, Channel.PHONE, Channel.ONLINE], weights=[40, 30, 30]
        )[0]
        if channel == Channel.ONLINE and patient.user_id is None:
            channel = Channel.PHONE
        booked_by = patient.user if channel == Channel.ONLINE else self.reception[clinic.slug]
        booked_at = self._booked_at(start, now)
        therapist = Therapist.objects.get(pk=therapist_id) if therapist_id else None
        try:
            # Its own savepoint: a refused booking must not spoil the surrounding transaction.
            with transaction.atomic():
                booking = services.book_session(
                    treatment=treatment,
                    start=start,
                    patient=patient,
                    therapist=therapist,
                    booked_by=booked_by,
                    channel=channel,
                    apply_policy=False,
                    notes=self.rng.choice(demo.ADMIN_NOTES) if self.rng.random() < 0.08 else "",
                    now=booked_at,
                )
        except DomainError as exc:
            self.refused[exc.code] += 1
            return None
        self.created["bookings"] += 1
        if booking.end <= now:
            booking = self._settle_past(booking, booked_at, clinic)
        if booking.status != BookingStatus.CANCELLED and patient.pk not in self.seen[clinic.pk]:
            self.seen[clinic.pk].add(patient.pk)
            self.first_day[patient.pk] = start.astimezone(clinic.tz).date()
        return booking

    def _settle_past(self, booking: Booking, booked_at: datetime, clinic: Clinic) -> Booking:
        """Most past sessions happened; some were missed; some were cancelled beforehand."""
        roll = self.rng.random()
        if roll < 0.08:
            lead = booking.start - booked_at
            return services.cancel_booking(
                booking=booking,
                cancelled_by=self.reception[clinic.slug],
                reason=self.rng.choice(
                    [
                        CancellationReason.ILLNESS,
                        CancellationReason.WORK,
                        CancellationReason.AWAY,
                        CancellationReason.FEELING_BETTER,
                        CancellationReason.RESCHEDULED_ELSEWHERE,
                    ]
                ),
                apply_policy=False,
                now=booked_at + lead * self.rng.uniform(0.3, 0.97),
            )
        if roll < 0.13:
            return services.mark_no_show(booking=booking)
        return services.complete_booking(booking=booking)

    # --- report ------------------------------------------------------------------------------

    def report(self, clinics, rooms_by_clinic, users) -> None:
        out = self.stdout
        out.write("")
        out.write(f"Demo logins (password for every one: {demo.DEMO_PASSWORD})")
        header = ("username", "role", "where")
        rows = [(user.username, role, where) for user, role, where in users]
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(3)]
        line = "  ".join("-" * w for w in widths)
        for row in [header, None, *rows]:
            cells = (str(v).ljust(w) for v, w in zip(row, widths, strict=True)) if row else ()
            out.write("  ".join(cells).rstrip() if row else line)

        diary = Booking.objects.filter(clinic__in=clinics.values())
        by_status = {
            label: diary.filter(status=value).count() for value, label in BookingStatus.choices
        }
        out.write("")
        out.write("Demo data (total in the database, new this run):")
        totals = [
            ("clinics", Clinic.objects.filter(slug__in=clinics).count()),
            ("rooms", sum(len(r) for r in rooms_by_clinic.values())),
            ("room features", RoomFeature.objects.count()),
            ("qualifications", Qualification.objects.count()),
            (
                "therapists",
                Therapist.objects.filter(clinics__in=clinics.values()).distinct().count(),
            ),
            ("working hours", WorkingHours.objects.filter(clinic__in=clinics.values()).count()),
            ("treatments", Treatment.objects.filter(clinic__in=clinics.values()).count()),
            ("patients", Patient.objects.filter(clinic__in=clinics.values()).count()),
            ("users", len(users)),
            ("bookings", diary.count()),
        ]
        for label, total in totals:
            out.write(f"  {label:<16} {total:>5}  (+{self.created.get(label, 0)})")
        out.write(
            "  bookings by status: " + ", ".join(f"{k.lower()} {v}" for k, v in by_status.items())
        )
        if self.refused:
            reasons = ", ".join(f"{count} {code}" for code, count in self.refused.most_common())
            out.write(f"  booking attempts refused by the rules and skipped: {reasons}")
