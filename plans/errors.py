"""Domain errors of treatment plans. Each has a stable code; the API renders them in one shape."""

from rest_framework import status

from core.api import DomainError


class PlanRuleBroken(DomainError):
    """Bad input or a broken plan rule: 400."""

    code = "plan_rule_broken"


class PlanEmpty(PlanRuleBroken):
    code = "plan_empty"
    default_message = "Add at least one in-clinic session or home exercise before activating."


class TreatmentNotAvailable(PlanRuleBroken):
    code = "treatment_not_available"


class NoTreatmentForModality(PlanRuleBroken):
    code = "no_treatment_for_modality"


class TemplateNotAvailable(PlanRuleBroken):
    code = "template_not_available"


class AgainstPatientPreference(PlanRuleBroken):
    code = "against_patient_preference"


class TooManySessionsForPhase(PlanRuleBroken):
    code = "too_many_sessions_for_phase"


class DateOutsidePlan(PlanRuleBroken):
    code = "date_outside_plan"


class MeasureNotForPatients(PlanRuleBroken):
    code = "measure_not_patient_reported"


class WrittenConsentRequired(PlanRuleBroken):
    code = "written_consent_required"


class ExerciseNotAvailable(PlanRuleBroken):
    code = "exercise_not_available"


class TherapistNotAtClinic(PlanRuleBroken):
    code = "therapist_not_at_clinic"


class TherapistNotQualified(PlanRuleBroken):
    code = "therapist_not_qualified"


class ScreeningIncomplete(PlanRuleBroken):
    code = "screening_incomplete"


class GuardianConsentRequired(PlanRuleBroken):
    code = "guardian_consent_required"


class CorrectionChangesNothing(PlanRuleBroken):
    code = "correction_changes_nothing"
    default_message = "The correction gives the same answers as the screening."


class ValueOutOfRange(PlanRuleBroken):
    code = "value_out_of_range"


class BookingNotForPlan(PlanRuleBroken):
    code = "booking_not_for_plan"


class NeedlingNotCleared(DomainError):
    """Dry needling is not safe to plan or book for this patient yet: 400."""

    code = "needling_not_cleared"


class NeedlingScreeningRequired(NeedlingNotCleared):
    code = "needling_screening_required"
    default_message = "Dry needling needs a current screening questionnaire for this patient."


class NeedlingContraindicated(NeedlingNotCleared):
    code = "needling_contraindicated"
    default_message = "The patient has an absolute contraindication to dry needling."


class NeedlingAcknowledgementRequired(NeedlingNotCleared):
    code = "needling_acknowledgement_required"
    default_message = (
        "The patient's screening lists precautions for dry needling that a therapist has not "
        "yet acknowledged."
    )


class NeedlingReviewRequired(NeedlingNotCleared):
    code = "needling_review_required"
    default_message = (
        'The patient answered "not sure" to a screening question; a clinician must check it '
        "with them and correct the screening first."
    )


class NeedlingConsentRequired(NeedlingNotCleared):
    code = "needling_consent_required"
    default_message = "Dry needling needs the patient's recorded consent after their screening."


class PlanConflict(DomainError):
    """The plan is not in a state that allows this: 409."""

    code = "plan_conflict"
    http_status = status.HTTP_409_CONFLICT


class IllegalPlanTransition(PlanConflict):
    code = "illegal_plan_transition"


class PlanNotActive(PlanConflict):
    code = "plan_not_active"
    default_message = "Only an active plan can do this."


class PlanClosed(PlanConflict):
    code = "plan_closed"
    default_message = "This plan is completed or discontinued and can no longer change."


class SessionsAlreadyBooked(PlanConflict):
    code = "sessions_already_booked"


class PlanHasUpcomingSessions(PlanConflict):
    code = "plan_has_upcoming_sessions"


class NoPrecautionsToAcknowledge(PlanConflict):
    code = "no_precautions_to_acknowledge"


class ConsentAlreadyWithdrawn(PlanConflict):
    code = "consent_already_withdrawn"
    default_message = "This consent has already been withdrawn."


class ScheduleProblem(PlanConflict):
    """Nothing was booked because of `sessions` (plans.services.ProposedSession values, each with
    its problem and alternatives). The API renders them into `details[details_key]` through its
    serializer (plans.views); the pages read them as they are."""

    details_key = "sessions"

    def __init__(self, message: str, *, sessions: list):
        super().__init__(message)
        self.sessions = sessions


class ScheduleIncomplete(ScheduleProblem):
    code = "schedule_incomplete"
    details_key = "unscheduled"


class ScheduleConflict(ScheduleProblem):
    code = "schedule_conflict"
    details_key = "conflicts"


class PlanAlreadyActive(PlanConflict):
    code = "plan_already_active"


class PrescriptionHasLogs(PlanConflict):
    code = "prescription_has_logs"


class ScreeningNotCurrent(PlanConflict):
    code = "screening_not_current"


class NotInCareTeam(DomainError):
    """Clinical content of a patient the caller does not treat (plans/access.py): 403."""

    code = "not_in_care_team"
    http_status = status.HTTP_403_FORBIDDEN
    default_message = (
        "This is clinical content: only the patient and the clinicians who treat them may read it."
    )
