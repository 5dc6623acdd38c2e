"""The audit trail: what a change or a read writes, and that entries cannot be changed."""

from datetime import UTC, datetime

import pytest

from audit.context import acting_through
from audit.models import (
    AuditAction,
    AuditChannel,
    DataRightsEvent,
    EntryImmutable,
    RecordRead,
    RightsAction,
    lawful_removal,
)
from audit.selectors import EntryFilters, patient_audit_entries
from audit.services import record_read, record_rights_event
from booking import services
from booking.models import Booking, Patient
from tests.conftest import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def at(d: int, hour: int) -> datetime:
    return datetime(2027, 3, d, hour, tzinfo=UTC)


@pytest.fixture
def booking(massage, patient, receptionist):
    return services.book_session(
        treatment=massage, start=at(3, 10), patient=patient, booked_by=receptionist, now=NOW
    )


def entries(patient, **filters):
    return list(patient_audit_entries(patient.pk, EntryFilters(**filters)))


def test_a_booking_and_its_cancellation_are_recorded_with_the_status_transition(
    booking, patient, receptionist
):
    services.cancel_booking(booking=booking, cancelled_by=receptionist, reason="illness", now=NOW)

    cancelled, created = [e for e in entries(patient) if e["entry_object_type"] == "booking"]
    assert created["entry_action"] == AuditAction.CREATED
    assert cancelled["entry_action"] == AuditAction.STATUS_CHANGED
    changed = {c["field"]: (c["old"], c["new"]) for c in cancelled["entry_changes"]}
    assert changed["status"] == ("confirmed", "cancelled")
    assert changed["cancellation_reason"] == ("", "illness")
    assert cancelled["entry_object_id"] == booking.pk
    assert "updated_at" not in changed
    assert "version" not in changed


def test_changes_list_only_what_changed(patient):
    old_phone = patient.phone
    patient.phone = "07700 900123"
    patient.save()

    latest = entries(patient, action=AuditAction.CHANGED)[0]
    assert latest["entry_changes"] == [{"field": "phone", "old": old_phone, "new": "07700 900123"}]
    assert latest["entry_channel"] == AuditChannel.SYSTEM


def test_the_channel_is_the_one_acted_through(patient):
    with acting_through(AuditChannel.TASK):
        patient.first_name = "Patricia"
        patient.save()
    assert entries(patient, action=AuditAction.CHANGED)[0]["entry_channel"] == "task"


def test_reads_and_changes_merge_newest_first_and_filter(
    patient, therapist, tess_user, time_machine
):
    time_machine.move_to(at(2, 9))
    record_read(tess_user, patient, "screening", 41, AuditChannel.WEB)
    time_machine.move_to(at(2, 10))
    patient.phone = "1"
    patient.save()

    listed = entries(patient)
    assert [e["entry_action"] for e in listed] == ["changed", "read", "created"]
    assert listed[1]["entry_actor_id"] == tess_user.pk
    assert listed[1]["entry_object_type"] == "screening"
    assert [e["entry_action"] for e in entries(patient, actor_id=tess_user.pk)] == ["read"]
    assert [e["entry_action"] for e in entries(patient, action="read")] == ["read"]
    assert [e["entry_action"] for e in entries(patient, since=at(2, 9), before=at(2, 10))] == [
        "read"
    ]


def test_entries_of_another_patient_are_not_listed(patient, clinic, tess_user):
    other = Patient.objects.create(clinic=clinic, first_name="Oli", last_name="Other")
    record_read(tess_user, other, "plan", 1, AuditChannel.API)
    assert all(e["entry_action"] != "read" for e in entries(patient))


class TestEntriesCannotBeChanged:
    def test_a_read_cannot_be_edited_or_deleted(self, patient, tess_user):
        entry = record_read(tess_user, patient, "plan", 1, AuditChannel.API)
        entry.object_type = "nothing"
        with pytest.raises(EntryImmutable):
            entry.save()
        with pytest.raises(EntryImmutable):
            entry.delete()
        with pytest.raises(EntryImmutable):
            RecordRead.objects.filter(pk=entry.pk).update(object_type="nothing")
        with pytest.raises(EntryImmutable):
            RecordRead.objects.all().delete()
        assert RecordRead.objects.get().object_type == "plan"

    def test_history_cannot_be_edited_or_deleted(self, booking):
        row = booking.history.get()
        row.notes = "rewritten"
        with pytest.raises(EntryImmutable):
            row.save()
        with pytest.raises(EntryImmutable):
            row.delete()
        with pytest.raises(EntryImmutable):
            booking.history.all().delete()
        with pytest.raises(EntryImmutable):
            type(row).objects.update(notes="rewritten")
        assert booking.history.get().notes == ""

    def test_a_data_rights_event_cannot_be_edited_or_deleted(self, patient, clinic_admin):
        event = record_rights_event(
            actor=clinic_admin,
            patient_id=patient.pk,
            clinic_id=patient.clinic_id,
            action=RightsAction.EXPORTED,
            object_type="record_export",
        )
        event.object_type = "nothing"
        with pytest.raises(EntryImmutable):
            event.save()
        with pytest.raises(EntryImmutable):
            event.delete()
        with pytest.raises(EntryImmutable):
            DataRightsEvent.objects.update(actor_name="someone else")
        assert DataRightsEvent.objects.get().object_type == "record_export"

    def test_only_a_lawful_removal_may_remove_them(self, booking):
        with lawful_removal():
            booking.history.all().delete()
        assert not Booking.history.filter(id=booking.pk).exists()


def test_data_rights_events_are_listed_with_the_patients_trail(patient, clinic_admin):
    record_rights_event(
        actor=clinic_admin,
        patient_id=patient.pk,
        clinic_id=patient.clinic_id,
        action=RightsAction.EXPORTED,
        object_type="record_export",
        details=[{"field": "complete", "old": None, "new": False}],
    )

    [event] = entries(patient, action=RightsAction.EXPORTED)
    assert event["entry_object_type"] == "record_export"
    assert event["entry_actor_id"] == clinic_admin.pk
    assert event["entry_changes"] == [{"field": "complete", "old": None, "new": False}]
    assert all(e["entry_action"] != "exported" for e in entries(patient, action=AuditAction.READ))
