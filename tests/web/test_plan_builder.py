"""The plan builder in the therapist's pages: start a plan (template or blank), edit phases and
sessions, preferences, activation and its refusals, scheduling all-or-none, home exercise,
outcomes and discharge; who may open it, and that every read is in the audit trail.

Tess treats Pat (a past session); Theo is another Derby therapist who has never seen Pat; Rhea is
Derby's receptionist; Nora is Nottingham's therapist.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from audit.models import RecordRead
from booking.models import Booking, BookingStatus, Channel
from booking.services import book_session
from plans import services
from plans.models import (
    ExerciseLog,
    ExercisePrescription,
    OutcomeRecord,
    PlanPhase,
    PlanSession,
    PlanStatus,
    SessionComponent,
    TreatmentPlan,
)
from tests.conftest import NOW
from tests.factories import (
    MembershipFactory,
    PatientFactory,
    TherapistFactory,
    TreatmentFactory,
    UserFactory,
)
from tests.plans.conftest import book_past_session, build_plan, phase, screen_and_consent
from tests.plans.conftest import sessions as planned
from tests.plans.factories import ExerciseFactory

pytestmark = pytest.mark.usefixtures("frozen_now")


@pytest.fixture
def needling(clinic, room, therapist):
    return TreatmentFactory(
        clinic=clinic,
        name="Dry needling",
        modality="dry_needling",
        duration_minutes=30,
        required_qualifications=["dry_needling"],
        required_room_features=["needling_approved"],
    )


@pytest.fixture
def assessed(patient, therapist, massage):
    """Pat had a session with Tess on Monday 22 February 2027: Tess treats Pat."""
    return book_past_session(massage, patient, therapist, datetime(2027, 2, 22, 10, tzinfo=UTC))


@pytest.fixture
def template(needling, massage):
    return services.create_template(
        name="Neck pain: needling and exercise",
        condition="neck_pain",
        phases=[
            services.TemplatePhaseSpec(
                name="Settle pain",
                weeks=2,
                sessions=(services.TemplateSessionSpec("dry_needling", 2),),
            ),
            services.TemplatePhaseSpec(
                name="Build strength",
                weeks=2,
                sessions=(services.TemplateSessionSpec("sports_massage", 1),),
            ),
        ],
    )


@pytest.fixture
def theo(clinic):
    user = UserFactory(username="theo")
    MembershipFactory(user=user, clinic=clinic, role="therapist")
    return TherapistFactory(first_name="Theo", last_name="Colleague", user=user, clinics=[clinic])


@pytest.fixture
def tess(browser_for, therapist, assessed):
    return browser_for(therapist.user)


@pytest.fixture
def draft(patient, clinic, therapist, massage, assessed):
    return build_plan(
        patient,
        clinic,
        therapist,
        phase("Settle pain", 2, [planned(massage, 2)]),
        phase("Build strength", 3),
        start_date=date(2027, 3, 1),
        title="Neck rehab",
    )


@pytest.fixture
def active(draft, therapist):
    return services.activate_plan(plan=draft, activated_by=therapist.user)


def url(plan, suffix=""):
    return f"/therapist/plans/{plan.pk}/{suffix}"


def start_form(lead, **changes) -> dict:
    data = {
        "lead_therapist": lead.pk,
        "template": "",
        "condition": "neck_pain",
        "title": "",
        "start_date": "2027-03-08",
        "condition_notes": "",
        "preference_notes": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# --- starting a plan ----------------------------------------------------------------------------


def test_the_record_and_the_session_page_link_to_starting_a_plan(tess, patient, assessed):
    record = tess.get(f"/therapist/patients/{patient.pk}/")
    session = tess.get(f"/therapist/sessions/{assessed.pk}/")

    assert f"/therapist/patients/{patient.pk}/plans/new/" in record.content.decode()
    assert f"/therapist/patients/{patient.pk}/plans/new/?session={assessed.pk}" in (
        session.content.decode()
    )


def test_the_start_page_offers_the_clinics_templates_and_returns_to_the_session(
    tess, patient, template, assessed
):
    response = tess.get(f"/therapist/patients/{patient.pk}/plans/new/?session={assessed.pk}")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Neck pain: needling and exercise" in page
    assert f"/therapist/sessions/{assessed.pk}/" in page
    assert 'value="2027-02-22"' in page  # starts on the session's day


def test_a_plan_from_a_template_avoiding_needles_swaps_in_massage_and_says_so(
    tess, patient, template, massage, therapist
):
    response = tess.post(
        f"/therapist/patients/{patient.pk}/plans/new/",
        start_form(therapist, template=template.pk, condition="", avoid_needles="on"),
        follow=True,
    )

    plan = TreatmentPlan.objects.get(patient=patient)
    assert plan.template == template
    assert plan.condition == "neck_pain"
    assert plan.avoid_modalities == ["dry_needling"]
    components = SessionComponent.objects.filter(phase__plan=plan).order_by("phase__order")
    assert [(c.treatment, c.substituted_for) for c in components] == [
        (massage, "dry_needling"),
        (massage, ""),
    ]
    page = response.content.decode()
    assert "Dry needling was swapped for Sports massage" in page
    assert "Instead of dry needling" in page


def test_a_blank_plan_records_goals_lead_and_care_team(tess, patient, therapist, theo):
    response = tess.post(
        f"/therapist/patients/{patient.pk}/plans/new/",
        start_form(
            therapist,
            title="Shoulder plan",
            condition="shoulder_pain",
            care_team=[theo.pk],
            goal_1="Reach the top shelf",
            goal_1_measure="nprs",
            goal_1_target="2",
            goal_2="Swim again",
            preferred_weekdays=["0", "2"],
            preferred_time_from="09:00",
            preferred_time_to="12:00",
        ),
    )

    plan = TreatmentPlan.objects.get(patient=patient)
    assert response.status_code == 302
    assert response["Location"] == f"/therapist/plans/{plan.pk}/"
    assert plan.status == PlanStatus.DRAFT
    assert list(plan.care_team.all()) == [theo]
    assert plan.preferred_weekdays == [0, 2]
    assert [(g.description, g.measure, g.target_value) for g in plan.goals.all()] == [
        ("Reach the top shelf", "nprs", Decimal(2)),
        ("Swim again", "", None),
    ]


def test_the_care_team_member_may_then_open_the_plan(browser_for, draft, theo):
    assert browser_for(theo.user).get(url(draft)).status_code == 403
    services.update_plan(plan=draft, care_team=[theo])

    assert browser_for(theo.user).get(url(draft)).status_code == 200


def test_starting_without_a_condition_or_template_shows_the_error_summary(tess, patient, therapist):
    response = tess.post(
        f"/therapist/patients/{patient.pk}/plans/new/",
        start_form(therapist, condition="", goal_2_target="3"),
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "data-error-summary" in page
    assert 'href="#id_condition"' in page
    assert "Describe the goal the measure belongs to." in page
    assert not TreatmentPlan.objects.exists()


def test_preferred_times_that_end_before_they_start_are_refused_by_the_service(
    tess, patient, therapist
):
    response = tess.post(
        f"/therapist/patients/{patient.pk}/plans/new/",
        start_form(therapist, preferred_time_from="14:00", preferred_time_to="10:00"),
    )

    assert response.status_code == 400
    assert "The preferred times must end after they start." in response.content.decode()
    assert not TreatmentPlan.objects.exists()


def test_reception_cannot_start_a_plan(browser_for, receptionist, patient):
    response = browser_for(receptionist).get(f"/therapist/patients/{patient.pk}/plans/new/")

    assert response.status_code == 403


def test_another_clinics_therapist_does_not_find_the_patient(browser_for, other_therapist, patient):
    response = browser_for(other_therapist.user).get(f"/therapist/patients/{patient.pk}/plans/new/")

    assert response.status_code == 404


def test_a_therapist_who_never_saw_the_patient_does_not_find_them(
    browser_for, theo, patient, therapist
):
    response = browser_for(theo.user).post(
        f"/therapist/patients/{patient.pk}/plans/new/",
        start_form(
            therapist,
        ),
    )

    assert response.status_code == 404
    assert not TreatmentPlan.objects.exists()


# --- who may open the builder, and the audit trail ----------------------------------------------

BUILDER_PAGES = ["", "schedule/", "exercises/", "outcomes/", "discharge/", "details/"]


@pytest.mark.parametrize("suffix", BUILDER_PAGES)
def test_every_builder_page_opens_the_gate_and_is_recorded(tess, draft, therapist, suffix):
    response = tess.get(url(draft, suffix))

    assert response.status_code == 200
    reads = RecordRead.objects.filter(actor=therapist.user, patient_id=draft.patient_id)
    assert reads.filter(object_type="treatment_plan", object_id=draft.pk).exists()


@pytest.mark.parametrize("suffix", BUILDER_PAGES)
def test_reception_gets_403_on_every_builder_page(browser_for, receptionist, draft, suffix):
    assert browser_for(receptionist).get(url(draft, suffix)).status_code == 403


@pytest.mark.parametrize("suffix", BUILDER_PAGES)
def test_another_clinics_therapist_gets_404(browser_for, other_therapist, draft, suffix):
    assert browser_for(other_therapist.user).get(url(draft, suffix)).status_code == 404


@pytest.mark.parametrize("suffix", BUILDER_PAGES)
def test_a_therapist_outside_the_care_team_gets_403_and_nothing_is_recorded(
    browser_for, theo, draft, suffix
):
    response = browser_for(theo.user).get(url(draft, suffix))

    assert response.status_code == 403
    assert not RecordRead.objects.filter(actor=theo.user).exists()


def test_the_patient_does_not_open_the_builder(browser_for, patient_user, active):
    assert browser_for(patient_user).get(url(active)).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(browser_for, draft):
    response = browser_for(None).get(url(draft))

    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_reception_cannot_change_a_plan(browser_for, receptionist, draft):
    phase_ = draft.phases.first()
    response = browser_for(receptionist).post(url(draft, f"phases/{phase_.pk}/remove/"))

    assert response.status_code == 403
    assert PlanPhase.objects.filter(pk=phase_.pk).exists()


# --- phases and in-clinic sessions --------------------------------------------------------------


def test_the_plan_page_shows_phases_and_sessions(tess, draft):
    page = tess.get(url(draft)).content.decode()

    assert "Settle pain" in page
    assert "Build strength" in page
    assert "Sports massage" in page
    assert "Activate the plan" in page


def test_adding_sessions_that_do_not_fit_the_phase_is_refused_with_the_services_words(
    tess, draft, massage
):
    phase_ = draft.phases.get(name="Build strength")
    response = tess.post(
        url(draft, f"phases/{phase_.pk}/sessions/new/"),
        {"treatment": massage.pk, "sessions": 7, "per_week": 2},
    )

    assert response.status_code == 400
    assert "7 sessions of Sports massage do not fit in 3 week(s) at 2 a week." in (
        response.content.decode()
    )
    assert not SessionComponent.objects.filter(phase=phase_).exists()


def test_adding_and_changing_sessions(tess, draft, massage):
    phase_ = draft.phases.get(name="Build strength")
    added = tess.post(
        url(draft, f"phases/{phase_.pk}/sessions/new/"),
        {"treatment": massage.pk, "sessions": 3, "per_week": 1},
    )
    component = SessionComponent.objects.get(phase=phase_)
    changed = tess.post(
        url(draft, f"sessions/{component.pk}/"),
        {"treatment": massage.pk, "sessions": 4, "per_week": 2, "min_gap_hours": 48},
    )

    assert added.status_code == changed.status_code == 302
    component.refresh_from_db()
    assert (component.sessions, component.per_week, component.min_gap_hours) == (4, 2, 48)
    assert PlanSession.objects.filter(component=component).count() == 4


def test_a_treatment_the_patient_avoids_is_refused(tess, draft, needling):
    services.update_plan(plan=draft, avoid_modalities=["dry_needling"])
    phase_ = draft.phases.get(name="Build strength")

    response = tess.post(
        url(draft, f"phases/{phase_.pk}/sessions/new/"),
        {"treatment": needling.pk, "sessions": 2, "per_week": 1},
    )

    assert response.status_code == 400
    assert "asked to avoid dry needling" in response.content.decode()


def test_phases_are_added_moved_and_removed(tess, draft):
    tess.post(url(draft, "phases/new/"), {"name": "Return to sport", "weeks": 2})
    last = draft.phases.get(name="Return to sport")
    assert (last.order, last.start_week) == (3, 6)

    tess.post(url(draft, f"phases/{last.pk}/move/"), {"direction": "earlier"})

    phases = list(draft.phases.order_by("order").values_list("name", "start_week"))
    assert phases == [("Settle pain", 1), ("Return to sport", 3), ("Build strength", 5)]
    tess.post(url(draft, f"phases/{last.pk}/remove/"))
    assert not draft.phases.filter(name="Return to sport").exists()


def test_a_phase_with_booked_sessions_is_not_removed_and_the_page_says_why(tess, active, massage):
    session = PlanSession.objects.filter(plan=active).first()
    session.booking = book_session(
        treatment=massage,
        start=datetime(2027, 3, 3, 10, tzinfo=UTC),
        patient=active.patient,
        apply_policy=False,
        channel=Channel.PLAN,
    )
    session.save()
    phase_ = session.component.phase

    response = tess.post(url(active, f"phases/{phase_.pk}/remove/"), follow=True)

    assert PlanPhase.objects.filter(pk=phase_.pk).exists()
    assert "booked or have taken place" in response.content.decode()


def test_goals_are_added_and_removed(tess, draft):
    tess.post(url(draft, "goals/new/"), {"description": "Sleep through", "measure": ""})
    goal = draft.goals.get()

    tess.post(url(draft, f"goals/{goal.pk}/remove/"))

    assert not draft.goals.exists()


def test_a_goal_target_off_the_measures_scale_is_refused(tess, draft):
    response = tess.post(
        url(draft, "goals/new/"),
        {"description": "Less pain", "measure": "nprs", "target_value": "12"},
    )

    assert response.status_code == 400
    assert "between 0 and 10" in response.content.decode()
    assert not draft.goals.exists()


# --- preferences --------------------------------------------------------------------------------


def test_avoiding_needles_swaps_unbooked_needling_for_the_alternative(
    tess, draft, needling, massage
):
    phase_ = draft.phases.get(name="Build strength")
    services.add_component(phase=phase_, component=services.ComponentSpec(needling, 2))

    response = tess.post(
        url(draft, "preferences/"),
        {"avoid_needles": "on", "preferred_weekdays": ["1"], "preferred_time_from": "08:00"},
        follow=True,
    )

    draft.refresh_from_db()
    swapped = SessionComponent.objects.get(phase=phase_)
    assert draft.avoid_modalities == ["dry_needling"]
    assert draft.preferred_weekdays == [1]
    assert (swapped.treatment, swapped.substituted_for) == (massage, "dry_needling")
    assert swapped.min_gap_hours == 24
    assert "Dry needling was swapped for Sports massage" in response.content.decode()


def test_avoiding_needles_with_needling_booked_is_refused_and_nothing_changes(
    tess, draft, needling, cleared_pat
):
    phase_ = draft.phases.get(name="Build strength")
    component = services.add_component(phase=phase_, component=services.ComponentSpec(needling, 2))
    session = component.planned_sessions.first()
    session.booking = book_session(
        treatment=needling,
        start=datetime(2027, 3, 4, 10, tzinfo=UTC),
        patient=draft.patient,
        apply_policy=False,
    )
    session.save()

    response = tess.post(url(draft, "preferences/"), {"avoid_needles": "on"})

    assert response.status_code == 400
    assert "still has Dry needling sessions to come" in response.content.decode()
    draft.refresh_from_db()
    assert draft.avoid_modalities == []


@pytest.fixture
def cleared_pat(patient, clinic, therapist):
    return screen_and_consent(patient, clinic, therapist.user)


# --- activation ---------------------------------------------------------------------------------


def test_activation_refused_for_needling_without_screening_says_what_to_do(tess, draft, needling):
    phase_ = draft.phases.get(name="Build strength")
    services.add_component(phase=phase_, component=services.ComponentSpec(needling, 2))

    response = tess.post(url(draft, "activate/"))

    page = response.content.decode()
    assert response.status_code == 400
    assert "The plan cannot start yet" in page
    assert "needs a current dry-needling screening" in page
    assert "What to do:" in page
    assert "Avoid needles" in page
    draft.refresh_from_db()
    assert draft.status == PlanStatus.DRAFT


def test_activation_refused_for_a_contraindication_lists_it(tess, draft, needling, patient):
    services.record_screening(
        patient=patient,
        clinic=draft.clinic,
        answers=_answers(lymphoedema_at_site=True),
        screened_by=draft.lead_therapist.user,
    )
    phase_ = draft.phases.get(name="Build strength")
    services.add_component(phase=phase_, component=services.ComponentSpec(needling, 2))

    response = tess.post(url(draft, "activate/"))

    page = response.content.decode()
    assert response.status_code == 400
    assert "Found:" in page
    assert "lymphoedema" in page.lower()


def _answers(**yes):
    from tests.plans.conftest import answers

    return answers(**yes)


def test_activation_refused_by_a_red_flag_shows_the_reason(tess, api, draft, therapist, patient):
    from tests.sessionnotes.test_assessment import assessment, screen, write

    first = book_past_session(
        TreatmentFactory(clinic=draft.clinic, name="Initial assessment", modality="assessment"),
        patient,
        therapist,
        datetime(2027, 2, 24, 9, tzinfo=UTC),
    )
    write(api, therapist, first, assessment(red_flags=screen(saddle_anaesthesia=True)))

    response = tess.post(url(draft, "activate/"))

    page = response.content.decode()
    assert response.status_code == 409
    assert "clears the red flag" in page
    draft.refresh_from_db()
    assert draft.status == PlanStatus.DRAFT


def test_activation_goes_on_to_scheduling(tess, draft):
    response = tess.post(url(draft, "activate/"))

    assert response.status_code == 302
    assert response["Location"] == url(draft, "schedule/")
    draft.refresh_from_db()
    assert draft.status == PlanStatus.ACTIVE


# --- scheduling ---------------------------------------------------------------------------------


def _posted_proposal(page: str) -> dict:
    """The schedule form's hidden fields as the browser would post them."""
    import re

    data: dict = {"session": re.findall(r'name="session" value="(\d+)"', page)}
    for session_id, value in re.findall(r'name="slot-(\d+)" value="([^"]+)"', page):
        data[f"slot-{session_id}"] = value
    return data


