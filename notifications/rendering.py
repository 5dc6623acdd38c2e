"""Turn an outbox row into the email or text message the patient receives.

Wording comes from the clinic's MessageTemplate rows when it has them, else from the built-in
templates in templates/notifications/. Subjects, SMS and the first line of every body carry no
clinical detail (domain research E5): they show on locked screens and in shared inboxes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.mime.application import MIMEApplication
from email.mime.text import MIMEText
from email.utils import formataddr, parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, Template
from django.template.loader import render_to_string

from . import conf, ical
from .directory import ClinicInfo, Contact, appointment_link, manage_link
from .models import (
    CalendarEntry,
    Channel,
    ClinicNotificationSettings,
    Kind,
    MessageTemplate,
    Notification,
)
from .sms import SMSMessage

ICS_METHOD = {Kind.CONFIRMATION: "REQUEST", Kind.RESCHEDULE: "REQUEST", Kind.CANCELLATION: "CANCEL"}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def message_id(row: Notification) -> str:
    """The same Message-ID every time this row is (re)sent, so receivers can spot a repeat."""
    return f"<{row.uid}@{conf.message_id_domain()}>"


def reference(entry: CalendarEntry) -> str:
    """A short booking reference for patients, from the random UID, so it reveals nothing."""
    return entry.uid.hex[:8].upper()


def describe_time(value: datetime, time_zone: str) -> str:
    """E.g. "Monday 29 March 2027 at 09:00 BST": local wall-clock time with its zone name."""
    local = value.astimezone(ZoneInfo(time_zone))
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M} {local.tzname()}"


def one_line_address(address: str) -> str:
    """A clinic address on one line with its separators: "14 Friar Gate\nDerby\nDE1 1BX" ->
    "14 Friar Gate, Derby, DE1 1BX" (lines that already end in a comma get no second one)."""
    lines = (line.strip().rstrip(",").strip() for line in address.splitlines())
    return ", ".join(line for line in lines if line)


def describe_lead(minutes: int) -> str:
    if minutes % (24 * 60) == 0 and minutes >= 24 * 60 * 2:
        return f"{minutes // (24 * 60)} days"
    if minutes % 60 == 0:
        hours = minutes // 60
        return "1 hour" if hours == 1 else f"{hours} hours"
    return f"{minutes} minutes"


def context_for(
    row: Notification, entry: CalendarEntry, contact: Contact, clinic: ClinicInfo
) -> dict:
    """What templates may use. `treatment_name` is for bodies only (subjects refuse it)."""
    return {
        "kind": row.kind,
        "patient_first_name": contact.first_name,
        "clinic_name": clinic.name,
        "clinic_address": one_line_address(clinic.address),
        "clinic_phone": clinic.phone,
        "clinic_email": clinic.email,
        "when": describe_time(entry.start, clinic.time_zone),
        "ends": describe_time(entry.end, clinic.time_zone),
        "start": entry.start,
        "end": entry.end,
        "time_zone": clinic.time_zone,
        "duration_minutes": int((entry.end - entry.start).total_seconds() // 60),
        "therapist_name": entry.therapist_name,
        "reference": reference(entry),
        "lead": describe_lead(row.lead_minutes) if row.lead_minutes else "",
        "treatment_name": entry.treatment_name,
        # A signed link to view, move or cancel without signing in (empty if no web app).
        "manage_url": manage_link(entry.booking_id)
        if row.kind not in (Kind.CANCELLATION, Kind.AFTERCARE)
        else "",
        # Aftercare: the signed-in appointment page that holds the advice (never the advice).
        "appointment_url": appointment_link(entry.booking_id) if row.kind == Kind.AFTERCARE else "",
        **_add_to_calendar(row, entry, clinic),
    }


def _add_to_calendar(row: Notification, entry: CalendarEntry, clinic: ClinicInfo) -> dict:
    """Google and Outlook links and the map link (for bodies; not for a cancellation)."""
    if row.kind == Kind.CANCELLATION:
        return {"google_calendar_url": "", "outlook_calendar_url": "", "map_url": ""}
    from .calendar_links import links_for  # calendar_links builds on this module

    links = links_for(entry, clinic)
    return {
        "google_calendar_url": links.google,
        "outlook_calendar_url": links.outlook,
        "map_url": links.map,
    }


class Templates:
    """Finds each clinic's wording once per batch."""

    def __init__(self):
        self._found: dict[tuple[int, str, str], MessageTemplate | None] = {}

    def custom(self, clinic_id: int, kind: str, channel: str) -> MessageTemplate | None:
        key = (clinic_id, kind, channel)
        if key not in self._found:
            rows = MessageTemplate.objects.filter(
                kind=kind, channel=channel, clinic_id__in=[clinic_id]
            ) | (MessageTemplate.objects.filter(kind=kind, channel=channel, clinic_id__isnull=True))
            by_clinic = {row.clinic_id: row for row in rows}
            self._found[key] = by_clinic.get(clinic_id) or by_clinic.get(None)
        return self._found[key]

    def render(self, clinic_id: int, kind: str, channel: str, context: dict) -> Rendered:
        custom = self.custom(clinic_id, kind, channel)
        if custom is not None:
            text = _from_string(custom.body_text, context, escape=False)
            html = _from_string(custom.body_html, context, escape=True) if custom.body_html else ""
            subject = _from_string(custom.subject, context, escape=False)
        else:
            folder = f"notifications/{channel}"
            text = render_to_string(f"{folder}/{kind}.txt", context)
            html = (
                render_to_string(f"{folder}/{kind}.html", context)
                if channel == Channel.EMAIL
                else ""
            )
            subject = (
                render_to_string(f"{folder}/{kind}_subject.txt", context)
                if channel == Channel.EMAIL
                else ""
            )
        return Rendered(
            subject=" ".join(subject.split())[:200], text=text.strip() + "\n", html=html
        )


