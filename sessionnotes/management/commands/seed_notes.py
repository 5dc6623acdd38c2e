"""`manage.py seed_notes --demo`: signed session notes for the demo clinics' past sessions.

Called by `seed_demo` (by command name: booking does not import session notes). A few
patients per clinic get a course of treatment recorded: dry needling where the therapist is
qualified and the patient cleared that day, sports massage and exercise rehab, with pain falling
from session to session and one amendment, so a new user sees a course with progress. Every
note goes through the services (written, signed, amended as a therapist would). Safe to run
again: sessions that already have a note are left alone, and the amendment is added once.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction

from booking.management import demo_data
from booking.models import Booking, BookingStatus
from plans.selectors import needling_clearance
from sessionnotes import services
from sessionnotes.models import Amendment, SessionNote
from sessionnotes.red_flags import SCREENS, Screen
from sessionnotes.vocabulary import QUALIFICATION_FOR, RecordKind

PATIENTS_PER_CLINIC = 3
SESSIONS_PER_COURSE = 6

# Pain before each session of a course; the session takes off about two points.
PAIN = [7, 6, 5, 4, 3, 2]
SITES = [
    ("Upper trapezius", "right", "TrP1", 30),
    ("Levator scapulae", "right", "TrP2", 40),
]


def _needling(session_number: int) -> dict:
    sites = SITES[: 2 if session_number < 3 else 1]
    return {
        "modality": RecordKind.DRY_NEEDLING,
        "sites": [
            {
                "muscle": muscle,
                "side": side,
                "trigger_point": point,
                "needle_diameter_mm": 0.25,
                "needle_length_mm": length,
                "insertions": max(6 - session_number, 2),
                "technique": "pistoning",
                "local_twitch_response": session_number < 4,
            }
            for muscle, side, point, length in sites
        ],
        "needles_in": len(sites),
        "needles_out": len(sites),
        "sharps_disposed": True,
        "adverse_events": (
            [
                {
                    "kind": "bruising",
                    "severity": "mild",
                    "onset": "immediately_after",
                    "action": "Pressure for two minutes; advised it fades in a few days.",
                }
            ]
            if session_number == 1
            else []
        ),
    }


def _massage(session_number: int) -> dict:
    return {
        "modality": RecordKind.SPORTS_MASSAGE,
        "areas": [{"area": "Upper trapezius", "side": "right"}, {"area": "Cervical extensors"}],
        "techniques": ["effleurage", "petrissage", "trigger_point_release"],
        "pressure": "firm" if session_number > 1 else "moderate",
        "minutes": 20,
        "response": "Tolerated well; tissue softer by the end.",
    }


def _exercise(session_number: int) -> dict:
    return {
        "modality": RecordKind.EXERCISE_REHAB,
        "exercises": [
            {"name": "Chin tucks", "sets": 3, "reps": 10, "rpe": 3},
            {
                "name": "Resisted shoulder retraction",
                "sets": 3,
                "reps": 12 + session_number,
                "load": "Green band",
                "rpe": 5,
            },
        ],
        "home_programme_changes": (
            "Started chin tucks and band retraction daily."
            if session_number == 0
            else "Band retraction: two more reps per set."
        ),
    }


def _content(session_number: int, kinds: list[str]) -> dict:
    before = PAIN[min(session_number, len(PAIN) - 1)]
    after = max(before - 2, 0)
    makers = {
        RecordKind.DRY_NEEDLING: _needling,
        RecordKind.SPORTS_MASSAGE: _massage,
        RecordKind.EXERCISE_REHAB: _exercise,
    }
    rotation = 70 + 5 * session_number
    return {
        "subjective": (
            f"Neck ache {before}/10 at worst, better than last week"
            if session_number
            else f"Right-sided neck ache for six weeks, {before}/10 at worst after desk days"
        )
        + "; sleeping through.",
        "objective": f"Right rotation {rotation} degrees (left 80). Tender right upper trapezius.",
        "assessment": "Myofascial neck pain, improving steadily with treatment.",
        "plan": "Continue the course; progress the home programme next session.",
        "pain_before": before,
        "pain_after": after,
        "body_chart": [
            {"view": "back", "region": "neck", "symptom": "ache", "nprs": before},
            {
                "view": "back",
                "region": "right_shoulder_blade",
                "symptom": "ache",
                "nprs": max(before - 1, 0),
            },
        ],
        "records": [makers[kind](session_number) for kind in kinds],
    }


class Command(BaseCommand):
    help = "Signed session notes for the demo clinics' past sessions (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="Notes for the demo clinics.")

    def handle(self, *args, **options):
        if not options["demo"]:
            self.stdout.write("Nothing to do: pass --demo.")
            return
        written = 0
        with transaction.atomic():
            for slug in (clinic["slug"] for clinic in demo_data.CLINICS):
                written += self.seed_clinic(slug)
        self.stdout.write(f"Session notes: {written} written and signed.")

    def seed_clinic(self, slug: str) -> int:
        past = (
            Booking.objects.filter(
                clinic__slug=slug,
                status=BookingStatus.COMPLETED,
                therapist__user__isnull=False,
                treatment__capacity=1,
            )
            .select_related("patient", "therapist__user", "clinic", "treatment")
            .order_by("start")
        )
        by_patient: dict[int, list[Booking]] = {}
        for booking in past:
            by_patient.setdefault(booking.patient_id, []).append(booking)
        courses = sorted(by_patient.values(), key=lambda bookings: -len(bookings))
        written = 0
        for n, bookings in enumerate(courses[:PATIENTS_PER_CLINIC]):
            notes = [
                self.write(booking, i) for i, booking in enumerate(bookings[:SESSIONS_PER_COURSE])
            ]
            written += sum(1 for note, new in notes if new)
            if n == 0 and len(notes) > 1:
                self.amend_once(notes[1][0])
        return written

    def write(self, booking: Booking, session_number: int) -> tuple[SessionNote, bool]:
        existing = SessionNote.objects.filter(booking=booking).first()
        if existing is not None:
            return existing, False
        held = set(booking.therapist.qualifications.values_list("code", flat=True))
        day = booking.start.astimezone(booking.clinic.tz).date()
        cleared = needling_clearance(patient=booking.patient, on=day).cleared
        kinds = [
            kind
            for kind in (
                RecordKind.DRY_NEEDLING,
                RecordKind.SPORTS_MASSAGE,
                RecordKind.EXERCISE_REHAB,
            )
            if QUALIFICATION_FOR[kind] in held and (kind != RecordKind.DRY_NEEDLING or cleared)
        ]
        written_at = booking.end + timedelta(minutes=10)
        author = booking.therapist.user
        note = services.write_note(
            booking=booking, author=author, content=_content(session_number, kinds), now=written_at
        )
        if services.needs_assessment(note):
            # A plan's first session: the assessment part, red-flag screen negative.
            services.update_note(
                note=note,
                author=author,
                content={},
                initial_assessment={
                    "presenting_complaint": "Right-sided neck pain after long desk days.",
                    "history": "Six weeks, gradual onset; no trauma. No relevant history.",
                    "screen": Screen.NECK_PAIN,
                    "red_flags": {f.code: {"answer": "no"} for f in SCREENS[Screen.NECK_PAIN]},
                    "working_diagnosis": "Myofascial neck pain (right upper trapezius).",
                },
                assessment_given=True,
                now=written_at,
            )
        note = services.sign_note(note=note, signed_by=author, now=written_at)
        return note, True

    def amend_once(self, note: SessionNote) -> None:
        if Amendment.objects.filter(note=note).exists():
            return
        services.amend_note(
            note=note,
            author=note.booking.therapist.user,
            reason="Added the range measured at the end of the session.",
            changes={"objective": note.objective + " After treatment: right rotation 80 degrees."},
            now=note.signed_at + timedelta(hours=2),
        )