def test_the_schedule_page_proposes_every_session_and_books_them_all(tess, active):
    page = tess.get(url(active, "schedule/")).content.decode()
    posted = _posted_proposal(page)
    assert len(posted["session"]) == 2
    assert "Book all 2 sessions" in page

    response = tess.post(url(active, "schedule/"), posted, follow=True)

    booked = PlanSession.objects.filter(plan=active, booking__isnull=False)
    assert booked.count() == 2
    assert "2 sessions booked, the first on" in response.content.decode()


def test_a_slot_taken_meanwhile_books_nothing_and_offers_alternatives(
    tess, active, massage, clinic
):
    page = tess.get(url(active, "schedule/")).content.decode()
    posted = _posted_proposal(page)
    first_start = posted[f"slot-{posted['session'][0]}"].split("|")[0]
    someone = PatientFactory(clinic=clinic, first_name="Sam", last_name="Else")
    book_session(
        treatment=massage,
        start=datetime.fromisoformat(first_start),
        patient=someone,
        apply_policy=False,
        channel=Channel.RECEPTION,
    )

    response = tess.post(url(active, "schedule/"), posted)

    page = response.content.decode()
    assert response.status_code == 409
    assert "Nothing was booked" in page
    assert "Choose another time" in page
    assert not PlanSession.objects.filter(plan=active, booking__isnull=False).exists()
    assert Booking.objects.filter(patient=active.patient, channel=Channel.PLAN).count() == 0

    again = tess.post(url(active, "schedule/"), _posted_with_checked(page))

    assert again.status_code == 302
    assert PlanSession.objects.filter(plan=active, booking__isnull=False).count() == 2