def _from_string(source: str, context: dict, *, escape: bool) -> str:
    if not escape:
        source = "{% autoescape off %}" + source + "{% endautoescape %}"
    return Template(source).render(Context(context))


def appointment_event(
    entry: CalendarEntry,
    clinic: ClinicInfo | None,
    *,
    cancelled: bool,
    extra: str = "",
    organizer: tuple[str, str] | None = None,
    attendee: tuple[str, str] | None = None,
) -> ical.Event:
    """The booking as one calendar event for the patient: the same UID and SEQUENCE wherever it
    goes (invitations, the "add to calendar" file), so a calendar shows it once. The summary
    names the clinic, not the treatment: calendars are shared and the treatment is health data."""
    clinic_name = clinic.name if clinic is not None else entry.clinic_name
    address = one_line_address(clinic.address) if clinic is not None else ""
    description = f"With {entry.therapist_name}. Reference {reference(entry)}."
    if clinic is not None and clinic.phone:
        description += f" To change it, call {clinic.phone}."
    return ical.Event(
        uid=str(entry.uid),
        start=entry.start,
        end=entry.end,
        stamp=entry.updated_at,
        sequence=entry.sequence,
        cancelled=cancelled,
        summary=f"Appointment at {clinic_name}",
        location=", ".join(part for part in (clinic_name, address) if part),
        description=description + (f" {extra}" if extra else ""),
        organizer=organizer,
        attendee=attendee,
    )


def invitation(
    row: Notification,
    entry: CalendarEntry,
    contact: Contact,
    clinic: ClinicInfo,
    organizer_email: str,
) -> bytes | None:
    """The .ics a mail client uses to add, move or remove the event in place (iTIP, RFC 5546)."""
    method = ICS_METHOD.get(row.kind)
    if method is None:
        return None
    event = appointment_event(
        entry,
        clinic,
        cancelled=row.kind == Kind.CANCELLATION,
        organizer=(clinic.name, organizer_email),
        attendee=(contact.first_name, contact.email),
    )
    return ical.calendar([event], method=method)


def build_email(
    row: Notification,
    entry: CalendarEntry,
    contact: Contact,
    clinic: ClinicInfo,
    clinic_settings: ClinicNotificationSettings,
    templates: Templates,
) -> EmailMultiAlternatives:
    rendered = templates.render(
        entry.clinic_id, row.kind, Channel.EMAIL, context_for(row, entry, contact, clinic)
    )
    _, from_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    reply_to = clinic_settings.reply_to or clinic.email
    message = InvitationEmail(
        subject=rendered.subject,
        body=rendered.text,
        from_email=formataddr((clinic.name, from_address)),
        to=[contact.email],
        reply_to=[reply_to] if reply_to else None,
        headers={"Message-ID": message_id(row), "Auto-Submitted": "auto-generated"},
    )
    if rendered.html:
        message.attach_alternative(rendered.html, "text/html")
    ics = invitation(row, entry, contact, clinic, organizer_email=reply_to or from_address)
    if ics is not None:
        message.add_invitation(ics, method=ICS_METHOD[row.kind])
    return message


class InvitationEmail(EmailMultiAlternatives):
    """An email whose invitation travels twice, as Gmail's and Outlook's own invitations do:

    multipart/mixed
      multipart/alternative: text/plain, text/html, text/calendar; method=REQUEST|CANCEL
      application/ics attachment "invite.ics"

    The calendar alternative is what makes Gmail and Outlook show their accept/decline card
    and update the event in place; the attachment is for clients that only save files.
    """

    def add_invitation(self, ics: bytes, *, method: str) -> None:
        self.calendar_method = method
        self.attach_alternative(ics.decode("utf-8"), "text/calendar")
        attachment = MIMEApplication(ics, "ics")
        attachment.add_header("Content-Disposition", "attachment", filename="invite.ics")
        self.attach(attachment)

    def _create_mime_attachment(self, content, mimetype):
        if mimetype == "text/calendar":
            part = MIMEText(content, "calendar", "utf-8")
            part.set_param("method", self.calendar_method)
            return part
        return super()._create_mime_attachment(content, mimetype)


def build_sms(
    row: Notification,
    entry: CalendarEntry,
    contact: Contact,
    clinic: ClinicInfo,
    templates: Templates,
) -> SMSMessage:
    rendered = templates.render(
        entry.clinic_id, row.kind, Channel.SMS, context_for(row, entry, contact, clinic)
    )
    return SMSMessage(to=contact.phone, body=rendered.text.strip(), reference=message_id(row))


def body_hash(*parts: str) -> str:
    """What we keep of a sent message's content (the record, without a second copy of it)."""
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()
