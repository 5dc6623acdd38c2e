from django.contrib import admin

from .models import WaitlistEntry


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(admin.ModelAdmin):
    """Read and tidy the waiting list; offering and booking happen in the diary and the API (waitlist.services)."""

    list_display = ["patient", "treatment", "therapist", "clinic", "status", "earliest", "latest"]
    list_filter = ["clinic", "status", "part_of_day"]
    search_fields = ["patient__first_name", "patient__last_name", "patient__email"]
    raw_id_fields = ["patient", "treatment", "therapist", "offered_therapist", "booking"]
    readonly_fields = [
        "status",
        "offered_start",
        "offered_therapist",
        "offered_at",
        "booking",
        "created_by",
    ]
    date_hierarchy = "created_at"
