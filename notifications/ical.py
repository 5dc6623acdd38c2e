"""A small, strict RFC 5545 writer for our two uses: subscription feeds and email invitations.

Why not the `icalendar` package's generator (it is used in the tests, to parse our output back):
it invents a random VCALENDAR UID and DTSTAMP unless told otherwise, writes REFRESH-INTERVAL
without VALUE=DURATION and X-PUBLISHED-TTL as "1:00:00", its Europe/London VTIMEZONE puts the
spring change an hour late, and it needs about 320 ms for 2,000 events, against a 50 ms budget
(docs/decisions/0002-notifications.md). We emit only UTC date-times, so no VTIMEZONE is needed,
and every value comes from the data, so the same data gives the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

PRODID = "-//physiodesk//notifications//EN"
UTC_FORM = re.compile(r"\d{8}T\d{6}Z")
CRLF = "\r\n"


_TEXT_ESCAPES = str.maketrans({"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n", "\r": "\\n"})
_NEEDS_ESCAPE = re.compile(r"[\\;,\r\n\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# RFC 5545 §3.3.11: TEXT holds no control characters but tab (line breaks travel escaped as
# \n). A stray one (pasted from a spreadsheet, say) makes strict parsers drop the event.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def escape_text(value: str) -> str:
    """TEXT value escaping, RFC 5545 §3.3.11: a CRLF pair becomes one escaped newline and
    control characters other than tab are removed."""
    if not _NEEDS_ESCAPE.search(value):
        return value
    if "\r\n" in value:
        value = value.replace("\r\n", "\n")
    return _CONTROLS.sub("", value).translate(_TEXT_ESCAPES)


def param_text(value: str) -> str:
    """A parameter value (e.g. CN): quoted, with characters a quoted value cannot hold removed."""
    cleaned = "".join(ch for ch in value if ch not in '"\r\n' and (ch >= " " or ch == "\t"))
    return f'"{cleaned}"'


def utc(value: datetime | str) -> str:
    """A DATE-TIME in UTC form, e.g. 20271031T013000Z. Refuses naive datetimes.

    A string is taken to be in that form already (the feed builder has the database format
    its timestamps).
    """
    if isinstance(value, str):
        if not UTC_FORM.fullmatch(value):
            raise ValueError(f"{value!r} is not a UTC DATE-TIME such as 20271031T013000Z")
        return value
    offset = value.utcoffset()
    if offset is None:
        raise ValueError("iCalendar times must be timezone-aware")
    if offset:
        value = value.astimezone(UTC)
    # isoformat() and two replaces: strftime took a third of the time of a 2,000-event feed.
    return value.isoformat()[:19].replace("-", "").replace(":", "") + "Z"


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 §3.1) without splitting a UTF-8 character
    or a TEXT escape: a fold between "\\" and the "," it escapes is legal but Google Calendar
    drops such events (icalendar #1501), so the cut moves before the backslash."""
    if len(line) <= 75 and line.isascii():
        return line
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts = []
    start, limit = 0, 75
    while start < len(encoded):
        end = min(start + limit, len(encoded))
        # Step back over UTF-8 continuation bytes so a character is never cut in two.
        while end < len(encoded) and (encoded[end] & 0xC0) == 0x80:
            end -= 1
        if end < len(encoded):
            # An odd run of backslashes before the cut ends in an escape's first half.
            run = 0
            while end - run - 1 >= start and encoded[end - run - 1] == 0x5C:
                run += 1
            if run % 2:
                end -= 1
        parts.append(encoded[start:end].decode("utf-8"))
        start, limit = end, 74  # continuation lines start with one space
    return (CRLF + " ").join(parts)


@dataclass(frozen=True)
class Event:
    uid: str
    start: datetime | str  # aware datetimes, or strings already in UTC form (see utc())
    end: datetime | str
    stamp: datetime | str
    sequence: int
    cancelled: bool
    summary: str
    location: str = ""
    description: str = ""
    last_modified: datetime | str | None = None
    organizer: tuple[str, str] | None = None  # (name, email)
    attendee: tuple[str, str] | None = None  # (name, email)


def event_lines(event: Event) -> list[str]:
    """The VEVENT's content lines, already folded (fixed-width lines never need it)."""
    stamp = utc(event.stamp)
    lines = ["BEGIN:VEVENT", fold(f"UID:{event.uid}"), f"DTSTAMP:{stamp}"]
    if event.last_modified is not None:
        modified = stamp if event.last_modified == event.stamp else utc(event.last_modified)
        lines.append(f"LAST-MODIFIED:{modified}")
    lines += [
        f"SEQUENCE:{event.sequence}",
        f"DTSTART:{utc(event.start)}",
        f"DTEND:{utc(event.end)}",
        "STATUS:CANCELLED" if event.cancelled else "STATUS:CONFIRMED",
        fold(f"SUMMARY:{escape_text(event.summary)}"),
    ]
    if event.location:
        lines.append(fold(f"LOCATION:{escape_text(event.location)}"))
    if event.description:
        lines.append(fold(f"DESCRIPTION:{escape_text(event.description)}"))
    if event.organizer:
        name, email = event.organizer
        lines.append(fold(f"ORGANIZER;CN={param_text(name)}:mailto:{email}"))
    if event.attendee:
        name, email = event.attendee
        lines.append(
            fold(
                f"ATTENDEE;CN={param_text(name)};ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;"
                f"RSVP=FALSE:mailto:{email}"
            )
        )
    lines += ["CLASS:PRIVATE", "TRANSP:OPAQUE", "END:VEVENT"]
    return lines


def calendar(
    events: Iterable[Event],
    *,
    method: str | None = None,
    name: str | None = None,
    calendar_uid: str | None = None,
    refresh: str | None = None,
) -> bytes:
    """A VCALENDAR as UTF-8 bytes with CRLF line ends.

    Feeds pass `name`, `calendar_uid` and `refresh` (an RFC 5545 duration such as "PT1H") and no
    `method`; email invitations pass METHOD REQUEST or CANCEL.
    """
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    if method:
        lines.append(f"METHOD:{method}")
    if calendar_uid:
        lines.append(fold(f"UID:{calendar_uid}"))
    if name:
        lines += [fold(f"NAME:{escape_text(name)}"), fold(f"X-WR-CALNAME:{escape_text(name)}")]
    if refresh:
        lines += [f"REFRESH-INTERVAL;VALUE=DURATION:{refresh}", f"X-PUBLISHED-TTL:{refresh}"]
    for event in events:
        lines += event_lines(event)
    lines.append("END:VCALENDAR")
    return (CRLF.join(lines) + CRLF).encode("utf-8")
