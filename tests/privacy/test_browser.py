"""In a real browser: a patient opens "Who has opened your clinical record", downloads their data
as a file, and sees the same list on their plan page. Each screen is checked with axe-core."""

import json
from datetime import date

import pytest

from audit.models import AuditChannel, DataRightsEvent
from audit.services import record_read
from plans import services as plans
from tests.plans.factories import ExerciseFactory
from tests.web.e2e.conftest import chromium, clock, open_page
from tests.web.e2e.pages import DESKTOP, PHONE, shot, sign_in

__all__ = ["chromium", "clock", "open_page"]


@pytest.fixture
def neck_plan(patient, clinic, therapist):
    plan = plans.create_plan(
        patient=patient,
        clinic=clinic,
        lead_therapist=therapist,
        condition="neck_pain",
        title="Neck rehab",
        start_date=date(2027, 2, 22),
        created_by=therapist.user,
        phases=[
            plans.PhaseSpec(
                name="Settle pain",
                weeks=4,
                prescriptions=(plans.PrescriptionSpec(exercise=ExerciseFactory(name="Chin tuck")),),
            )
        ],
    )
    return plans.activate_plan(plan=plan, activated_by=therapist.user)


@pytest.mark.django_db(transaction=True)
def test_patient_sees_who_opened_their_record_and_downloads_their_data(
    open_page, clock, patient, neck_plan, therapist, tess_user
):
    tess_user.first_name, tess_user.last_name = "Tess", "Physio"
    tess_user.save()
    record_read(tess_user, patient, "treatment_plan", neck_plan.pk, AuditChannel.WEB)

    page = open_page(PHONE)
    sign_in(page, "pat")
    page.get_by_role("heading", name="Your data").wait_for()
    page.get_by_text("Who has opened your clinical record").click()
    row = page.get_by_role("row", name="1 March 2027 Tess Physio Physiotherapist")
    row.wait_for()
    shot(page, "patient-20-your-data-360")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download my data").click()
    download = download_info.value
    assert download.suggested_filename == f"physiodesk-data-{patient.pk}-20270301.json"
    document = json.loads(open(download.path(), encoding="utf-8").read())  # noqa: PTH123
    assert document["complete"] is True
    assert document["plans"][0]["title"] == "Neck rehab"
    assert DataRightsEvent.objects.filter(object_type="subject_access_export").count() == 1

    desktop = open_page(DESKTOP)
    sign_in(desktop, "pat")
    desktop.goto(f"/appointments/plans/{neck_plan.pk}/")
    desktop.get_by_role("heading", name="Who has opened your record").wait_for()
    assert desktop.get_by_role("row", name="1 March 2027 Tess Physio Physiotherapist").count()
    shot(desktop, "patient-21-plan-record-openings-desktop")
