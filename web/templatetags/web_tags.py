"""Template helpers: times in a clinic's zone, money, durations, the navigation for a user."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.templatetags.tz import do_timezone
from django.urls import reverse

from booking.contact import display_phone
from booking.selectors import access_for
from notifications.rendering import one_line_address

register = template.Library()


@register.filter
def local(value, clinic):
    """A stored UTC instant on `clinic`'s clock (keeps the `date` filter from converting back)."""
    if value in (None, ""):
        return value
    return do_timezone(value, clinic.tz)


@register.filter
def money(value) -> str:
    if value is None:
        return ""
    value = Decimal(value)
    return "Free" if value == 0 else f"£{value:,.2f}"


@register.filter
def minutes(value) -> str:
    """45 -> "45 minutes", 60 -> "1 hour", 90 -> "1 hour 30 minutes"."""
    value = int(value or 0)
    hours, rest = divmod(value, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


@register.filter
def address_line(address: str) -> str:
    """A multi-line address on one line, separators kept ("14 Friar Gate, Derby, DE1 1BX")."""
    return one_line_address(address or "")


@register.filter
def phone(value: str) -> str:
    """A stored E.164 number as people write it: "+447700900456" -> "07700 900456"."""
    return display_phone(value) if value else ""


@register.filter
def with_length(treatment) -> str:
    """ "Sports massage (45 minutes)"; a name that already says how long it is stays as it is
    (the demo clinic's "Dry needling (30 minutes)" must not read "(30 minutes) (30 minutes)")."""
    length = minutes(treatment.duration_minutes)
    if length in treatment.name or f"{treatment.duration_minutes} min" in treatment.name:
        return treatment.name
    return f"{treatment.name} ({length})"


@register.simple_tag(takes_context=True)
def nav_links(context) -> list[dict]:
    """The header links this user needs, with the current one marked."""
    request = context.get("request")
    if request is None:
        return []
    access = access_for(request)
    links = [("Book", reverse("web:home"))]
    if access.patient is not None:
        links.append(("My appointments", reverse("web:appointments")))
    if access.is_superuser or any(access.manages(clinic_id) for clinic_id in access.roles):
        links.append(("Diary", reverse("web:diary_home")))
    if access.therapist is not None:
        links.append(("My day", reverse("web:therapist_day")))
    path = request.path
    current = max((url for _, url in links if path.startswith(url)), key=len, default=None)
    return [{"label": label, "url": url, "current": url == current} for label, url in links]


@register.simple_tag
def field_id(bound_field) -> str:
    return bound_field.id_for_label or bound_field.auto_id
