"""Who may do what: every API operation x every role x own vs. another clinic's object.

One row per operation (method and path as the URL resolver serves them), one column per role.
A role plays at Derby ("own"): Pat the patient, Rhea at reception, Tess the therapist, Adam the
clinic admin; the superuser is everyone's. For an operation on an object (a path with `{id}`)
the cell reads "own/other": the status for Derby's object (Pat's booking, plan, note ...) and
for Nottingham's (Nat's, another patient at another clinic). Creates, and reads that need a
query (audit, availability, clearance), are sent as RECIPES build them, once naming Derby's
objects and once Nottingham's, so their cells read "own/other" too. Other commands are sent with
an empty JSON body: a role that gets through the permission checks sees 400 (or the command's
own answer), a role that may not sees 401/403/404. Every request runs in a savepoint that is
rolled back, so each cell starts from the same world (tests/reliability/world.py).

Lists are also checked for leaks: no role but the superuser sees Nottingham's private records
(bookings, patients, plans, screenings, notes, alerts, blocks, waiting-list entries) in a Derby
list. Erasing a patient and failed sign-ins (the lock-out's counters are rows in the database)
are rolled back like every other cell, which a test checks; rate-limit counters live in the
cache, outside the transaction, so another checks the test rates stay far above a run's requests.

Adding an endpoint: `test_every_api_operation_has_a_row` fails and prints the row the new
operation answers today, laid out like MATRIX; check each cell is what should happen (add a
RECIPE first if it needs a body), then paste the row in.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from drf_spectacular.generators import EndpointEnumerator
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from privacy.models import Erasure
from tests.conftest import NOW
from tests.plans.conftest import answers
from tests.reliability.world import Side, World, build_world, path_ids

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "patient", "receptionist", "therapist", "clinic_admin", "superuser")

# fmt: off
MATRIX: dict[str, tuple] = {
    # operation                                                  anonymous  patient    reception  therapist  admin      superuser
    "GET /api/v1/audit/":                                         ("401/401", "403/404", "403/404", "403/404", "200/404", "200/200"),

    "POST /api/v1/auth/logout/":                                  (401      , 204      , 204      , 204      , 204      , 204      ),
    "POST /api/v1/auth/token/":                                   ("200/200", "200/200", "200/200", "200/200", "200/200", "200/200"),
    "GET /api/v1/auth/tokens/":                                   (401      , 200      , 200      , 200      , 200      , 200      ),
    "DELETE /api/v1/auth/tokens/{id}/":                           ("401/401", "204/404", "204/404", "204/404", "204/404", "204/404"),
    "POST /api/v1/auth/unlock/":                                  ("401/401", "403/403", "403/403", "403/403", "200/404", "200/200"),

    "GET /api/v1/availability/":                                  ("200/200", "200/200", "200/200", "200/200", "200/200", "200/200"),

    "GET /api/v1/blocks/":                                        (401      , 200      , 200      , 200      , 200      , 200      ),
    "POST /api/v1/blocks/":                                       ("401/401", "403/403", "201/403", "403/403", "201/403", "201/201"),
    "GET /api/v1/blocks/{id}/":                                   ("401/401", "404/404", "200/404", "200/404", "200/404", "200/200"),
    "DELETE /api/v1/blocks/{id}/":                                ("401/401", "404/404", "204/404", "403/404", "204/404", "204/204"),

    "GET /api/v1/bookings/":                                      (401      , 200      , 200      , 200      , 200      , 200      ),
    "POST /api/v1/bookings/":                                     ("401/401", "201/403", "201/403", "201/403", "201/403", "201/201"),
    "GET /api/v1/bookings/{id}/":                                 ("401/401", "200/404", "200/404", "200/404", "200/404", "200/200"),
    "POST /api/v1/bookings/{id}/cancel/":                         ("401/401", "200/404", "200/404", "200/404", "200/404", "200/200"),
    "POST /api/v1/bookings/{id}/check-in/":                       ("401/401", "403/404", "409/404", "409/404", "409/404", "409/409"),
    "POST /api/v1/bookings/{id}/complete/":                       ("401/401", "403/404", "409/404", "409/404", "409/404", "409/409"),
    "POST /api/v1/bookings/{id}/no-show/":                        ("401/401", "403/404", "409/404", "409/404", "409/404", "409/409"),
    "POST /api/v1/bookings/{id}/reschedule/":                     ("401/401", "200/404", "200/404", "200/404", "200/404", "200/200"),

    "GET /api/v1/clinics/":                                       (200      , 200      , 200      , 200      , 200      , 200      ),
    "POST /api/v1/clinics/":                                      ("401/401", "403/403", "403/403", "403/403", "403/403", "201/201"),
    "GET /api/v1/clinics/{id}/":                                  ("200/200", "200/200", "200/200", "200/200", "200/200", "200/200"),
    "PUT /api/v1/clinics/{id}/":                                  ("401/401", "403/403", "403/403", "403/403", "400/403", "400/400"),
    "PATCH /api/v1/clinics/{id}/":                                ("401/401", "403/403", "403/403", "403/403", "200/403", "200/200"),
    "DELETE /api/v1/clinics/{id}/":                               ("401/401", "403/403", "403/403", "403/403", "409/403", "409/409"),

    "GET /api/v1/docs/":                                          (200      , 200      , 200      , 200      , 200      , 200      ),

    "GET /api/v1/exercises/":                                     (401      , 200      , 200      , 200      , 200      , 200      ),
    "POST /api/v1/exercises/":                                    ("401/401", "403/403", "403/403", "201/403", "201/403", "201/201"),
    "GET /api/v1/exercises/{id}/":                                ("401/401", "200/404", "200/404", "200/404", "200/404", "200/200"),
    "PATCH /api/v1/exercises/{id}/":                              ("401/401", "403/404", "403/404", "200/404", "200/404", "200/200"),

    "GET /api/v1/feeds/":                                         (401      , 200      , 200      , 200      , 200      , 200      ),
    "POST /api/v1/feeds/{id}/rotate/":                            ("401/401", "200/404", "404/404", "200/404", "200/404", "200/200"),

    "GET /api/v1/opening-hours/":                                 (200      , 200      , 200      , 200      , 200      , 200      ),
    "POST /api/v1/opening-hours/":                                ("401/401", "403/403", "403/403", "403/403", "201/403", "201/201"),
    "GET /api/v1/opening-hours/{id}/":                            ("200/200", "200/200", "200/200", "200/200", "200/200", "200/200"),
    "PUT /api/v1/opening-hours/{id}/":                            ("401/401", "403/403", "403/403", "403/403", "400/403", "400/400"),
    "PATCH /api/v1/opening-hours/{id}/":                          ("401/401", "403/403", "403/403", "403/403", "200/403", "200/200"),
    "DELETE /api/v1/opening-hours/{id}/":                         ("401/401", "403/403", "403/403", "403/403", "204/403", "204/204"),

    "GET /api/v1/patients/":                                      (401      , 200      , 200      , 200      , 200      , 200      ),
    "POST /api/v1/patients/":                                     ("401/401", "403/403", "201/403", "201/403", "201/403", "201/201"),
    "GET /api/v1/patients/{id}/":                                 ("401/401", "200/404", "200/404", "200/404", "200/404", "200/200"),
    "PUT /api/v1/patients/{id}/":                                 ("401/401", "400/404", "400/404", "400/404", "400/404", "400/400"),
    "PATCH /api/v1/patients/{id}/":                               ("401/401", "200/404", "200/404", "200/404", "200/404", "200/200"),
    "POST /api/v1/patients/{id}/erase/":                          ("401/401", "403/404", "403/404", "403/404", "200/404", "200/200"),
    "GET /api/v1/patients/{id}/export/":                          ("401/401", "200/404", "403/404", "403/404", "200/404", "200/200"),

    "GET /api/v1/plan-templates/":                                (401      , 403      , 200      , 200      , 200      , 200      ),
    "POST /api/v1/plan-templates/":                               ("401/401", "403/403", "403/403", "201/403", "201/403", "201/201"),
    "GET /api/v1/plan-templates/{id}/":                           ("401/401", "403/403", "200/404", "200/404", "200/404", "200/200"),

    "GET /api/v1/plans/":                                         (401      , 200      , 200      , 200      , 200      , 200      ),
    "POST /api/v1/plans/":                                        ("401/401", "403/400", "403/400", "201/400", "403/400", "201/201"),
    "GET /api/v1/plans/{id}/":                                    ("401/401", "404/404", "200/404", "200/404", "200/404", "200/200"),
    "PATCH /api/v1/plans/{id}/":                                  ("401/401", "404/404", "403/404", "200/404", "403/404", "200/200"),
    "POST /api/v1/plans/{id}/activate/":                          ("401/401", "404/404", "403/404", "200/404", "403/404", "200/200"),
    "GET /api/v1/plans/{id}/adherence/":                          ("401/401", "404/404", "403/404", "200/404", "403/404", "200/200"),
    "POST /api/v1/plans/{id}/complete/":                          ("401/401", "404/404", "403/404", "409/404", "403/404", "409/409"),
    "POST /api/v1/plans/{id}/components/":                        ("401/401", "404/404", "403/404", "400/404", "403/404", "400/400"),
    "POST /api/v1/plans/{id}/discontinue/":                       ("401/401", "404/404", "403/404", "200/404", "403/404", "200/200"),
    "GET /api/v1/plans/{id}/exercise-logs/":                      ("401/401", "404/404", "403/404", "200/404", "403/404", "200/200"),
    "POST /api/v1/plans/{id}/exercise-logs/":                     ("401/401", "404/404", "403/404", "400/404", "403/404", "400/400"),
    "POST /api/v1/plans/{id}/goals/":                             ("401/401", "404/404", "403/404", "400/404", "403/404", "400/400"),
    "GET /api/v1/plans/{id}/outcomes/":                           ("401/401", "404/404", "403/404", "200/404", "403/404", "200/200"),
    "POST /api/v1/plans/{id}/outcomes/":                          ("401/401", "404/404", "403/404", "400/404", "403/404", "400/400"),
    "POST /api/v1/plans/{id}/phases/":                            ("401/401", "404/404", "403/404", "400/404", "403/404", "400/400"),
    "POST /api/v1/plans/{id}/prescriptions/":                     ("401/401", "404/404", "403/404", "400/404", "403/404", "400/400"),
    "GET /api/v1/plans/{id}/progress/":                           ("401/401", "404/404", "403/404", "200/404", "403/404", "200/200"),
    "GET /api/v1/plans/{id}/progress/chart/":                     ("401/401", "404/404", "403/404", "200/404", "403/404", "200/200"),
    "POST /api/v1/plans/{id}/schedule/":                          ("401/401", "404/404", "200/404", "200/404", "200/404", "200/200"),
    "PATCH /api/v1/plans/{id}/components/{component_id}/":        ("401/401", "404/404", "403/404", "200/404", "403/404", "200/200"),
    "DELETE /api/v1/plans/{id}/components/{component_id}/":       ("401/401", "404/404", "403/404", "204/404", "403/404", "204/204"),
    "DELETE /api/v1/plans/{id}/goals/{goal_id}/":                 ("401/401", "404/404", "403/404", "204/404", "403/404", "204/204"),
    "PATCH /api/v1/plans/{id}/phases/{phase_id}/":                ("401/401", "404/404", "403/404", "200/404", "403/404", "200/200"),
    "DELETE /api/v1/plans/{id}/phases/{phase_id}/":               ("401/401", "404/404", "403/404", "204/404", "403/404", "204/204"),
    "PATCH /api/v1/plans/{id}/prescriptions/{prescription_id}/":  ("401/401", "404/404", "403/404", "200/404", "403/404", "200/200"),
    "DELETE /api/v1/plans/{id}/prescriptions/{prescription_id}/": ("401/401", "404/404", "403/404", "204/404", "403/404", "204/204"),

    "GET /api/v1/rooms/":                                         (401      , 200      , 200      , 200      , 200      , 200      ),
    "POST /api/v1/rooms/":                                        ("401/401", "403/403", "403/403", "403/403", "201/403", "201/201"),
    "GET /api/v1/rooms/{id}/":                                    ("401/401", "200/200", "200/200", "200/200", "200/200", "200/200"),
    "PUT /api/v1/rooms/{id}/":                                    ("401/401", "403/403", "403/403", "403/403", "400/403", "400/400"),
    "PATCH /api/v1/rooms/{id}/":                                  ("401/401", "403/403", "403/403", "403/403", "200/403", "200/200"),
    "DELETE /api/v1/rooms/{id}/":                                 ("401/401", "403/403", "403/403", "403/403", "409/403", "409/409"),

    "GET /api/v1/safety-alerts/":                                 (401      , 403      , 403      , 200      , 200      , 200      ),
    "GET /api/v1/safety-alerts/{id}/":                            ("401/401", "403/403", "403/403", "200/404", "200/404", "200/200"),
    "POST /api/v1/safety-alerts/{id}/review/":                    ("401/401", "403/403", "403/403", "200/404", "200/404", "200/200"),

    "GET /api/v1/schema/":                                        (200      , 200      , 200      , 200      , 200      , 200      ),

    "GET /api/v1/screenings/":                                    (401      , 200      , 403      , 200      , 403      , 200      ),
    "POST /api/v1/screenings/":                                   ("401/401", "403/400", "403/403", "201/400", "403/403", "201/201"),
    "GET /api/v1/screenings/clearance/":                          ("401/401", "200/400", "403/403", "200/400", "403/403", "200/200"),
    "GET /api/v1/screenings/questionnaire/":                      (401      , 200      , 403      , 200      , 403      , 200      ),
    "GET /api/v1/screenings/to-review/":                          (401      , 403      , 403      , 200      , 403      , 200      ),
    "GET /api/v1/screenings/{id}/":                               ("401/401", "200/404", "403/403", "200/404", "403/403", "200/200"),
    "POST /api/v1/screenings/{id}/acknowledge/":                  ("401/401", "403/404", "403/403", "400/404", "403/403", "400/400"),
    "POST /api/v1/screenings/{id}/consent/":                      ("401/401", "403/404", "403/403", "400/404", "403/403", "400/400"),
    "POST /api/v1/screenings/{id}/correct/":                      ("401/401", "403/404", "403/403", "200/404", "403/403", "200/200"),
    "POST /api/v1/screenings/{id}/withdraw-consent/":             ("401/401", "200/404", "403/403", "200/404", "403/403", "200/200"),

    "GET /api/v1/session-notes/":                                 (401      , 403      , 403      , 200      , 403      , 200      ),
    "POST /api/v1/session-notes/":                                ("401/401", "403/403", "403/403", "201/400", "403/403", "400/400"),
    "GET /api/v1/session-notes/due/":                             (401      , 403      , 403      , 200      , 403      , 403      ),
    "GET /api/v1/session-notes/{id}/":                            ("401/401", "403/403", "403/403", "200/404", "403/403", "200/200"),
    "PATCH /api/v1/session-notes/{id}/":                          ("401/401", "403/403", "403/403", "200/404", "403/403", "403/403"),
    "POST /api/v1/session-notes/{id}/amend/":                     ("401/401", "403/403", "403/403", "409/404", "403/403", "403/403"),
    "POST /api/v1/session-notes/{id}/clear-red-flags/":           ("401/401", "403/403", "403/403", "400/404", "403/403", "400/400"),
    "POST /api/v1/session-notes/{id}/sign/":                      ("401/401", "403/403", "403/403", "200/404", "403/403", "403/403"),

    "GET /api/v1/therapists/":                                    (200      , 200      , 200      , 200      , 200      , 200      ),
    "POST /api/v1/therapists/":                                   ("401/401", "403/403", "403/403", "403/403", "201/403", "201/201"),
    "GET /api/v1/therapists/{id}/":                               ("200/200", "200/200", "200/200", "200/200", "200/200", "200/200"),
    "PUT /api/v1/therapists/{id}/":                               ("401/401", "403/403", "403/403", "403/403", "400/403", "400/400"),
    "PATCH /api/v1/therapists/{id}/":                             ("401/401", "403/403", "403/403", "403/403", "200/403", "200/200"),
    "DELETE /api/v1/therapists/{id}/":                            ("401/401", "403/403", "403/403", "403/403", "409/403", "409/409"),

    "GET /api/v1/treatments/":                                    (200      , 200      , 200      , 200      , 200      , 200      ),
    "POST /api/v1/treatments/":                                   ("401/401", "403/403", "403/403", "403/403", "201/403", "201/201"),
    "GET /api/v1/treatments/{id}/":                               ("200/200", "200/200", "200/200", "200/200", "200/200", "200/200"),
    "PUT /api/v1/treatments/{id}/":                               ("401/401", "403/403", "403/403", "403/403", "400/403", "400/400"),
    "PATCH /api/v1/treatments/{id}/":                             ("401/401", "403/403", "403/403", "403/403", "200/403", "200/200"),
    "DELETE /api/v1/treatments/{id}/":                            ("401/401", "403/403", "403/403", "403/403", "409/403", "409/409"),

    "GET /api/v1/waitlist/":                                      (401      , 200      , 200      , 200      , 200      , 200      ),
    "POST /api/v1/waitlist/":                                     ("401/401", "201/403", "201/403", "403/403", "201/403", "201/201"),
    "GET /api/v1/waitlist/{id}/":                                 ("401/401", "200/404", "200/404", "404/404", "200/404", "200/200"),
    "POST /api/v1/waitlist/{id}/book/":                           ("401/401", "403/404", "409/404", "404/404", "409/404", "409/409"),
    "POST /api/v1/waitlist/{id}/decline/":                        ("401/401", "200/404", "200/404", "404/404", "200/404", "200/200"),
    "POST /api/v1/waitlist/{id}/remove/":                         ("401/401", "200/404", "200/404", "404/404", "200/404", "200/200"),

    "GET /api/v1/working-hours/":                                 (401      , 200      , 200      , 200      , 200      , 200      ),
    "POST /api/v1/working-hours/":                                ("401/401", "403/403", "403/403", "403/403", "201/403", "201/201"),
    "GET /api/v1/working-hours/{id}/":                            ("401/401", "200/200", "200/200", "200/200", "200/200", "200/200"),
    "PUT /api/v1/working-hours/{id}/":                            ("401/401", "403/403", "403/403", "403/403", "400/403", "400/400"),
    "PATCH /api/v1/working-hours/{id}/":                          ("401/401", "403/403", "403/403", "403/403", "200/403", "200/200"),
    "DELETE /api/v1/working-hours/{id}/":                         ("401/401", "403/403", "403/403", "403/403", "204/403", "204/204"),
}
# fmt: on

# What anyone may read about any clinic: the public catalogue people book from.
CATALOGUE = {
    "GET /api/v1/availability/",
    "GET /api/v1/clinics/{id}/",
    "GET /api/v1/opening-hours/{id}/",
    "GET /api/v1/rooms/{id}/",
    "GET /api/v1/therapists/{id}/",
    "GET /api/v1/treatments/{id}/",
    "GET /api/v1/working-hours/{id}/",
    # Signing in names no clinic's records.
    "POST /api/v1/auth/token/",
}

# Records only their own clinic's staff (or their own patient) may list.
PRIVATE_LISTS = {
    "/api/v1/bookings/": "booking",
    "/api/v1/patients/": "patient",
    "/api/v1/plans/": "plan",
    "/api/v1/screenings/": "screening",
    "/api/v1/session-notes/": "note",
    "/api/v1/safety-alerts/": "alert",
    "/api/v1/blocks/": "block",
    "/api/v1/waitlist/": "waitlist",
}


def _at(days: int, hour: int) -> str:
    return (NOW + timedelta(days=days)).replace(hour=hour).isoformat()


# Requests that need a body or query to mean anything: recipe(side) -> (query, body), made once
# with Derby's objects ("own") and once with Nottingham's ("other"). Everything else is sent
# with no query and an empty body.
RECIPES: dict[str, Callable[[Side], tuple[dict, dict]]] = {
    "GET /api/v1/audit/": lambda s: ({"patient": s.patient.pk}, {}),
    "GET /api/v1/availability/": lambda s: (
        {"treatment": s.massage.pk, "start": "2027-03-08", "end": "2027-03-08"},
        {},
    ),
    "GET /api/v1/screenings/clearance/": lambda s: ({"patient": s.patient.pk}, {}),
    "POST /api/v1/auth/token/": lambda s: (
        {},
        {"username": s.patient.user.username, "password": "correct-horse-battery"},
    ),
    # A body that moves the booking: the refusal must come from who may move it, not the body.
    "POST /api/v1/bookings/{id}/reschedule/": lambda s: ({}, {"start": _at(4, 15)}),
    "POST /api/v1/clinics/": lambda s: ({}, {"name": "Leicester Physio", "slug": "leicester"}),
    "POST /api/v1/blocks/": lambda s: (
        {},
        {"therapist": s.therapist.pk, "start": _at(20, 9), "end": _at(20, 10), "reason": "Course"},
    ),
    "POST /api/v1/bookings/": lambda s: (
        {},
        {
            "treatment": s.massage.pk,
            "start": _at(3, 14),
            "therapist": s.therapist.pk,
            "patient": s.patient.pk,
        },
    ),
    "POST /api/v1/exercises/": lambda s: (
        {},
        {
            "clinic": s.clinic.pk,
            "name": "Wall slide",
            "body_region": "shoulder",
            "purpose": "mobility",
            "instructions": "Slide both forearms up the wall.",
            "default_reps": 10,
        },
    ),
    "POST /api/v1/opening-hours/": lambda s: (
        {},
        {"clinic": s.clinic.pk, "weekday": 6, "opens": "06:00", "closes": "07:00"},
    ),
    "POST /api/v1/patients/": lambda s: (
        {},
        {"clinic": s.clinic.pk, "first_name": "New", "last_name": "Patient"},
    ),
    "POST /api/v1/plan-templates/": lambda s: (
        {},
        {
            "clinic": s.clinic.pk,
            "name": "Neck, short",
            "condition": "neck_pain",
            "phases": [{"name": "Settle pain", "weeks": 2}],
        },
    ),
    "POST /api/v1/plans/": lambda s: (
        {},
        {"patient": s.patient.pk, "condition": "neck_pain", "lead_therapist": s.therapist.pk},
    ),
    "POST /api/v1/rooms/": lambda s: ({}, {"clinic": s.clinic.pk, "name": "Room 9"}),
    "POST /api/v1/safety-alerts/{id}/review/": lambda s: ({}, {"note": "Reviewed; no harm."}),
    "POST /api/v1/screenings/": lambda s: ({}, {"patient": s.patient.pk, "answers": answers()}),
    "POST /api/v1/session-notes/": lambda s: ({}, {"booking": s.unnoted.pk}),
    "POST /api/v1/session-notes/{id}/amend/": lambda s: (
        {},
        {"changes": {"subjective": "Neck ache 4/10."}, "reason": "Typo."},
    ),
    "POST /api/v1/therapists/": lambda s: (
        {},
        {
            "clinics": [s.clinic.pk],
            "first_name": "Ned",
            "last_name": "New",
            "profession": "physiotherapist",
        },
    ),
    "POST /api/v1/treatments/": lambda s: (
        {},
        {
            "clinic": s.clinic.pk,
            "name": "Cupping",
            "modality": "sports_massage",
            "duration_minutes": 30,
        },
    ),
    "POST /api/v1/auth/unlock/": lambda s: ({}, {"account": s.patient.user.username}),
    "POST /api/v1/screenings/{id}/correct/": lambda s: (
        {},
        {"answers": {next(iter(answers())): None}, "reason": "The patient is not sure."},
    ),
    # A second treatment, so the patient is not already waiting for it.
    "POST /api/v1/waitlist/": lambda s: (
        {},
        {"treatment": s.needling.pk, "patient": s.patient.pk, "part_of_day": "morning"},
    ),
    "POST /api/v1/working-hours/": lambda s: (
        {},
        {
            "clinic": s.clinic.pk,
            "therapist": s.therapist.pk,
            "weekday": 6,
            "starts": "06:00",
            "ends": "07:00",
        },
    ),
}


def api_operations() -> list[str]:
    """Every operation the URL resolver routes to a DRF view under /api/ (schema or not)."""
    return sorted(
        {
            f"{method} {path.replace('{pk}', '{id}')}"
            for path, _regex, method, _view in EndpointEnumerator().get_api_endpoints()
            if path.startswith("/api/")
        }
    )


@pytest.fixture
def world():
    with time_machine.travel(NOW, tick=False):
        yield build_world()


def _client(world: World, user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {world.token(user)}")
    return client


def _send(client: APIClient, method: str, url: str, query=None, body=None):
    """One request in a savepoint rolled back afterwards: the world is the same for the next."""
    with transaction.atomic():
        if method == "GET":
            response = client.get(url, query or {})
        else:
            response = client.generic(
                method, url, json.dumps(body or {}), content_type="application/json"
            )
        transaction.set_rollback(True)
    return response


def _answer(client, method: str, path: str, operation: str, side: Side, user) -> int:
    url = path.format(**path_ids(path, side, user)) if "{" in path else path
    query, body = RECIPES[operation](side) if operation in RECIPES else ({}, {})
    return _send(client, method, url, query, body).status_code


def observe(world: World, operation: str) -> tuple:
    """The row `operation` answers today: one cell per role."""
    method, path = operation.split(" ", 1)
    cells = []
    for role in ROLES:
        user = world.users()[role]
        client = _client(world, user)
        if "{" not in path and operation not in RECIPES:
            cells.append(_send(client, method, path).status_code)
            continue
        own = _answer(client, method, path, operation, world.own, user)
        other = _answer(client, method, path, operation, world.other, user)
        cells.append(f"{own}/{other}")
    return tuple(cells)


def as_row(operation: str, cells: tuple) -> str:
    """`operation`'s row, laid out like MATRIX's."""
    shown = ", ".join(
        (f'"{cell}"' if isinstance(cell, str) else str(cell)).ljust(9) for cell in cells
    )
    return f'    "{operation}":'.ljust(66) + f"({shown}),"


def test_every_api_operation_has_a_row(world):
    operations = api_operations()
    missing = [op for op in operations if op not in MATRIX]
    stale = [op for op in MATRIX if op not in operations]

    assert len(operations) > 100
    rows = "\n".join(as_row(op, observe(world, op)) for op in missing)
    assert not missing, (
        f"{len(missing)} API operations have no row in MATRIX. What they answer today "
        f"(check every cell, then paste):\n{rows}"
    )
    assert not stale, f"MATRIX rows for operations that no longer exist: {stale}"


def test_no_role_but_the_superuser_may_touch_another_clinics_objects():
    """A guard on the table itself: a pasted row cannot grant Derby's people Nottingham's data."""
    granted = [
        f"{operation} as {role}: {cell}"
        for operation, cells in MATRIX.items()
        if operation not in CATALOGUE
        for role, cell in zip(ROLES[:-1], cells[:-1], strict=True)
        if isinstance(cell, str) and cell.split("/")[1].startswith("2")
    ]
    assert granted == []


def test_every_role_gets_the_expected_answer_from_every_operation(world, figures):
    mismatches = []
    cells = 0
    for operation, expected in MATRIX.items():
        observed = observe(world, operation)
        cells += sum(2 if isinstance(cell, str) else 1 for cell in observed)
        for role, want, got in zip(ROLES, expected, observed, strict=True):
            if want != got:
                mismatches.append(f"{operation} as {role}: expected {want}, got {got}")

    figure = (
        f"permission matrix: {len(MATRIX)} operations x {len(ROLES)} roles, {cells} requests "
        f"(own and another clinic's object), {len(mismatches)} unexpected answers"
    )
    figures.append(figure)
    assert mismatches == [], figure + "\n" + "\n".join(mismatches)


def test_no_list_shows_another_clinics_private_records(world, figures):
    leaks, checked = [], 0
    for role in ROLES[1:-1]:
        user = world.users()[role]
        client = _client(world, user)
        for path, attribute in PRIVATE_LISTS.items():
            response = _send(client, "GET", path)
            if response.status_code != 200:
                continue
            checked += 1
            ids = {row.get("id") for row in response.json()["results"]}
            if getattr(world.other, attribute).pk in ids:
                leaks.append(f"{role} sees Nottingham's {attribute} in {path}")
    figures.append(
        f"cross-clinic lists: {checked} private lists read by four Derby roles, "
        f"{len(leaks)} showing Nottingham's records"
    )
    assert checked >= 10
    assert leaks == []


def test_the_matrix_leaves_the_world_as_it_found_it(world, figures):
    """The destructive cells really are rolled back: erasing Pat, and more failed sign-ins
    for Pat's account from one address than lock it, leave nothing behind for the next cell
    (the lock-out counts failures in the database, django-axes' AccessAttempt)."""
    admin = _client(world, world.own.admin)
    pat = world.own.patient
    anonymous = APIClient()
    erased = _send(admin, "POST", f"/api/v1/patients/{pat.pk}/erase/")
    failures = [
        _send(
            anonymous,
            "POST",
            "/api/v1/auth/token/",
            body={"username": pat.user.username, "password": f"wrong-{attempt}"},
        ).status_code
        for attempt in range(settings.AXES_FAILURE_LIMIT + 1)
    ]

    assert erased.status_code == 200
    # One more failure than the limit, and no lock-out: each failure left with its savepoint.
    assert failures == [400] * len(failures)
    pat.refresh_from_db()
    pat.user.refresh_from_db()
    assert (pat.first_name, pat.user.is_active) == ("Pat", True)
    assert Erasure.objects.count() == 0
    assert AccessAttempt.objects.count() == 0
    assert _send(_client(world, pat.user), "GET", "/api/v1/auth/tokens/").status_code == 200
    signed_in = _send(
        anonymous,
        "POST",
        "/api/v1/auth/token/",
        body={"username": pat.user.username, "password": "correct-horse-battery"},
    )
    assert signed_in.status_code == 200
    figures.append(
        f"rollback: erase and {len(failures)} failed sign-ins undone "
        "(0 erasures, 0 sign-in failures kept, Pat signs in)"
    )


def test_no_proof_is_throttled_by_accident(figures):
    """Rate-limit counters live in the cache, outside the rolled-back transaction, so the
    matrix's and schemathesis's requests do count: the test settings' rates must stay far above
    what one run sends (about 1,400 matrix requests and 3,700 schemathesis cases)."""
    one_run = 1_400 + 3_700
    rates = {
        scope: SimpleRateThrottle.parse_rate(None, rate)
        for scope, rate in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].items()
    }
    per_minute = {scope: n * 60 / seconds for scope, (n, seconds) in rates.items()}

    figures.append(
        "throttles in the proofs: "
        + ", ".join(f"{scope} {int(n)}/minute" for scope, n in sorted(per_minute.items()))
        + f" against about {one_run} requests a run"
    )
    assert {"availability", "booking", "registration", "password_reset"} <= set(rates)
    assert all(n >= 10 * one_run for n in per_minute.values()), per_minute
