from django.urls import path

from .views import (
    accounts,
    booking_flow,
    diary,
    notes,
    patients,
    plan_builder,
    records,
    screenings,
    therapists,
)

app_name = "web"

# The same booking pages twice: signed in (by the booking's uid) and by a signed email link.
_booking_pages = [
    ("", patients.booking_page, ""),
    ("reschedule/", patients.reschedule, "reschedule"),
    ("cancel/", patients.cancel, "cancel"),
    ("calendar.ics", patients.calendar_file, "calendar"),
]

urlpatterns = [
    path("", booking_flow.home, name="home"),
    path("book/<slug:clinic>/", booking_flow.treatments, name="treatments"),
    path("book/<slug:clinic>/<int:treatment>/", booking_flow.therapists, name="therapists"),
    path("book/<slug:clinic>/<int:treatment>/times/", booking_flow.times, name="times"),
    path("book/<slug:clinic>/<int:treatment>/confirm/", booking_flow.confirm, name="confirm"),
    path(
        "book/<slug:clinic>/<int:treatment>/waiting-list/",
        booking_flow.join_waitlist,
        name="join_waitlist",
    ),
    path("therapists/<int:pk>/photo/", booking_flow.therapist_photo, name="therapist_photo"),
    path("appointments/", patients.appointments, name="appointments"),
    path("appointments/my-data/", patients.my_data, name="my_data"),
    path("appointments/<uuid:uid>/booked/", patients.booked, name="booked"),
    path("appointments/plans/<int:pk>/", patients.plan_page, name="plan"),
    path(
        "appointments/plans/<int:pk>/exercises/<int:prescription>/done/",
        patients.exercise_done,
        name="exercise_done",
    ),
    *[
        path(f"appointments/<uuid:uid>/{suffix}", view, name=name or "booking")
        for suffix, view, name in _booking_pages
    ],
    *[
        path(f"manage/<str:token>/{suffix}", view, name=f"manage_{name}" if name else "manage")
        for suffix, view, name in _booking_pages
    ],
    path("sign-in/", accounts.SignInView.as_view(), name="login"),
    path("sign-out/", accounts.SignOutView.as_view(), name="logout"),
    path("register/", accounts.register, name="register"),
    path("diary/", diary.diary_home, name="diary_home"),
    path("diary/<slug:clinic>/", diary.diary, name="diary"),
    path("diary/<slug:clinic>/changes/", diary.changes, name="diary_changes"),
    path("diary/<slug:clinic>/follow-ups/", diary.follow_up_list, name="diary_follow_ups"),
    path("diary/<slug:clinic>/day-sheet/", diary.day_sheet_page, name="diary_day_sheet"),
    path("diary/<slug:clinic>/patients/", diary.patient_search, name="diary_patients"),
    path("diary/<slug:clinic>/bookings/new/", diary.new_booking, name="diary_new_booking"),
    path("diary/<slug:clinic>/bookings/<int:pk>/", diary.booking_detail, name="diary_booking"),
    path("diary/<slug:clinic>/bookings/<int:pk>/move/", diary.move_booking, name="diary_move"),
    path(
        "diary/<slug:clinic>/bookings/<int:pk>/cancel/", diary.cancel_booking, name="diary_cancel"
    ),
    path(
        "diary/<slug:clinic>/bookings/<int:pk>/status/", diary.booking_status, name="diary_status"
    ),
    path("diary/<slug:clinic>/blocks/new/", diary.new_block, name="diary_new_block"),
    path("diary/<slug:clinic>/blocks/<int:pk>/", diary.block_detail, name="diary_block"),
    path("diary/<slug:clinic>/waiting-list/", diary.waitlist_panel, name="diary_waitlist"),
    path(
        "diary/<slug:clinic>/waiting-list/new/", diary.new_waitlist_entry, name="diary_new_waitlist"
    ),
    path(
        "diary/<slug:clinic>/waiting-list/<int:pk>/<str:action>/",
        diary.waitlist_action,
        name="diary_waitlist_action",
    ),
    path("therapist/", therapists.therapist_day, name="therapist_day"),
    path(
        "therapist/bookings/<int:pk>/status/", therapists.therapist_status, name="therapist_status"
    ),
    path("therapist/feeds/<int:pk>/rotate/", therapists.rotate_feed, name="rotate_feed"),
    path("therapist/sessions/<int:pk>/", records.therapist_session, name="therapist_session"),
    path("therapist/patients/<int:pk>/", records.patient_record, name="patient_record"),
    path("therapist/sessions/<int:pk>/note/", notes.note_page, name="note"),
    path("therapist/sessions/<int:pk>/note/autosave/", notes.autosave, name="note_autosave"),
    # The plan builder's pages (web/views/plan_builder/__init__.py).
    *plan_builder.urlpatterns,
    # Needling screenings waiting for a clinician's call, and one screening to correct (issue 10).
    path("therapist/screenings/", screenings.review_list, name="screenings_to_review"),
    path("therapist/screenings/<int:pk>/", screenings.screening_page, name="screening"),
]
