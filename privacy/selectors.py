"""Who may exercise a patient's data rights and read their audit trail: the clinic's admins
(and, for their own export, the patient); and who has opened a patient's clinical record."""

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


def patient_exportable_by(request, patient_id: int) -> tuple[Patient, bool]:
    """The patient whose data the caller may export, and whether it is the caller's own.

    The patient themself (subject access), or an admin of their clinic or a superuser; else
    404/403 as in patient_administered_by.
    """
    own = access_for(request).patient
    if own is not None and own.pk == patient_id:
        return Patient.objects.select_related("clinic").get(pk=own.pk), True
    return patient_administered_by(request, patient_id), False
