"""Request and response shapes of the audit listing and the data-rights endpoints."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audit.models import AuditAction, AuditChannel, RightsAction
from booking.models import Booking, Patient
from plans.models import (
    ExerciseLog,
    ExercisePrescription,
    NeedlingConsent,
    NeedlingScreening,
    OutcomeRecord,
    PlanGoal,
    PlanPhase,
    PlanSession,
    SessionComponent,
    TreatmentPlan,
)
from sessionnotes.models import (
    AdverseEvent,
    Amendment,
    InitialAssessment,
    ModalityRecord,
    SafetyAlert,
    SessionNote,
)
from waitlist.models import WaitlistEntry

# The audit listing's actions: changes and reads, and exports, erasure and the purge.
ENTRY_ACTIONS = [*AuditAction.choices, *RightsAction.choices]


class AuditQueryIn(serializers.Serializer):
    patient = serializers.IntegerField(min_value=1)
    actor = serializers.IntegerField(min_value=1, required=False, help_text="A user id.")
    action = serializers.ChoiceField(choices=ENTRY_ACTIONS, required=False)
    date_from = serializers.DateField(
        required=False, help_text="First day (in the clinic's zone), inclusive."
    )
    date_to = serializers.DateField(
        required=False, help_text="Last day (in the clinic's zone), inclusive."
    )

    def validate(self, data):
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise serializers.ValidationError({"date_to": ["Must not be before date_from."]})
        return data


class ActorOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ChangeOut(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)
    redacted = serializers.BooleanField(
        help_text="Clinical content: the values are shown to the patient only (in their export)."
    )


class AuditEntryOut(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = ActorOut(allow_null=True, help_text="Empty for the system (tasks, imports).")
    action = serializers.ChoiceField(choices=ENTRY_ACTIONS)
    object_type = serializers.CharField(
        help_text="booking, patient, plan, screening, ...; subject_access_export, record_export, "
        "erasure and retention_purge for data-rights events"
    )
    object_id = serializers.IntegerField(allow_null=True)
    channel = serializers.ChoiceField(choices=AuditChannel.choices)
    changes = ChangeOut(many=True)


# --- the export document ---------------------------------------------------------------------
#
# A copy of what is held, field by field: each record is its model's own columns (foreign keys
# as ids, choices as their stored values), plus a few names so a person can read it.


class StoredValue(serializers.CharField):
    """A choice field's stored value as it is held (the export is a copy, not a form)."""

    def __init__(self, *, choices=None, **kwargs):
        super().__init__(**kwargs)


class RecordOut(serializers.ModelSerializer):
    serializer_choice_field = StoredValue


class UserAccountOut(serializers.Serializer):
    username = serializers.CharField()
    email = serializers.EmailField(allow_blank=True)
    is_active = serializers.BooleanField()
    date_joined = serializers.DateTimeField()
    last_login = serializers.DateTimeField(allow_null=True)


class ExportPatientOut(RecordOut):
    class Meta:
        model = Patient
        fields = "__all__"


class ExportBookingOut(RecordOut):
    clinic_name = serializers.CharField(source="clinic.name")
    treatment_name = serializers.CharField(source="treatment.name")
    therapist_name = serializers.CharField(source="therapist.full_name")
    room_name = serializers.CharField(source="room.name")

    class Meta:
        model = Booking
        # session_key and place are the diary's internal bookkeeping of group places.
        exclude = ["session_key", "place"]


class ExportConsentOut(RecordOut):
    class Meta:
        model = NeedlingConsent
        fields = "__all__"


class ExportScreeningOut(RecordOut):
    consents = ExportConsentOut(many=True)

    class Meta:
        model = NeedlingScreening
        fields = "__all__"


class ExportGoalOut(RecordOut):
    class Meta:
        model = PlanGoal
        fields = "__all__"


class ExportComponentOut(RecordOut):
    treatment_name = serializers.CharField(source="treatment.name")

    class Meta:
        model = SessionComponent
        fields = "__all__"


class ExportPrescriptionOut(RecordOut):
    exercise_name = serializers.CharField(source="exercise.name")

    class Meta:
        model = ExercisePrescription
        fields = "__all__"


class ExportPhaseOut(RecordOut):
    components = ExportComponentOut(many=True)
    prescriptions = ExportPrescriptionOut(many=True)

    class Meta:
        model = PlanPhase
        fields = "__all__"


class ExportPlanSessionOut(RecordOut):
    class Meta:
        model = PlanSession
        fields = "__all__"


class ExportExerciseLogOut(RecordOut):
    class Meta:
        model = ExerciseLog
        fields = "__all__"


class ExportOutcomeOut(RecordOut):
    class Meta:
        model = OutcomeRecord
        fields = "__all__"


class ExportPlanOut(RecordOut):
    goals = ExportGoalOut(many=True)
    phases = ExportPhaseOut(many=True)
    sessions = ExportPlanSessionOut(many=True)

    class Meta:
        model = TreatmentPlan
        fields = "__all__"


class ExportModalityRecordOut(RecordOut):
    class Meta:
        model = ModalityRecord
        fields = "__all__"


