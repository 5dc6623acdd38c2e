"""Online registration for someone the clinic already has a record of: verify the email
address first, then link the account to that record.

`earlier_record_for(email)` finds the record (made at the desk, no account yet). Registering
with its address creates the sign-in and a PendingRegistration, and emails a signed link
(`send_verification`); nothing of the earlier record is visible to the account until
`verify_and_link(token)` succeeds. Registrations whose address matches no earlier record do
not come here (web.services.register_patient makes their record at once).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from booking.models import Clinic, Patient

from .errors import AccountExists, VerificationLinkInvalid
from .models import PendingRegistration

_SALT = "accounts.verify-email"


def earlier_record_for(email: str, *, clinic: Clinic | None = None) -> Patient | None:
    """A patient record with this email address that no account holds yet, preferring one at
    `clinic`, then the most recent."""
    email = (email or "").strip()
    if not email:
        return None
    records = Patient.objects.filter(user__isnull=True, email__iexact=email)
    if clinic is not None:
        records = records.annotate(
            here=Case(
                When(clinic=clinic, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        ).order_by("here", "-created_at", "-pk")
    else:
        records = records.order_by("-created_at", "-pk")
    return records.first()


def refuse_taken_address(email: str) -> None:
    """AccountExists if a sign-in already uses `email` (as its username or its address, in any
    case). Registration checks this first; the unique username catches a race after it."""
    users = get_user_model()._default_manager
    if users.filter(Q(username__iexact=email) | Q(email__iexact=email)).exists():
        raise AccountExists()


def register_pending(
    *,
    clinic: Clinic,
    patient: Patient,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    phone: str = "",
    date_of_birth: date | None = None,
    consents_to_email: bool = True,
    consents_to_sms: bool = False,
    now: datetime | None = None,
    next_url: str = "",
) -> PendingRegistration:
    """Create the sign-in (username = email) with no patient record, remember what they
    entered, and email the verification link after commit. An account with that email already
    existing raises AccountExists and nothing is written. `next_url` (a path on this site) is
    where the link leads once opened, e.g. back to the booking they were making."""
    email = email.strip().lower()
    refuse_taken_address(email)
    try:
        with transaction.atomic():
            user = get_user_model().objects.create_user(
                username=email,
                email=email,
                password=password,
                first_name=first_name,
                last_name=last_name,
            )
            pending = PendingRegistration.objects.create(
                user=user,
                patient=patient,
                clinic=clinic,
                phone=phone,
                date_of_birth=date_of_birth,
                consents_to_email=consents_to_email,
                consents_to_sms=consents_to_sms,
                privacy_notice_accepted_at=now or timezone.now(),
            )
            transaction.on_commit(partial(send_verification, pending.pk, next_url=next_url))
            return pending
    except IntegrityError as exc:  # the same email registered a moment ago
        raise AccountExists() from exc


def verification_token(pending: PendingRegistration) -> str:
    """A signed, timestamped token naming the pending registration and the address it was
    sent to; it stops working after EMAIL_VERIFICATION_MAX_AGE_HOURS."""
    return signing.dumps({"p": pending.pk, "e": pending.user.email}, salt=_SALT)


def verification_url(pending: PendingRegistration, *, next_url: str = "") -> str:
    path = reverse("verify_email")
    query = {"token": verification_token(pending)}
    if next_url:
        query["next"] = next_url
    return f"{settings.SITE_URL}{path}?{urlencode(query)}"


def send_verification(pending_id: int, *, next_url: str = "") -> bool:
    """Email the verification link to the address being registered. The email names the
    clinic and nothing else about the person's records. False if the registration is gone."""
    pending = (
        PendingRegistration.objects.select_related("user", "clinic").filter(pk=pending_id).first()
    )
    if pending is None:
        return False
    context = {
        "first_name": pending.user.first_name,
        "clinic": pending.clinic,
        "url": verification_url(pending, next_url=next_url),
        "hours": settings.EMAIL_VERIFICATION_MAX_AGE_HOURS,
    }
    send_mail(
        subject=f"Confirm your email address for {pending.clinic.name}",
        message=render_to_string("web/accounts/verify_email_email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[pending.user.email],
    )
    return True


def verify_and_link(token: str, *, now: datetime | None = None):
    """Open a verification link: link the account to the earlier patient record and apply
    what they entered when registering (their phone and date of birth where the clinic had
    none, their consents, the privacy notice). Returns the user.

    If the earlier record was meanwhile linked to another account or its address changed, the
    account gets a fresh record of its own instead, as any new registration does. A bad,
    altered or expired token raises VerificationLinkInvalid; a link opened twice finds the
    account already linked and returns its user again.
    """
    try:
        data = signing.loads(
            token, salt=_SALT, max_age=settings.EMAIL_VERIFICATION_MAX_AGE_HOURS * 3600
        )
        pending_id, email = int(data["p"]), str(data["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise VerificationLinkInvalid() from exc
    with transaction.atomic():
        pending = (
            PendingRegistration.objects.select_for_update()
            .select_related("user")
            .filter(pk=pending_id)
            .first()
        )
        if pending is None:
            linked = (
                get_user_model()
                ._default_manager.filter(email__iexact=email, patient__isnull=False)
                .first()
            )
            if linked is None:
                raise VerificationLinkInvalid()
            return linked
        user = pending.user
        if user.email.lower() != email.lower():
            raise VerificationLinkInvalid()
        record = Patient.objects.select_for_update().filter(pk=pending.patient_id).first()
        if record is None or record.user_id is not None or record.email.lower() != email.lower():
            record = Patient(clinic=pending.clinic, email=user.email)
            record.first_name, record.last_name = user.first_name, user.last_name
        record.user = user
        record.phone = record.phone or pending.phone
        record.date_of_birth = record.date_of_birth or pending.date_of_birth
        record.consents_to_email = pending.consents_to_email
        record.consents_to_sms = pending.consents_to_sms
        record.privacy_notice_accepted_at = pending.privacy_notice_accepted_at
        record.save()
        pending.delete()
        return user


def pending_for(user) -> PendingRegistration | None:
    """The user's registration still waiting for its email address to be verified."""
    if user is None or not user.pk:
        return None
    return PendingRegistration.objects.filter(user=user).first()
