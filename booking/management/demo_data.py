"""The demo clinic group that `manage.py seed_demo` loads: plain data, no logic.

Names, addresses and phone numbers are made up (phone numbers from Ofcom's drama ranges,
emails on example.com).
"""

from dataclasses import dataclass
from datetime import time
from decimal import Decimal

from booking.models import Modality, PatientType, Profession

DEMO_PASSWORD = "physiodesk-demo"  # noqa: S105 - published on purpose: demo logins only
CLINIC_ADMIN_GROUP = "Clinic admins"  # created by migration 0003_clinic_admin_group

MON, TUE, WED, THU, FRI, SAT = range(6)
WEEKDAYS = (MON, TUE, WED, THU, FRI)

CLINICS = [
    {
        "slug": "derby",
        "name": "Derby Physio & Sports Therapy",
        "address": "14 Friar Gate\nDerby\nDE1 1BX",
        "phone": "01632 960101",
        "email": "derby@example.com",
        "min_notice_minutes": 120,
        "booking_horizon_days": 90,
        "slot_step_minutes": 15,
        "late_cancellation_hours": 24,
    },
    {
        "slug": "nottingham",
        "name": "Nottingham Sports Injury Clinic",
        "address": "3 Lace Market Square\nNottingham\nNG1 1PB",
        "phone": "01632 960202",
        "email": "nottingham@example.com",
        "min_notice_minutes": 240,
        "booking_horizon_days": 60,
        "slot_step_minutes": 15,
        "late_cancellation_hours": 48,
    },
]
# Both clinics: weekdays 08:00-20:00 and Saturday morning.
OPENING_HOURS = [(day, time(8), time(20)) for day in WEEKDAYS] + [(SAT, time(8, 30), time(13))]

ROOM_FEATURES = {
    "couch": "Treatment couch",
    "plinth": "Height-adjustable plinth",
    "private": "Private room",
    "needling_approved": "Approved for dry needling",
    "gym_space": "Gym space",
}
ROOMS = {
    "derby": {
        "Treatment Room 1": ["couch", "plinth", "private", "needling_approved"],
        "Treatment Room 2": ["couch", "plinth", "private"],
        "Treatment Room 3": ["couch", "plinth", "needling_approved"],
        "Massage Suite": ["couch", "private"],
        "Rehab Gym": ["gym_space"],
    },
    "nottingham": {
        "Room A": ["couch", "plinth", "private", "needling_approved"],
        "Room B": ["couch", "plinth"],
        "Studio": ["gym_space"],
    },
}

QUALIFICATIONS = {
    "assessment": "Musculoskeletal assessment",
    "dry_needling": "Dry needling",
    "sports_massage": "Sports massage",
    "pnf_stretching": "PNF stretching",
    "iastm": "Graston / IASTM",
    "taping": "Kinesiology taping",
    "exercise_rehab": "Exercise rehabilitation",
}


@dataclass(frozen=True)
class DemoTherapist:
    first_name: str
    last_name: str
    profession: str
    bio: str
    qualifications: tuple[str, ...]
    # clinic slug -> [(weekday, starts, ends)]
    hours: dict[str, list[tuple[int, time, time]]]


def _days(days, starts: time, ends: time) -> list[tuple[int, time, time]]:
    return [(day, starts, ends) for day in days]


