from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from booking import services as booking_services
from booking.models import Block, Booking, BookingStatus, Channel
from plans import services
from plans.models import PlanSession, SessionState
from tests.factories import TherapistFactory, TreatmentFactory
from tests.plans.conftest import START, build_plan, phase, sessions

pytestmark = pytest.mark.usefixtures("frozen_now")


def _starts(schedule, treatment=None):
    return [
        p.start
        for p in schedule.sessions
        if treatment is None or p.session.component.treatment_id == treatment.pk
    ]


def _schedule(api, user, plan, **body):
    return api(user).post(f"/api/v1/plans/{plan.pk}/schedule/", body, format="json")


def test_proposal_follows_each_components_weeks_and_frequency(patient, clinic, therapist, rehab):
    plan = build_plan(
        patient,
        clinic,
        therapist,
        phase("Restore movement", 2, [sessions(rehab, 4, per_week=2)]),
        activate=True,
    )
    schedule = services.propose_schedule(plan=plan, apply_policy=False)

    starts = _starts(schedule)
    assert len(starts) == 4
    assert not schedule.unscheduled
    weeks = [(s.astimezone(clinic.tz).date() - START).days // 7 + 1 for s in starts]
    assert weeks == [1, 1, 2, 2]
    # Twice a week is spread over the week, not two days running.
    assert starts[1] - starts[0] >= timedelta(days=3)
    assert PlanSession.objects.filter(plan=plan, booking__isnull=False).count() == 0


def test_needling_sessions_are_at_least_48_hours_apart_across_components(
    patient, clinic, therapist, needling, cleared
):
    plan = build_plan(
        patient,
        clinic,
        therapist,
        phase("Settle pain", 1, [sessions(needling, 2, per_week=2), sessions(needling, 1)]),
        activate=True,
    )
    schedule = services.propose_schedule(plan=plan, apply_policy=False)

    starts = sorted(_starts(schedule))
    assert len(starts) == 3
    assert all(b - a >= timedelta(hours=48) for a, b in zip(starts, starts[1:], strict=False))


def test_proposal_honours_preferred_therapist_weekdays_and_times(
    patient, clinic, therapist, massage
):
    theo = TherapistFactory(first_name="Theo", clinics=[clinic], qualifications=["sports_massage"])
    plan = build_plan(
        patient,
        clinic,
        therapist,
        phase("Settle pain", 2, [sessions(massage, 4, per_week=2)]),
        preferences=services.Preferences(
            preferred_therapist=theo,
            preferred_weekdays=(1, 3),
            preferred_time_from=time(17),
            preferred_time_to=time(19),
        ),
        activate=True,
    )
    schedule = services.propose_schedule(plan=plan, apply_policy=False)

    assert all(p.preferences_met for p in schedule.sessions)
    assert {p.therapist_id for p in schedule.sessions} == {theo.pk}
    for proposed in schedule.sessions:
        local = proposed.start.astimezone(clinic.tz)
        assert local.weekday() in (1, 3)
        assert time(17) <= local.time()
        assert proposed.end.astimezone(clinic.tz).time() <= time(19)


def test_proposal_works_around_the_patients_other_bookings(
    patient, clinic, therapist, massage, rehab
):
    first_morning = datetime(2027, 3, 8, 8, tzinfo=UTC)
    existing = booking_services.book_session(
        treatment=massage, start=first_morning, patient=patient, apply_policy=False
    )
    plan = build_plan(
        patient,
        clinic,
        therapist,
        phase("Load", 1, [sessions(rehab, 1)]),
        preferences=services.Preferences(preferred_weekdays=(0,)),
        activate=True,
    )
    proposed = services.propose_schedule(plan=plan, apply_policy=False).sessions[0]

    assert proposed.start >= existing.blocked_end or proposed.end <= existing.blocked_start


def test_graston_and_massage_never_share_a_day_even_against_preferences(
    patient, clinic, therapist, massage
):
    graston = TreatmentFactory(
        clinic=clinic, name="Graston", modality="iastm", required_qualifications=[]
    )
    plan = build_plan(
        patient,
        clinic,
        therapist,
        phase("Settle pain", 1, [sessions(massage, 1), sessions(graston, 1)]),
        preferences=services.Preferences(preferred_weekdays=(0,)),
        activate=True,
    )
    schedule = services.propose_schedule(plan=plan, apply_policy=False)

    days = {p.start.astimezone(clinic.tz).date() for p in schedule.sessions}
    assert len(days) == 2
    assert [p.preferences_met for p in schedule.sessions].count(False) == 1


def test_overdue_sessions_are_caught_up_from_now_one_week_at_a_time(
    patient, clinic, therapist, massage, frozen_now
):
    plan = build_plan(
        patient,
        clinic,
        therapist,
        phase("Settle pain", 2, [sessions(massage, 2)]),
        start_date=date(2027, 2, 8),
        activate=True,
    )
    starts = _starts(services.propose_schedule(plan=plan, apply_policy=False))

    notice = timedelta(minutes=clinic.min_notice_minutes)
    assert starts[0] >= frozen_now + notice
    assert starts[0] < frozen_now + notice + timedelta(weeks=1) <= starts[1]


def test_confirm_books_every_session_in_one_go(api, patient, clinic, therapist, massage, rehab):
    plan = build_plan(
        patient,
        clinic,
        therapist,
        phase("Settle pain", 2, [sessions(massage, 2)]),
        phase("Load", 2, [sessions(rehab, 2)]),
        activate=True,
    )
    response = _schedule(api, therapist.user, plan, confirm=True)

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["confirmed"] is True
    assert body["unscheduled"] == 0
    bookings = Booking.objects.filter(patient=patient)
    assert bookings.count() == 4
    assert set(bookings.values_list("channel", flat=True)) == {Channel.PLAN}
    assert {s["booking"] for s in body["sessions"]} == set(bookings.values_list("pk", flat=True))
    detail = api(therapist.user).get(f"/api/v1/plans/{plan.pk}/").json()
    assert detail["session_counts"]["booked"] == 4
    assert {s["state"] for s in detail["sessions"]} == {SessionState.BOOKED}


def test_proposing_books_nothing(api, patient, clinic, therapist, massage):
    plan = build_plan(
        patient, clinic, therapist, phase("P", 2, [sessions(massage, 2)]), activate=True
    )
    response = _schedule(api, therapist.user, plan, confirm=False)

    assert response.status_code == 200
    assert response.json()["confirmed"] is False
    assert all(s["start"] for s in response.json()["sessions"])
    assert not Booking.objects.exists()


def test_a_requested_time_that_is_taken_answers_409_with_alternatives_and_books_nothing(
    api, patient, clinic, therapist, massage, receptionist
):
    plan = build_plan(
        patient, clinic, therapist, phase("P", 2, [sessions(massage, 2)]), activate=True
    )
    first, second = PlanSession.objects.filter(plan=plan).order_by("sequence")
    taken = datetime(2027, 3, 16, 10, tzinfo=UTC)
    Block.objects.create(therapist=therapist, start=taken, end=taken + timedelta(hours=1))

    response = _schedule(
        api,
        receptionist,
        plan,
        confirm=True,
        sessions=[
            {"session": first.pk, "start": "2027-03-09T10:00:00Z"},
            {"session": second.pk, "start": "2027-03-16T10:00:00Z"},
        ],
    )

    assert response.status_code == 409, response.json()
    error = response.json()["error"]
    assert error["code"] == "schedule_conflict"
    [conflict] = error["details"]["conflicts"]
    assert conflict["session"] == second.pk
    assert conflict["problem"]["code"] == "outside_working_hours"
    assert 1 <= len(conflict["alternatives"]) <= 3
    assert not Booking.objects.exists()


def test_a_session_without_free_time_makes_confirm_book_nothing(
    api, patient, clinic, therapist, massage
):
    plan = build_plan(
        patient, clinic, therapist, phase("P", 2, [sessions(massage, 2)]), activate=True
    )
    week_two = datetime.combine(START + timedelta(weeks=1), time.min, tzinfo=clinic.tz)
    Block.objects.create(therapist=therapist, start=week_two, end=week_two + timedelta(weeks=1))

    proposal = _schedule(api, therapist.user, plan, confirm=False).json()
    assert proposal["unscheduled"] == 1
    response = _schedule(api, therapist.user, plan, confirm=True)

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "schedule_incomplete"
    [missing] = error["details"]["unscheduled"]
    assert missing["problem"]["code"] == "no_free_time"
    assert missing["alternatives"], "later times are offered"
    assert not Booking.objects.exists()


def test_a_booking_refused_halfway_leaves_nothing_booked(api, patient, clinic, therapist, massage):
    reception_only = TreatmentFactory(
        clinic=clinic,
        name="Supervised rehab",
        modality="exercise_rehab",
        required_qualifications=[],
        online_bookable=False,
    )
    plan = build_plan(
        patient,
        clinic,
        therapist,
        phase("P", 1, [sessions(massage, 1), sessions(reception_only, 1)]),
        activate=True,
    )

    response = _schedule(api, patient.user, plan, confirm=True)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "treatment_not_bookable"
    assert not Booking.objects.exists()
    assert not PlanSession.objects.filter(booking__isnull=False).exists()


def test_patient_books_their_own_plan_online(api, patient, clinic, therapist, massage):
    plan = build_plan(
        patient, clinic, therapist, phase("P", 2, [sessions(massage, 2)]), activate=True
    )

    response = _schedule(api, patient.user, plan, confirm=True)

    assert response.status_code == 200, response.json()
    assert Booking.objects.filter(patient=patient, created_by=patient.user).count() == 2


def test_a_draft_plan_cannot_be_booked(api, patient, clinic, therapist, massage):
    plan = build_plan(patient, clinic, therapist, phase("P", 2, [sessions(massage, 2)]))

    response = _schedule(api, therapist.user, plan, confirm=True)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "plan_not_active"
    assert not Booking.objects.exists()


def test_cancelling_a_plan_booking_marks_its_session_to_rebook(
    api, patient, clinic, therapist, massage
):
    plan = build_plan(
        patient, clinic, therapist, phase("P", 2, [sessions(massage, 2)]), activate=True
    )
    services.confirm_schedule(plan=plan, booked_by=therapist.user, apply_policy=False)
    session = PlanSession.objects.filter(plan=plan).order_by("sequence").first()
    cancelled = session.booking
    booking_services.cancel_booking(booking=cancelled, apply_policy=False)

    detail = api(therapist.user).get(f"/api/v1/plans/{plan.pk}/").json()
    states = {s["id"]: s["state"] for s in detail["sessions"]}
    assert states[session.pk] == SessionState.TO_REBOOK
    assert detail["session_counts"] == {
        "to_book": 0,
        "booked": 1,
        "attended": 0,
        "missed": 0,
        "to_rebook": 1,
    }

    response = _schedule(api, therapist.user, plan, confirm=True)
    assert response.status_code == 200
    assert [s["session"] for s in response.json()["sessions"]] == [session.pk]
    session.refresh_from_db()
    assert session.booking_id != cancelled.pk
    assert session.state == SessionState.BOOKED
    assert Booking.objects.filter(status=BookingStatus.CANCELLED).count() == 1


def test_attended_and_missed_sessions_show_in_the_plan(patient, clinic, therapist, massage):
    plan = build_plan(
        patient, clinic, therapist, phase("P", 2, [sessions(massage, 2)]), activate=True
    )
    services.confirm_schedule(plan=plan, booked_by=therapist.user, apply_policy=False)
    first, second = PlanSession.objects.filter(plan=plan).order_by("sequence")
    with time_machine.travel(second.booking.end + timedelta(hours=1), tick=False):
        booking_services.complete_booking(booking=first.booking)
        booking_services.mark_no_show(booking=second.booking)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (SessionState.ATTENDED, SessionState.MISSED)
    proposal = services.propose_schedule(plan=plan, apply_policy=False)
    assert proposal.sessions == []


def test_needling_sessions_are_not_booked_once_consent_is_withdrawn(
    api, patient, clinic, therapist, needling, massage, cleared
):
    plan = build_plan(
        patient,
        clinic,
        therapist,
        phase("P", 2, [sessions(needling, 2), sessions(massage, 2)]),
        activate=True,
    )
    services.withdraw_consent(screening=cleared, withdrawn_by=patient.user)

    proposal = services.propose_schedule(plan=plan, apply_policy=False)
    codes = {p.session.component.treatment_id: p.problem_code for p in proposal.sessions}
    assert codes == {needling.pk: "needling_not_cleared", massage.pk: ""}
    response = _schedule(api, therapist.user, plan, confirm=True)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "needling_consent_required"
    assert not Booking.objects.exists()