def _posted_with_checked(page: str) -> dict:
    """The form after a conflict: hidden times kept, the first alternative of each chosen."""
    import re

    data = _posted_proposal(page)
    for session_id, value in re.findall(r'name="slot-(\d+)" value="([^"]+)" checked', page):
        data[f"slot-{session_id}"] = value
    return data


def test_a_tampered_schedule_form_is_refused_without_booking(tess, active):
    session = PlanSession.objects.filter(plan=active).first()

    response = tess.post(
        url(active, "schedule/"), {"session": [session.pk], f"slot-{session.pk}": "soon|x"}
    )

    assert response.status_code == 400
    assert not PlanSession.objects.filter(plan=active, booking__isnull=False).exists()


def test_a_draft_plan_shows_its_proposal_and_asks_for_activation(tess, draft):
    page = tess.get(url(draft, "schedule/")).content.decode()

    assert "Activate the plan first" in page
    assert "Book all" not in page


# --- home exercise ------------------------------------------------------------------------------


def test_prescribing_an_exercise_from_the_library(tess, active):
    exercise = ExerciseFactory(name="Chin tuck", default_reps=10)
    phase_ = active.phases.get(name="Settle pain")

    response = tess.post(
        url(active, "exercises/"),
        {
            "exercise": exercise.pk,
            "phase": phase_.pk,
            "sets": 3,
            "reps": 12,
            "load": "",
            "times_per_day": 2,
            "days_per_week": 5,
            "notes": "Slowly.",
        },
        follow=True,
    )

    prescription = ExercisePrescription.objects.get(phase=phase_)
    assert (prescription.sets, prescription.reps, prescription.times_per_day) == (3, 12, 2)
    assert (prescription.days_per_week, prescription.notes) == (5, "Slowly.")
    assert "Chin tuck prescribed." in response.content.decode()