THERAPISTS = [
    DemoTherapist(
        "Sarah",
        "Whitfield",
        Profession.PHYSIOTHERAPIST,
        "Chartered physiotherapist with twelve years in sports injury; runners and cyclists.",
        ("assessment", "dry_needling", "sports_massage", "exercise_rehab", "taping", "iastm"),
        {
            "derby": _days((MON, WED, FRI), time(8), time(16)),
            "nottingham": _days((TUE, THU), time(10), time(19)),
        },
    ),
    DemoTherapist(
        "James",
        "Okafor",
        Profession.PHYSIOTHERAPIST,
        "Physiotherapist for knee and shoulder rehab; runs the Derby rehab class.",
        ("assessment", "dry_needling", "exercise_rehab", "pnf_stretching", "taping"),
        {"derby": _days((MON, TUE, WED, THU), time(12), time(20)) + [(SAT, time(8, 30), time(13))]},
    ),
    DemoTherapist(
        "Priya",
        "Sharma",
        Profession.PHYSIOTHERAPIST,
        "Physiotherapist with a special interest in back pain and return to sport.",
        ("assessment", "dry_needling", "sports_massage", "exercise_rehab", "taping"),
        {"nottingham": _days(WEEKDAYS, time(8), time(16))},
    ),
    DemoTherapist(
        "Tom",
        "Hargreaves",
        Profession.SPORTS_THERAPIST,
        "Graduate sports therapist; works with local rugby and football clubs.",
        ("assessment", "sports_massage", "pnf_stretching", "iastm", "taping", "exercise_rehab"),
        {
            "derby": _days((TUE, THU), time(8), time(17)),
            "nottingham": _days((MON, WED), time(12), time(20)) + [(SAT, time(8, 30), time(13))],
        },
    ),
    DemoTherapist(
        "Megan",
        "Lloyd",
        Profession.SPORTS_THERAPIST,
        "Sports therapist; soft-tissue work and taping for dancers and climbers.",
        ("sports_massage", "dry_needling", "pnf_stretching", "taping", "exercise_rehab"),
        {"nottingham": _days((TUE, WED, THU, FRI), time(12), time(20))},
    ),
    DemoTherapist(
        "Callum",
        "Reid",
        Profession.SPORTS_MASSEUR,
        "Sports massage therapist; evening and Saturday appointments.",
        ("sports_massage", "pnf_stretching"),
        {"derby": _days(WEEKDAYS, time(15), time(20)) + [(SAT, time(8, 30), time(13))]},
    ),
]


@dataclass(frozen=True)
class DemoTreatment:
    key: str
    name: str
    modality: str
    minutes: int
    price: str
    qualifications: tuple[str, ...]
    features: tuple[str, ...]
    description: str
    buffer_after: int = 0
    patient_type: str = PatientType.ANY
    capacity: int = 1
    online_bookable: bool = True


TREATMENTS = [
    DemoTreatment(
        "assessment",
        "Initial assessment",
        Modality.ASSESSMENT,
        45,
        "65.00",
        ("assessment",),
        ("couch", "private"),
        "Your first visit: we talk through the problem, examine it, explain what we find and "
        "agree a plan. Some treatment if there is time.",
        buffer_after=15,
        patient_type=PatientType.NEW,
    ),
    DemoTreatment(
        "follow_up",
        "Follow-up appointment",
        Modality.ASSESSMENT,
        30,
        "50.00",
        ("assessment",),
        ("couch",),
        "A review and treatment session for patients we have already assessed.",
        patient_type=PatientType.FOLLOW_UP,
    ),
    DemoTreatment(
        "dry_needling",
        "Dry needling (30 minutes)",
        Modality.DRY_NEEDLING,
        30,
        "50.00",
        ("dry_needling",),
        ("couch", "needling_approved"),
        "Fine sterile needles into tight, sore muscle to ease pain and stiffness. We check it "
        "is safe for you first, so the clinic books this one for you.",
        buffer_after=10,
        online_bookable=False,
    ),
    DemoTreatment(
        "massage_30",
        "Sports massage (30 minutes)",
        Modality.SPORTS_MASSAGE,
        30,
        "35.00",
        ("sports_massage",),
        ("couch",),
        "Firm massage for one or two areas, such as calves or shoulders.",
    ),
    DemoTreatment(
        "massage_60",
        "Sports massage (60 minutes)",
        Modality.SPORTS_MASSAGE,
        60,
        "55.00",
        ("sports_massage",),
        ("couch",),
        "Firm massage for several areas or a full-body session before or after an event.",
        buffer_after=10,
    ),
    DemoTreatment(
        "pnf",
        "PNF stretching",
        Modality.PNF_STRETCHING,
        30,
        "35.00",
        ("pnf_stretching",),
        ("plinth",),
        "Assisted stretching: you push against the therapist, relax, and stretch further.",
    ),
    DemoTreatment(
        "iastm",
        "Graston / IASTM",
        Modality.IASTM,
        30,
        "45.00",
        ("iastm",),
        ("couch",),
        "Smooth steel tools glide over the skin to loosen scar tissue and tight fascia.",
    ),
    DemoTreatment(
        "taping",
        "Kinesiology taping",
        Modality.TAPING,
        15,
        "20.00",
        ("taping",),
        ("couch",),
        "Stretchy tape applied to support a joint or muscle while you keep training.",
    ),
    DemoTreatment(
        "rehab",
        "Exercise rehab (1:1)",
        Modality.EXERCISE_REHAB,
        45,
        "50.00",
        ("exercise_rehab",),
        ("gym_space",),
        "A supervised session in the gym working through your rehab exercises.",
    ),
    DemoTreatment(
        "class",
        "Group rehab class",
        Modality.EXERCISE_REHAB,
        60,
        "15.00",
        ("exercise_rehab",),
        ("gym_space",),
        "A small class of up to six, led by a therapist, for patients part-way through rehab.",
        patient_type=PatientType.FOLLOW_UP,
        capacity=6,
    ),
    DemoTreatment(
        "combined",
        "Dry needling + sports massage",
        Modality.COMBINED,
        60,
        "75.00",
        ("dry_needling", "sports_massage"),
        ("couch", "needling_approved"),
        "Dry needling followed by massage of the same area in one hour.",
        buffer_after=10,
        online_bookable=False,
    ),
]
# Small price differences between the sites, as real clinics have.
PRICE_UPLIFT = {"derby": Decimal("0.00"), "nottingham": Decimal("5.00")}