class ExportAmendmentOut(RecordOut):
    class Meta:
        model = Amendment
        fields = "__all__"


class ExportAdverseEventOut(RecordOut):
    class Meta:
        model = AdverseEvent
        fields = "__all__"


class ExportInitialAssessmentOut(RecordOut):
    class Meta:
        model = InitialAssessment
        fields = "__all__"


class ExportSessionNoteOut(RecordOut):
    records = ExportModalityRecordOut(many=True)
    amendments = ExportAmendmentOut(many=True)
    adverse_events = ExportAdverseEventOut(many=True)
    initial_assessment = serializers.SerializerMethodField()

    class Meta:
        model = SessionNote
        exclude = ["version"]

    @extend_schema_field(ExportInitialAssessmentOut(allow_null=True))
    def get_initial_assessment(self, note) -> dict | None:
        assessment = getattr(note, "initial_assessment", None)
        return ExportInitialAssessmentOut(assessment).data if assessment else None


class ExportSafetyAlertOut(RecordOut):
    class Meta:
        model = SafetyAlert
        fields = "__all__"


class ExportWaitlistEntryOut(RecordOut):
    class Meta:
        model = WaitlistEntry
        fields = "__all__"


class ExportMessageOut(serializers.Serializer):
    """One message written for the patient (the outbox): what, how, when, what became of it."""

    booking = serializers.IntegerField(source="entry.booking_id")
    kind = serializers.CharField(help_text="confirmation, reschedule, cancellation, reminder")
    channel = serializers.CharField(help_text="email or sms")
    status = serializers.CharField(help_text="pending, sent, cancelled, skipped, failed")
    appointment_start = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    sent_to = serializers.CharField(help_text="The address or number it went to.")
    subject = serializers.CharField()
    body_sha256 = serializers.CharField(help_text="Hash of the text sent (the text is not kept).")
    note = serializers.CharField(source="last_error", help_text="Why it was not sent, if so.")


class ExportFeedOut(serializers.Serializer):
    """The patient's calendar feed (its secret URL is not part of the copy)."""

    label = serializers.CharField()
    created_at = serializers.DateTimeField()
    rotated_at = serializers.DateTimeField(allow_null=True)


class WithheldOut(serializers.Serializer):
    section = serializers.CharField()
    count = serializers.IntegerField()
    reason = serializers.CharField()


class ExportOut(serializers.Serializer):
    """Everything physiodesk holds about one patient (UK GDPR Art. 15 and 20)."""

    generated_at = serializers.DateTimeField()
    complete = serializers.BooleanField(
        help_text="False when clinical sections were withheld from a staff member outside the "
        "patient's care team (see `withheld`); the patient's own copy is always complete."
    )
    withheld = WithheldOut(many=True)
    patient = ExportPatientOut()
    account = UserAccountOut(allow_null=True, help_text="The patient's sign-in, if they have one.")
    bookings = ExportBookingOut(many=True)
    screenings = ExportScreeningOut(many=True, help_text="Dry-needling screenings and consents.")
    plans = ExportPlanOut(many=True, help_text="Treatment plans with phases, goals, sessions.")
    outcomes = ExportOutcomeOut(many=True)
    exercise_logs = ExportExerciseLogOut(many=True)
    session_notes = ExportSessionNoteOut(
        many=True, help_text="With their modality records, amendments and adverse events."
    )
    safety_alerts = ExportSafetyAlertOut(many=True)
    waiting_list = ExportWaitlistEntryOut(many=True)
    messages = ExportMessageOut(many=True)
    feeds = ExportFeedOut(many=True)
    audit = AuditEntryOut(many=True, help_text="Every change to, read of and export of the record.")


# --- erasure ---------------------------------------------------------------------------------


class ErasedNowOut(serializers.Serializer):
    identity_fields = serializers.ListField(
        child=serializers.CharField(), help_text="Patient fields anonymised or cleared."
    )
    sign_in_closed = serializers.BooleanField(
        help_text="The patient's own login was anonymised and disabled, its tokens revoked."
    )
    cancelled_bookings = serializers.ListField(
        child=serializers.IntegerField(), help_text="Future bookings cancelled, without telling."
    )
    discontinued_plans = serializers.ListField(child=serializers.IntegerField())
    waiting_list_entries_closed = serializers.IntegerField()
    feeds_deleted = serializers.IntegerField()
    messages_withdrawn = serializers.IntegerField()
    history_entries_scrubbed = serializers.IntegerField(
        help_text="Snapshots of the patient's details in the audit trail anonymised."
    )


class ErasureOut(serializers.Serializer):
    patient = serializers.IntegerField()
    erased_at = serializers.DateTimeField()
    erased_now = ErasedNowOut()
    kept_until_retention = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Clinical records kept until `retain_until`, counted by kind.",
    )
    last_contact = serializers.DateField(allow_null=True)
    retain_until = serializers.DateField(
        help_text="Clinical records are kept through this day and deleted by the daily purge."
    )
    purged_at = serializers.DateTimeField(allow_null=True)
