"""The demo's session notes: a course of treatment with pain falling, signed, one amendment,
written through the services; running the demo again writes nothing twice."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from sessionnotes.models import Amendment, ModalityRecord, SessionNote


def seed_demo() -> str:
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed_demo()
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_demo_patients_have_a_signed_course_with_pain_falling(seeded):
    notes = SessionNote.objects.all()
    assert notes.count() >= 6
    assert not notes.filter(status="draft").exists()
    longest = max(
        (
            list(notes.filter(patient_id=pid).order_by("treated_at"))
            for pid in set(notes.values_list("patient_id", flat=True))
        ),
        key=len,
    )
    assert len(longest) >= 3
    pains = [note.pain_before for note in longest]
    assert pains == sorted(pains, reverse=True)
    assert pains[0] > pains[-1]
    kinds = set(ModalityRecord.objects.values_list("kind", flat=True))
    assert {"dry_needling", "sports_massage", "exercise_rehab"} <= kinds
    # One amended note per demo clinic, the original kept beside it.
    amended = notes.filter(status="amended")
    assert amended.count() == Amendment.objects.count() == 2
    assert set(amended.values_list("clinic__slug", flat=True)) == {"derby", "nottingham"}


def test_running_the_demo_again_writes_no_note_twice(seeded):
    before = (SessionNote.objects.count(), Amendment.objects.count())
    seed_demo()
    assert (SessionNote.objects.count(), Amendment.objects.count()) == before
