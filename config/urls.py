from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from booking import views as booking_views
from notifications.urls import FeedViewSet, feed_urlpatterns
from plans import views as plan_views
from privacy import views as privacy_views
from sessionnotes import views as note_views
from waitlist.views import WaitlistViewSet
from web.views import accounts as account_pages

from .health import health

router = DefaultRouter()
router.register("clinics", booking_views.ClinicViewSet, basename="clinic")
router.register("opening-hours", booking_views.OpeningHoursViewSet, basename="opening-hours")
router.register("rooms", booking_views.RoomViewSet, basename="room")
router.register("therapists", booking_views.TherapistViewSet, basename="therapist")
router.register("working-hours", booking_views.WorkingHoursViewSet, basename="working-hours")
router.register("treatments", booking_views.TreatmentViewSet, basename="treatment")
router.register("patients", booking_views.PatientViewSet, basename="patient")
router.register("bookings", booking_views.BookingViewSet, basename="booking")
router.register("blocks", booking_views.BlockViewSet, basename="block")
router.register("waitlist", WaitlistViewSet, basename="waitlist")
router.register("feeds", FeedViewSet, basename="feed")
router.register("plans", plan_views.PlanViewSet, basename="plan")
router.register("plan-templates", plan_views.PlanTemplateViewSet, basename="plan-template")
router.register("exercises", plan_views.ExerciseViewSet, basename="exercise")
router.register("screenings", plan_views.ScreeningViewSet, basename="screening")
router.register("session-notes", note_views.SessionNoteViewSet, basename="session-note")
router.register("safety-alerts", note_views.SafetyAlertViewSet, basename="safety-alert")

api_v1 = [
    path("", include("accounts.urls")),
    path("availability/", booking_views.AvailabilityView.as_view(), name="availability"),
    path("audit/", privacy_views.AuditView.as_view(), name="audit"),
    path(
        "patients/<int:pk>/export/",
        privacy_views.PatientExportView.as_view(),
        name="patient-export",
    ),
    path(
        "patients/<int:pk>/erase/", privacy_views.PatientEraseView.as_view(), name="patient-erase"
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        # The split view serves its start-up script as a file (?script), so the page needs no
        # inline script under the Content-Security-Policy; Swagger UI comes from the sidecar.
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="web/api/docs.html"),
        name="docs",
    ),
    *router.urls,
]

# Forgotten passwords (Django's own views in our pages) and the email verification link of a
# registration that matches an earlier patient record. The reset link's path (/reset/<uid>/
# <token>/) and the verification link's ?token= are redacted from logs (core/logs.py).
account_urls = [
    path("password-reset/", account_pages.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        account_pages.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        account_pages.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        account_pages.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("register/verify/", account_pages.verify_email, name="verify_email"),
]

urlpatterns = [
    path("health/", health, name="health"),
    *account_urls,
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    *feed_urlpatterns,
    path("", include("web.urls")),
]

# A URL no view matches answers 404 in the API's error shape under /api/ (core/api.py).
handler404 = "core.api.not_found"
