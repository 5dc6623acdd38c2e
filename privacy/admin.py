"""Erasures in the admin, read-only: what was erased when, and when the rest goes or went."""

from django.contrib import admin

from .models import ClinicRetention, Erasure


@admin.register(Erasure)
class ErasureAdmin(admin.ModelAdmin):
    list_display = ["patient_id", "clinic_id", "erased_at", "retain_until", "purged_at"]
    list_filter = ["purged_at"]
    date_hierarchy = "erased_at"
    readonly_fields = [field.name for field in Erasure._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False  # erasing is POST /api/v1/patients/{id}/erase/, which does all of it

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ClinicRetention)
class ClinicRetentionAdmin(admin.ModelAdmin):
    list_display = ["clinic_id", "adult_years", "reason", "updated_at"]
