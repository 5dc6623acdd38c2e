"""Admin for plans. The exercise library and templates are edited here; clinical records
(plans, screenings, consents, logs, outcomes) are read-only, and status changes go through the
services, as in the API."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied

from core.api import DomainError

from . import services
from .access import open_clinical_record, patients_treated_by
from .models import (
    Exercise,
    ExerciseLog,
    NeedlingConsent,
    NeedlingScreening,
    OutcomeRecord,
    PlanGoal,
    PlanPhase,
    PlanTemplate,
    ScreeningCorrection,
    TemplateExercise,
    TemplatePhase,
    TemplateSession,
    TreatmentPlan,
)


class ClinicalRecordAdmin(admin.ModelAdmin):
    """A clinical record in the admin: listed only for the patients the user treats, and each
    record opened through the one gate in plans/access.py (so the read is recorded)."""

    patient_path = "patient"

    def get_queryset(self, request):
        treated = patients_treated_by(request.user)
        return super().get_queryset(request).filter(**{f"{self.patient_path}__in": treated})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = self.get_object(request, object_id)
        if record is not None:
            patient = record.patient if self.patient_path == "patient" else record.plan.patient
            try:
                open_clinical_record(
                    request.user,
                    patient,
                    object_type=self.model._meta.model_name,
                    object_id=record.pk,
                )
            except DomainError as refused:
                raise PermissionDenied(refused.message) from refused
        return super().change_view(request, object_id, form_url, extra_context)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    list_display = ["name", "body_region", "purpose", "clinic", "is_active"]
    list_filter = ["body_region", "purpose", "is_active", "clinic"]
    search_fields = ["name", "instructions"]


class TemplatePhaseInline(admin.TabularInline):
    model = TemplatePhase
    extra = 0
    show_change_link = True


@admin.register(PlanTemplate)
class PlanTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "condition", "clinic", "is_active"]
    list_filter = ["condition", "is_active", "clinic"]
    search_fields = ["name"]
    inlines = [TemplatePhaseInline]


class TemplateSessionInline(admin.TabularInline):
    model = TemplateSession
    extra = 0


class TemplateExerciseInline(admin.TabularInline):
    model = TemplateExercise
    extra = 0
    autocomplete_fields = ["exercise"]


@admin.register(TemplatePhase)
class TemplatePhaseAdmin(admin.ModelAdmin):
    list_display = ["template", "order", "name", "start_week", "weeks"]
    list_filter = ["template"]
    inlines = [TemplateSessionInline, TemplateExerciseInline]


class PlanGoalInline(ReadOnlyInline):
    model = PlanGoal


class PlanPhaseInline(ReadOnlyInline):
    model = PlanPhase
    fields = ["order", "name", "start_week", "weeks"]


@admin.register(TreatmentPlan)
class TreatmentPlanAdmin(ClinicalRecordAdmin):
    list_display = ["__str__", "patient", "clinic", "lead_therapist", "status", "start_date"]
    list_filter = ["status", "condition", "clinic"]
    search_fields = ["title", "patient__first_name", "patient__last_name"]
    date_hierarchy = "start_date"
    inlines = [PlanGoalInline, PlanPhaseInline]
    actions = ["discontinue"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Discontinue (cancels their upcoming bookings)")
    def discontinue(self, request, queryset):
        done = 0
        for plan in queryset:
            try:
                services.discontinue_plan(
                    plan=plan, discontinued_by=request.user, reason="Discontinued in the admin."
                )
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{plan}: {exc.message}", messages.WARNING)
        self.message_user(request, f"{done} plan(s) discontinued.")


class NeedlingConsentInline(ReadOnlyInline):
    model = NeedlingConsent


class ScreeningCorrectionInline(ReadOnlyInline):
    """Clinicians' corrections of the answers: who, when, why, before and after."""

    model = ScreeningCorrection
    fields = ["corrected_at", "corrected_by", "reason", "before", "after"]


@admin.register(NeedlingScreening)
class NeedlingScreeningAdmin(ClinicalRecordAdmin):
    list_display = ["patient", "screened_at", "valid_until", "questionnaire_version"]
    list_filter = ["clinic"]
    search_fields = ["patient__first_name", "patient__last_name"]
    inlines = [NeedlingConsentInline, ScreeningCorrectionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExerciseLog)
class ExerciseLogAdmin(ClinicalRecordAdmin):
    patient_path = "plan__patient"
    list_display = ["prescription", "plan", "performed_on", "sets_done", "pain"]
    list_filter = ["performed_on"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutcomeRecord)
class OutcomeRecordAdmin(ClinicalRecordAdmin):
    patient_path = "plan__patient"
    list_display = ["plan", "measure", "label", "value", "recorded_on"]
    list_filter = ["measure"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