# Weekly class times: clinic slug -> [(weekday, start)].
CLASS_TIMES = {
    "derby": [(TUE, time(18)), (THU, time(18))],
    "nottingham": [(WED, time(18)), (SAT, time(10))],
}

# What a returning patient books, with weights.
RETURNING_MIX = [
    ("follow_up", 30),
    ("massage_30", 10),
    ("massage_60", 10),
    ("dry_needling", 10),
    ("combined", 5),
    ("pnf", 5),
    ("iastm", 5),
    ("taping", 5),
    ("rehab", 10),
]

PATIENT_NAMES = """
Emily Clarke, Oliver Bennett, Charlotte Hughes, Harry Patel, Amelia Wright, George Thompson,
Olivia Walker, Jack Robinson, Isla Wood, Noah Turner, Ava Edwards, Leo Collins, Mia Stewart,
Arthur Morris, Grace Rogers, Oscar Cook, Sophie Morgan, Charlie Bell, Lily Murphy,
Freddie Bailey, Ella Cooper, Alfie Richardson, Evie Cox, Thomas Howard, Poppy Ward,
William Watson, Freya Brooks, Henry Gray, Ruby James, Archie Kelly, Florence Price,
Joshua Barnes, Isabelle Knight, Samuel Mills, Jessica Hunt, Daniel Lawrence, Hannah Owen,
Joseph Ellis, Chloe Fletcher, Benjamin Atkinson, Lucy Armstrong, Ethan Kaur, Megan Dixon,
Max Holmes, Rosie Gibson, Lewis Chapman, Millie Marshall, Jacob Begum, Phoebe Harrison,
Mohammed Ali, Zara Khan, Rhys Evans, Niamh O'Brien, Callum McDonald, Eleanor Webb,
Finley Shaw, Imogen Lloyd, Toby Russell, Matilda Palmer, Reuben Hart
"""
# Patients whose logins the demo prints (the first is the role's demo user).
PATIENT_LOGINS = {"emily.clarke", "oliver.bennett", "charlotte.hughes"}
ADMIN_NOTES = [
    "Prefers early appointments.",
    "Club account: invoice the club.",
    "Needs ground-floor room.",
    "Parking permit requested.",
    "Asked for a text the day before.",
]