def test_another_clinics_exercise_cannot_be_prescribed(tess, active, other_clinic):
    theirs = ExerciseFactory(name="Their secret stretch", clinic=other_clinic)
    phase_ = active.phases.first()

    response = tess.post(
        url(active, "exercises/"),
        {"exercise": theirs.pk, "phase": phase_.pk, "times_per_day": 1, "days_per_week": 7},
    )

    assert response.status_code == 400
    assert not ExercisePrescription.objects.exists()


def test_the_exercise_page_shows_adherence(tess, active, therapist):
    exercise = ExerciseFactory(name="Chin tuck")
    phase_ = active.phases.get(name="Settle pain")
    prescription = services.add_prescription(
        phase=phase_,
        prescription=services.PrescriptionSpec(exercise=exercise, times_per_day=1, days_per_week=7),
    )
    with time_machine.travel(NOW + timedelta(days=8), tick=False):
        for day in range(3):
            services.log_exercise(
                plan=active,
                prescription=prescription,
                performed_on=date(2027, 3, 1) + timedelta(days=day),
                sets_done=3,
            )
        page = tess.get(url(active, "exercises/")).content.decode()

    assert ExerciseLog.objects.count() == 3
    assert "Week 1" in page
    assert "43%" in page  # 3 of 7 bouts
    assert "(3 of 7)" in page


