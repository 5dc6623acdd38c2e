"""Who may exercise a patient's data rights and read their audit trail: the clinic's admins."""

from __future__ import annotations

from rest_framework.exceptions import NotFound, PermissionDenied

from booking.models import Patient
from booking.selectors import access_for, patients_visible_to


def patient_administered_by(request, patient_id: int) -> Patient:
    """The patient, if the caller is an admin of their home clinic or a superuser.

    404 when the caller cannot see the patient at all (so ids cannot be probed), 403 when they
    can see them but are not an admin of the patient's clinic.
    """
    patient = (
        patients_visible_to(request.user).select_related("clinic").filter(pk=patient_id).first()
    )
    if patient is None:
        raise NotFound("No such patient.")
    if not access_for(request).administers(patient.clinic_id):
        raise PermissionDenied("Only an admin of the patient's clinic may do this.")
    return patient
