"""Read-only admin for session notes: notes are written, signed and amended through the
services (API and pages), never edited in the admin, so the record stays attributable.
Aftercare advice is the clinic's own wording and is edited here."""

from django.contrib import admin

from .aftercare import default_advice
from .models import AdverseEvent, AftercareAdvice, Amendment, SafetyAlert, SessionNote
from .vocabulary import RecordKind


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SessionNote)
class SessionNoteAdmin(ReadOnlyAdmin):
    list_display = ["patient", "therapist", "treated_at", "status", "signed_at"]
    list_filter = ["status", "clinic"]
    search_fields = ["patient__last_name", "therapist__last_name"]


@admin.register(Amendment)
class AmendmentAdmin(ReadOnlyAdmin):
    list_display = ["note", "author", "created_at"]


@admin.register(AdverseEvent)
class AdverseEventAdmin(ReadOnlyAdmin):
    list_display = ["patient", "modality", "kind", "severity", "occurred_at"]
    list_filter = ["severity", "kind"]


@admin.register(SafetyAlert)
class SafetyAlertAdmin(ReadOnlyAdmin):
    list_display = ["patient", "clinic", "lead_therapist", "raised_at", "reviewed_at"]


@admin.register(AftercareAdvice)
class AftercareAdviceAdmin(admin.ModelAdmin):
    """The clinic's aftercare wording per modality. A new row starts from the shipped default
    (add ?modality=dry_needling to the add page's address for another modality)."""

    list_display = ["modality", "clinic", "updated_at"]
    list_filter = ["modality", "clinic"]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        modality = request.GET.get("modality", RecordKind.DRY_NEEDLING)
        if modality in RecordKind.values:
            initial.setdefault("modality", modality)
            for name, text in default_advice(modality).items():
                initial.setdefault(name, text)
        return initial