def test_stopping_an_exercise(tess, active):
    exercise = ExerciseFactory(name="Chin tuck")
    prescription = services.add_prescription(
        phase=active.phases.first(), prescription=services.PrescriptionSpec(exercise=exercise)
    )

    response = tess.post(
        url(active, f"exercises/{prescription.pk}/"),
        {"sets": 3, "reps": 10, "times_per_day": 1, "days_per_week": 7, "stopped_on": "2027-03-05"},
    )

    assert response.status_code == 302
    prescription.refresh_from_db()
    assert prescription.stopped_on == date(2027, 3, 5)


# --- outcomes -----------------------------------------------------------------------------------


def test_recording_an_outcome_updates_the_chart(tess, active):
    tess.post(
        url(active, "outcomes/"), {"measure": "nprs", "value": "7", "recorded_on": "2027-03-01"}
    )
    response = tess.post(url(active, "outcomes/"), {"measure": "nprs", "value": "3"}, follow=True)

    page = response.content.decode()
    assert OutcomeRecord.objects.filter(plan=active).count() == 2
    assert "<svg" in page
    assert "7 → 3" in page
    assert "clinically important change" in page


def test_an_outcome_off_its_scale_is_refused(tess, active):
    response = tess.post(url(active, "outcomes/"), {"measure": "ndi", "value": "60"})

    assert response.status_code == 400
    assert "scores run from 0 to 50" in response.content.decode()
    assert not OutcomeRecord.objects.exists()


