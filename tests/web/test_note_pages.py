# ruff: noqa: F811 - the session-note fixtures are imported by name below
"""The session note in the therapist's pages: write (pre-filled from the last note), autosave
with the note's version, sign, amend; who may open it."""

from datetime import UTC, datetime

import pytest

from audit.models import RecordRead
from sessionnotes import services
from sessionnotes.models import Amendment, SessionNote
from tests.plans.conftest import book_past_session
from tests.sessionnotes.conftest import (  # noqa: F401 - fixtures
    cleared,
    combined,
    complete_note,
    session,
)


def form_for(version="", **changes) -> dict:
    """A complete needling + massage note as the page posts it."""
    data = {
        "version": version,
        "subjective": "Neck ache 5/10 after long days at the desk.",
        "objective": "Tender right upper trapezius, rotation 60 degrees.",
        "assessment": "Myofascial neck pain, improving.",
        "plan": "Repeat needling, progress home exercise.",
        "pain_before": "5",
        "pain_after": "3",
        "body_chart-0-region": "back/right_shoulder_blade",
        "body_chart-0-symptom": "ache",
        "body_chart-0-nprs": "5",
        "records": ["dry_needling", "sports_massage"],
        "dry_needling-sites-0-muscle": "Upper trapezius",
        "dry_needling-sites-0-side": "right",
        "dry_needling-sites-0-trigger_point": "TrP1",
        "dry_needling-sites-0-needle_diameter_mm": "0.25",
        "dry_needling-sites-0-needle_length_mm": "30",
        "dry_needling-sites-0-insertions": "4",
        "dry_needling-sites-0-technique": "pistoning",
        "dry_needling-sites-0-local_twitch_response": "1",
        "dry_needling-needles_in": "2",
        "dry_needling-needles_out": "2",
        "dry_needling-sharps_disposed": "1",
        "sports_massage-areas-0-area": "Upper trapezius",
        "sports_massage-areas-0-side": "right",
        "sports_massage-techniques": ["effleurage", "trigger_point_release"],
        "sports_massage-pressure": "firm",
        "sports_massage-minutes": "20",
        "action": "save",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def url(booking, suffix=""):
    return f"/therapist/sessions/{booking.pk}/note/{suffix}"


@pytest.mark.django_db
def test_therapist_opens_a_new_note_with_the_sections_of_the_treatment(
    browser_for, session, therapist
):
    response = browser_for(therapist.user).get(url(session))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="records" value="dry_needling"' in page
    assert 'name="records" value="sports_massage"' in page
    assert 'data-region="right_shoulder_blade"' in page  # the body chart outline
    assert not SessionNote.objects.exists()  # opening writes nothing


@pytest.mark.django_db
def test_a_submitted_form_saves_the_draft_then_signs_it(browser_for, session, therapist):
    tess = browser_for(therapist.user)
    response = tess.post(url(session), form_for())
    assert response.status_code == 302
    note = SessionNote.objects.get(booking=session)
    assert note.status == "draft"
    records = {r.kind: r.data for r in note.records.all()}
    assert records["dry_needling"]["sites"][0]["needle_diameter_mm"] == 0.25
    assert records["dry_needling"]["sites"][0]["local_twitch_response"] is True
    assert records["sports_massage"]["techniques"] == ["effleurage", "trigger_point_release"]
    assert note.body_chart == [
        {"view": "back", "region": "right_shoulder_blade", "symptom": "ache", "nprs": 5}
    ]

    response = tess.post(url(session), form_for(version=str(note.version), action="sign"))
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.status == "signed"
    assert note.signed_by == therapist.user
    signed = tess.get(url(session)).content.decode()
    assert "Signed by" in signed
    assert "Amend this note" in signed


@pytest.mark.django_db
def test_signing_with_needles_missing_shows_the_error_beside_the_counts(
    browser_for, session, therapist
):
    tess = browser_for(therapist.user)
    response = tess.post(
        url(session), form_for(**{"dry_needling-needles_out": "1", "action": "sign"})
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="f-dry_needling-needles_out-error"' in page
    assert "needles out do not match" in page
    note = SessionNote.objects.get(booking=session)  # the draft is kept, unsigned
    assert note.status == "draft"
    assert note.records.get(kind="dry_needling").data["needles_out"] == 1


@pytest.mark.django_db
def test_signing_an_incomplete_note_marks_each_missing_field(browser_for, session, therapist):
    tess = browser_for(therapist.user)
    response = tess.post(
        url(session),
        form_for(**{"dry_needling-sites-0-technique": "", "plan": "", "action": "sign"}),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="f-dry_needling-sites-0-technique-error">Needed before signing.' in page
    assert 'id="f-plan-error">Needed before signing.' in page
    assert SessionNote.objects.get(booking=session).status == "draft"


@pytest.mark.django_db
def test_an_impossible_needle_is_refused_and_nothing_is_saved(browser_for, session, therapist):
    response = browser_for(therapist.user).post(
        url(session), form_for(**{"dry_needling-sites-0-needle_diameter_mm": "0.5"})
    )
    assert response.status_code == 400
    assert 'id="f-dry_needling-sites-0-needle_diameter_mm-error"' in response.content.decode()
    assert not SessionNote.objects.exists()


@pytest.mark.django_db
def test_text_in_a_number_field_is_shown_and_nothing_is_saved(browser_for, session, therapist):
    response = browser_for(therapist.user).post(
        url(session), form_for(**{"dry_needling-needles_in": "two"})
    )
    assert response.status_code == 400
    assert "Give a whole number." in response.content.decode()
    assert not SessionNote.objects.exists()


@pytest.mark.django_db
def test_autosave_creates_the_draft_then_follows_its_version(browser_for, session, therapist):
    tess = browser_for(therapist.user)
    first = tess.post(url(session, "autosave/"), form_for())
    assert first.status_code == 200
    version = first.json()["version"]
    second = tess.post(
        url(session, "autosave/"),
        form_for(version=str(version), plan="Progress to home programme."),
    )
    assert second.status_code == 200
    assert second.json()["version"] == version + 1
    assert SessionNote.objects.get(booking=session).plan == "Progress to home programme."


@pytest.mark.django_db
def test_autosave_with_a_stale_version_is_409_and_changes_nothing(browser_for, session, therapist):
    tess = browser_for(therapist.user)
    version = tess.post(url(session, "autosave/"), form_for()).json()["version"]
    tess.post(url(session, "autosave/"), form_for(version=str(version), plan="From the laptop."))

    stale = tess.post(
        url(session, "autosave/"), form_for(version=str(version), plan="From the tablet.")
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"
    assert SessionNote.objects.get(booking=session).plan == "From the laptop."

    # Without scripts: the page comes back with what was typed and a way to save over it.
    page = tess.post(url(session), form_for(version=str(version), plan="From the tablet."))
    assert page.status_code == 409
    body = page.content.decode()
    assert "From the tablet." in body
    assert 'name="overwrite" value="1"' in body
    assert SessionNote.objects.get(booking=session).plan == "From the laptop."

    overwritten = tess.post(
        url(session), form_for(version=str(version), plan="From the tablet.", overwrite="1")
    )
    assert overwritten.status_code == 302
    assert SessionNote.objects.get(booking=session).plan == "From the tablet."


@pytest.mark.django_db
def test_the_next_note_is_copied_forward_from_the_last_signed_one(
    browser_for, session, therapist, patient, combined, frozen_now
):
    note = services.write_note(booking=session, author=therapist.user, content=_content(session))
    services.sign_note(note=note, signed_by=therapist.user)
    later = book_past_session(combined, patient, therapist, datetime(2027, 3, 1, 8, tzinfo=UTC))

    page = browser_for(therapist.user).get(url(later)).content.decode()
    assert "Pre-filled from the note of Friday 26 February" in page
    assert 'value="Upper trapezius"' in page  # the needling site and massage area
    assert "Repeat needling, progress home exercise." in page  # the plan
    assert 'name="dry_needling-sharps_disposed" value="1" checked' not in page
    assert 'value="back/right_shoulder_blade" selected' in page
    assert not SessionNote.objects.filter(booking=later).exists()

    blank = browser_for(therapist.user).get(url(later) + "?blank=1").content.decode()
    assert "Repeat needling, progress home exercise." not in blank.split("Last note")[0]


def _content(booking) -> dict:
    return {k: v for k, v in complete_note(booking).items() if k != "booking"}


@pytest.mark.django_db
def test_a_signed_note_is_amended_from_the_page_and_keeps_the_original(
    browser_for, session, therapist
):
    note = services.write_note(booking=session, author=therapist.user, content=_content(session))
    services.sign_note(note=note, signed_by=therapist.user)
    tess = browser_for(therapist.user)
    assert "Why is the note amended?" in tess.get(url(session) + "?amend=1").content.decode()

    form = form_for(plan="Repeat needling; add PNF for the hamstrings.", action="amend")
    refused = tess.post(url(session), form)
    assert refused.status_code == 400
    assert not Amendment.objects.exists()

    response = tess.post(url(session), {**form, "reason": "Plan was incomplete."})
    assert response.status_code == 302
    amendment = Amendment.objects.get()
    assert amendment.changes == [
        {
            "field": "plan",
            "old": "Repeat needling, progress home exercise.",
            "new": "Repeat needling; add PNF for the hamstrings.",
        }
    ]
    page = tess.get(url(session)).content.decode()
    assert "Plan was incomplete." in page
    assert "Repeat needling; add PNF for the hamstrings." in page
    assert "Repeat needling, progress home exercise." in page  # the original stays readable
    note.refresh_from_db()
    assert note.plan == "Repeat needling, progress home exercise."


@pytest.mark.django_db
def test_a_receptionist_is_refused_the_note(browser_for, session, receptionist):
    rhea = browser_for(receptionist)
    assert rhea.get(url(session)).status_code == 403
    assert rhea.post(url(session, "autosave/"), form_for()).status_code == 403
    assert rhea.post(url(session), form_for()).status_code == 403
    assert not SessionNote.objects.exists()


@pytest.mark.django_db
def test_another_clinics_therapist_gets_404(browser_for, session, other_therapist):
    nora = browser_for(other_therapist.user)
    assert nora.get(url(session)).status_code == 404
    assert nora.post(url(session, "autosave/"), form_for()).status_code == 404
    assert nora.get(f"/therapist/sessions/{session.pk}/").status_code == 404


@pytest.mark.django_db
def test_the_patient_never_reads_the_note(browser_for, session, therapist, patient):
    note = services.write_note(booking=session, author=therapist.user, content=_content(session))
    services.sign_note(note=note, signed_by=therapist.user)
    pat = browser_for(patient.user)
    response = pat.get(url(session))
    assert response.status_code in (403, 404)
    assert "Tender right upper trapezius" not in response.content.decode()
    assert pat.post(url(session, "autosave/"), form_for()).status_code in (403, 404)


@pytest.mark.django_db
def test_reading_a_note_is_recorded_in_the_audit_trail(browser_for, session, therapist):
    note = services.write_note(booking=session, author=therapist.user, content=_content(session))
    browser_for(therapist.user).get(url(session))
    assert RecordRead.objects.filter(object_type="session_note", object_id=note.pk).exists()


@pytest.mark.django_db
def test_the_day_lists_sessions_held_without_a_signed_note(browser_for, session, therapist):
    page = browser_for(therapist.user).get("/therapist/").content.decode()
    due = page.split('id="due-heading"')[1].split("</section>")[0]
    assert "Pat Jones" in due
    assert "not started" in due
    assert url(session) in due
    note = services.write_note(booking=session, author=therapist.user, content=_content(session))
    services.sign_note(note=note, signed_by=therapist.user)
    page = browser_for(therapist.user).get("/therapist/").content.decode()
    assert "Every session you held has a signed note." in page


def test_every_region_the_notes_accept_has_one_shape_on_the_outline():
    from sessionnotes.body_chart import REGIONS
    from web.body_chart_svg import body_chart_svg, shapes

    for view, regions in REGIONS.items():
        assert set(shapes(view)) == set(regions)
    svg = body_chart_svg([], chart_id="c", label="Body chart")
    assert svg.count('class="region"') == sum(len(regions) for regions in REGIONS.values())


@pytest.mark.django_db
def test_the_session_glance_shows_the_last_note_and_adverse_events(
    browser_for, session, therapist, patient, combined, frozen_now
):
    content = _content(session)
    content["records"][0]["adverse_events"] = [
        {
            "kind": "bruising",
            "severity": "mild",
            "onset": "immediately_after",
            "action": "Pressure.",
        }
    ]
    note = services.write_note(booking=session, author=therapist.user, content=content)
    services.sign_note(note=note, signed_by=therapist.user)
    later = book_past_session(combined, patient, therapist, datetime(2027, 3, 1, 8, tzinfo=UTC))
    page = browser_for(therapist.user).get(f"/therapist/sessions/{later.pk}/").content.decode()
    last = page.split('id="last-note-heading"')[1].split("</section>")[0]
    assert "Myofascial neck pain, improving." in last
    assert "5 → 3" in last
    events = page.split('id="events-heading"')[1].split("</section>")[0]
    assert "Bruising" in events
    assert "Write the note" in page


@pytest.mark.django_db
def test_the_patient_record_lists_notes_and_amendments(browser_for, session, therapist, patient):
    note = services.write_note(booking=session, author=therapist.user, content=_content(session))
    services.sign_note(note=note, signed_by=therapist.user)
    services.amend_note(
        note=note, author=therapist.user, reason="Typo in the plan.", changes={"plan": "Repeat."}
    )
    page = browser_for(therapist.user).get(f"/therapist/patients/{patient.pk}/?show=note")
    body = page.content.decode()
    assert "Session note signed by Tess Physio" in body
    assert "Typo in the plan." in body
    assert url(session) in body


@pytest.mark.django_db
def test_without_scripts_rows_and_sections_are_added_and_removed_by_submit(
    browser_for, session, therapist
):
    tess = browser_for(therapist.user)
    added = tess.post(url(session), form_for(action="add_row:dry_needling-sites"))
    assert added.status_code == 302
    assert added["Location"].endswith("?row=dry_needling-sites#f-dry_needling-sites")
    page = tess.get(added["Location"]).content.decode()
    assert 'id="f-dry_needling-sites-1-muscle"' in page  # a blank second site to fill in
    version = SessionNote.objects.get(booking=session).version

    tess.post(url(session), form_for(version=str(version), action="remove_section:sports_massage"))
    note = SessionNote.objects.get(booking=session)
    assert [r.kind for r in note.records.all()] == ["dry_needling"]

    tess.post(
        url(session),
        {
            **form_for(version=str(note.version), records=["dry_needling"]),
            "add_modality": "sports_massage",
            "action": "add_section",
        },
    )
    note = SessionNote.objects.get(booking=session)
    assert [r.kind for r in note.records.all()] == ["dry_needling", "sports_massage"]

    tess.post(
        url(session),
        form_for(
            version=str(note.version),
            action="remove_row:body_chart-0",
        ),
    )
    assert SessionNote.objects.get(booking=session).body_chart == []


@pytest.mark.django_db
def test_a_region_marked_twice_is_shown_on_the_body_chart(browser_for, session, therapist):
    form = form_for(
        **{
            "body_chart-1-region": "back/right_shoulder_blade",
            "body_chart-1-symptom": "ache",
            "body_chart-1-nprs": "4",
        }
    )
    response = browser_for(therapist.user).post(url(session), form)
    assert response.status_code == 400
    chart = response.content.decode().split('id="chart-heading"')[1].split("</section>")[0]
    assert "Right shoulder blade is marked ache twice; keep one mark." in chart
    assert not SessionNote.objects.exists()


@pytest.mark.django_db
def test_signing_needling_without_clearance_is_shown_on_the_needling_section(
    browser_for, session, therapist, cleared
):
    from plans.services import withdraw_consent

    tess = browser_for(therapist.user)
    tess.post(url(session), form_for())
    withdraw_consent(screening=cleared, withdrawn_by=therapist.user)
    version = SessionNote.objects.get(booking=session).version

    response = tess.post(url(session), form_for(version=str(version), action="sign"))
    assert response.status_code == 409
    section = response.content.decode().split('id="f-dry_needling"')[1].split("</section>")[0]
    assert "Dry needling cannot be recorded" in section
    assert SessionNote.objects.get(booking=session).status == "draft"
