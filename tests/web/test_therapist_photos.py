"""Therapist photo and short bio: set by the clinic's admins (API and Django admin), checked and
re-encoded, served by the app, and shown on the therapist step and the booked page."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from booking.models import Therapist
from tests.factories import MembershipFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def admin_user(clinic):
    from tests.factories import UserFactory

    user = UserFactory(username="ada", is_staff=True)
    MembershipFactory(user=user, clinic=clinic, role="admin")
    return user


def image_bytes(fmt="PNG", size=(1600, 1200), exif=False) -> bytes:
    out = BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "PhoneMaker"  # Make
        data[0x8825] = {2: (52.0, 55.0, 0.0)}  # GPS latitude: where it was taken
        kwargs["exif"] = data
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def upload(name="me.png", content=None, content_type="image/png"):
    return SimpleUploadedFile(name, content or image_bytes(), content_type=content_type)


def test_a_clinic_admin_uploads_a_photo_through_the_api_and_it_is_re_encoded(
    api, admin_user, therapist, media
):
    response = api(admin_user).patch(
        f"/api/v1/therapists/{therapist.pk}/",
        {"photo": upload("tess.jpg", image_bytes("JPEG", exif=True), "image/jpeg")},
        format="multipart",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["photo_alt"] == "Photo of Tess Physio"
    assert f"/therapists/{therapist.pk}/photo/?v=" in body["photo_url"]
    assert "photo" not in body  # write-only: the address is photo_url
    therapist.refresh_from_db()
    with Image.open(media / therapist.photo.name) as kept:
        assert kept.format == "JPEG"
        assert max(kept.size) == 800
        assert not kept.getexif()  # no camera or location metadata kept


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("notes.png", b"<html><script>alert(1)</script></html>", "image/png"),
        ("anim.gif", image_bytes("GIF", size=(10, 10)), "image/gif"),
        ("cut.png", image_bytes()[:200], "image/png"),
    ],
)
def test_files_that_are_not_accepted_photos_are_refused(
    api, admin_user, therapist, media, name, content, content_type
):
    response = api(admin_user).patch(
        f"/api/v1/therapists/{therapist.pk}/",
        {"photo": SimpleUploadedFile(name, content, content_type=content_type)},
        format="multipart",
    )

    assert response.status_code == 400
    assert "photo" in response.json()["error"]["fields"]
    therapist.refresh_from_db()
    assert not therapist.photo
    assert not list(media.rglob("*.*"))


def test_a_photo_over_the_size_limit_is_refused(api, admin_user, therapist, settings):
    settings.THERAPIST_PHOTO_MAX_BYTES = 1000

    response = api(admin_user).patch(
        f"/api/v1/therapists/{therapist.pk}/", {"photo": upload()}, format="multipart"
    )

    assert response.status_code == 400
    assert "too large" in str(response.json()["error"]["fields"]["photo"])


def test_only_the_clinics_admins_change_a_therapist(api, therapist, receptionist):
    response = api(receptionist).patch(
        f"/api/v1/therapists/{therapist.pk}/", {"bio": "Hacked"}, format="json"
    )

    assert response.status_code == 403
    therapist.refresh_from_db()
    assert therapist.bio == ""


def test_a_bio_is_short(api, admin_user, therapist):
    response = api(admin_user).patch(
        f"/api/v1/therapists/{therapist.pk}/", {"bio": "x" * 601}, format="json"
    )
    assert response.status_code == 400
    ok = api(admin_user).patch(
        f"/api/v1/therapists/{therapist.pk}/",
        {"bio": "Sports physio for 12 years; runners and rowers."},
        format="json",
    )
    assert ok.status_code == 200
    assert ok.json()["bio"] == "Sports physio for 12 years; runners and rowers."


def test_a_new_photo_replaces_the_old_file_and_null_removes_it(
    api, admin_user, therapist, media, django_capture_on_commit_callbacks
):
    url = f"/api/v1/therapists/{therapist.pk}/"
    api(admin_user).patch(url, {"photo": upload()}, format="multipart")
    therapist.refresh_from_db()
    first = therapist.photo.name

    with django_capture_on_commit_callbacks(execute=True):
        api(admin_user).patch(url, {"photo": upload()}, format="multipart")
    therapist.refresh_from_db()
    assert therapist.photo.name != first
    assert not (media / first).exists()
    assert (media / therapist.photo.name).exists()

    with django_capture_on_commit_callbacks(execute=True):
        removed = api(admin_user).patch(url, {"photo": None}, format="json")
    assert removed.json()["photo_url"] is None
    assert not list(media.rglob("*.jpg"))


def test_the_photo_is_served_as_a_cached_jpeg_that_can_do_nothing_else(
    client, api, admin_user, therapist
):
    api(admin_user).patch(
        f"/api/v1/therapists/{therapist.pk}/", {"photo": upload()}, format="multipart"
    )
    therapist.refresh_from_db()

    response = client.get(therapist.photo_src)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "immutable" in response["Cache-Control"]
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    stale = client.get(f"/therapists/{therapist.pk}/photo/?v=old")
    assert "immutable" not in stale["Cache-Control"]
    other = Therapist.objects.create(first_name="No", last_name="Photo", profession="physio")
    assert client.get(f"/therapists/{other.pk}/photo/").status_code == 404


def test_the_django_admin_accepts_a_photo_and_refuses_a_fake(client, therapist, media):
    from tests.factories import UserFactory

    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)
    client.force_login(boss)
    url = f"/admin/booking/therapist/{therapist.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {
        key: value
        for key, value in form.initial.items()
        if key not in ("photo", "qualifications", "clinics") and value is not None
    }
    data.update(
        {
            "qualifications": [q.pk for q in therapist.qualifications.all()],
            "clinics": [c.pk for c in therapist.clinics.all()],
            "user": therapist.user_id,
            "bio": "Runners and rowers.",
            "is_active": "on",
            "working_hours-TOTAL_FORMS": "0",
            "working_hours-INITIAL_FORMS": "0",
        }
    )

    fake = client.post(
        url, {**data, "photo": SimpleUploadedFile("x.png", b"not an image", "image/png")}
    )
    assert fake.status_code == 200  # the form again, with the error
    therapist.refresh_from_db()
    assert not therapist.photo

    saved = client.post(url, {**data, "photo": upload("tess.png")})
    assert saved.status_code == 302
    therapist.refresh_from_db()
    assert therapist.photo.name.endswith(".jpg")
    assert therapist.bio == "Runners and rowers."


@pytest.mark.django_db
def test_the_therapist_step_and_the_booked_page_show_photo_and_bio(
    client, api, admin_user, therapist, massage, frozen_now, book, patient, browser_for
):
    api(admin_user).patch(
        f"/api/v1/therapists/{therapist.pk}/",
        {"photo": upload(), "bio": "Sports physio; runners and rowers."},
        format="multipart",
    )
    therapist.refresh_from_db()

    step = client.get(f"/book/derby/{massage.pk}/").content.decode()
    assert f'src="{therapist.photo_src}"' in step
    assert 'alt="Photo of Tess Physio"' in step
    assert "Sports physio; runners and rowers." in step

    booking = book(massage, patient, "2027-03-02T10:00", therapist=therapist)
    booked = browser_for(patient.user).get(f"/appointments/{booking.uid}/booked/")
    page = booked.content.decode()
    assert 'alt="Photo of Tess Physio"' in page
    assert "Sports physio; runners and rowers." in page