def test_range_of_motion_needs_its_movement(tess, active):
    response = tess.post(url(active, "outcomes/"), {"measure": "rom", "value": "60"})

    assert response.status_code == 400
    assert "Say which movement was measured" in response.content.decode()


# --- discharge ----------------------------------------------------------------------------------


def test_discharge_records_the_summary_and_the_patient_reads_it(
    tess, browser_for, active, patient_user
):
    services.add_goal(
        plan=active, goal=services.GoalSpec("Less pain", measure="nprs", target_value=Decimal(3))
    )
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        services.record_outcome(plan=active, measure="nprs", value=Decimal(7))
    services.record_outcome(plan=active, measure="nprs", value=Decimal(2))
    form = tess.get(url(active, "discharge/")).content.decode()
    assert "Pain down from 7 to 2: a real improvement." in form  # the draft, in plain words
    assert "reached" in form

    response = tess.post(
        url(active, "discharge/"),
        {
            "outcome": "Your pain went from 7 to 2 and you are back at work.",
            "advice": "Keep doing the chin tucks twice a day.",
            "follow_up": "Get in touch if the pain comes back.",
        },
    )

    assert response.status_code == 302
    active.refresh_from_db()
    assert active.status == PlanStatus.COMPLETED
    assert active.discharge_advice == "Keep doing the chin tucks twice a day."
    patient_page = browser_for(patient_user).get(f"/appointments/plans/{active.pk}/")
    text = patient_page.content.decode()
    assert "Your treatment has finished" in text
    assert "Your pain went from 7 to 2 and you are back at work." in text
    assert "What happens next" in text


