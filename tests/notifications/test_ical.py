"""notifications/ical.py at its edges: folding, escapes, 4-byte characters, control characters.

Every folded line is checked the way a strict reader sees it: at most 75 octets, valid UTF-8
on its own, and no line ending in the first half of an escape.
"""

from datetime import UTC, datetime

import icalendar
import pytest

from notifications import ical


def physical_lines(folded: str) -> list[bytes]:
    return folded.encode("utf-8").split(b"\r\n")


def assert_well_folded(folded: str, original: str) -> None:
    lines = physical_lines(folded)
    for number, line in enumerate(lines):
        assert len(line) <= 75, line
        line.decode("utf-8")  # never half a character
        if number:
            assert line.startswith(b" ")
        if number < len(lines) - 1:
            trailing = len(line) - len(line.rstrip(b"\\"))
            assert trailing % 2 == 0, f"line {number} ends inside an escape: {line!r}"
    assert folded.replace("\r\n ", "") == original


@pytest.mark.parametrize("offset", range(60, 80))
def test_an_escaped_comma_is_never_split_from_its_backslash(offset):
    # "14 Friar Gate\, Derby\, DE1 1BX" with the escape pushed across every fold position.
    line = "LOCATION:" + "x" * (offset - 9) + ical.escape_text("Derby Physio, 14 Friar Gate, Derby")
    assert_well_folded(ical.fold(line), line)


@pytest.mark.parametrize("offset", range(60, 80))
def test_an_escaped_backslash_before_a_comma_folds_on_an_escape_boundary(offset):
    line = "DESCRIPTION:" + "y" * (offset - 12) + ical.escape_text("C:\\clinic\\, notes; more")
    assert_well_folded(ical.fold(line), line)


@pytest.mark.parametrize("offset", range(68, 78))
def test_four_byte_characters_at_the_fold_are_never_cut(offset):
    line = "SUMMARY:" + "z" * (offset - 8) + "🦵💪🏃‍♀️" * 4 + "\\, done"
    assert_well_folded(ical.fold(line), line)


def test_a_long_line_of_escapes_only_folds_between_whole_escapes():
    line = "DESCRIPTION:" + "\\;" * 100
    folded = ical.fold(line)
    assert_well_folded(folded, line)
    assert len(physical_lines(folded)) == 3


def test_short_and_ascii_lines_are_left_alone():
    assert ical.fold("UID:abc") == "UID:abc"
    exactly = "SUMMARY:" + "a" * 67
    assert ical.fold(exactly) == exactly


def test_control_characters_are_removed_from_text_but_tab_and_line_breaks_kept():
    raw = "Bring\x00 shorts\x07\x1b[0m,\ttowel\r\nand\rwater\x7f\x85"
    assert ical.escape_text(raw) == "Bring shorts[0m\\,\ttowel\\nand\\nwater"


def test_an_event_with_every_edge_parses_back_in_a_strict_reader():
    event = ical.Event(
        uid="b3f1c2d4@physiodesk",
        start=datetime(2027, 3, 3, 10, tzinfo=UTC),
        end=datetime(2027, 3, 3, 10, 45, tzinfo=UTC),
        stamp=datetime(2027, 3, 1, 9, tzinfo=UTC),
        sequence=0,
        cancelled=False,
        summary="Appointment at Derby Physio \U0001f9b5",
        location="Derby Physio, 14 Friar Gate, Derby, DE1 1BX" * 3,
        description="With Tess.\x0bReference AB12CD34; call 01332 123456, or reply.\n" * 4,
    )
    body = ical.calendar([event], method="REQUEST").decode("utf-8")
    for line in body.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    parsed = icalendar.Calendar.from_ical(body)
    (vevent,) = parsed.walk("VEVENT")
    assert str(vevent["LOCATION"]) == "Derby Physio, 14 Friar Gate, Derby, DE1 1BX" * 3
    assert str(vevent["DESCRIPTION"]).startswith("With Tess.Reference AB12CD34; call 01332 123456")
    assert "\x0b" not in str(vevent["DESCRIPTION"])