def test_discharge_is_refused_while_sessions_are_booked_ahead(tess, active, massage):
    session = PlanSession.objects.filter(plan=active).first()
    session.booking = book_session(
        treatment=massage,
        start=datetime(2027, 3, 3, 10, tzinfo=UTC),
        patient=active.patient,
        apply_policy=False,
    )
    session.save()

    warned = tess.get(url(active, "discharge/")).content.decode()
    response = tess.post(url(active, "discharge/"), {"outcome": "Done."})

    assert "1 plan session is still booked ahead" in warned
    assert response.status_code == 400
    assert "still booked ahead" in response.content.decode()
    active.refresh_from_db()
    assert active.status == PlanStatus.ACTIVE
    assert session.booking.status == BookingStatus.CONFIRMED


def test_a_discharge_summary_needs_the_outcome(tess, active):
    response = tess.post(url(active, "discharge/"), {"outcome": "", "advice": "Rest."})

    assert response.status_code == 400
    active.refresh_from_db()
    assert active.status == PlanStatus.ACTIVE


def test_an_open_plan_shows_no_discharge_summary_to_the_patient(browser_for, active, patient_user):
    page = browser_for(patient_user).get(f"/appointments/plans/{active.pk}/").content.decode()

    assert "Your treatment has finished" not in page


def test_booking_a_draft_plans_sessions_is_refused_until_it_is_activated(tess, draft):
    page = tess.get(url(draft, "schedule/")).content.decode()
    session = PlanSession.objects.filter(plan=draft).first()

    response = tess.post(
        url(draft, "schedule/"),
        {"session": [session.pk], f"slot-{session.pk}": "2027-03-02T10:00:00+00:00|"},
    )

    assert "Activate the plan first" in page
    assert response.status_code == 409
    assert "Activate the plan before booking its sessions." in response.content.decode()
    assert not PlanSession.objects.filter(plan=draft, booking__isnull=False).exists()


def test_the_plan_page_reads_a_fixed_number_of_queries(
    tess, draft, massage, needling, django_assert_max_num_queries
):
    tess.get(url(draft))  # warm the session and the caches a first page view fills
    for n in range(4):
        services.add_phase(
            plan=draft,
            phase=services.PhaseSpec(
                name=f"Extra {n}",
                components=(
                    services.ComponentSpec(massage, 2),
                    services.ComponentSpec(needling, 1),
                ),
            ),
        )

    # Twenty whatever the number of phases and sessions (sign-in, gate and audit row, the plan
    # with its phases, sessions, goals and care team, qualifications, needling clearance).
    with django_assert_max_num_queries(20):
        response = tess.get(url(draft))

    assert response.status_code == 200
