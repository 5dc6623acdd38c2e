from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from booking import views as booking_views
from notifications.urls import FeedViewSet, feed_urlpatterns
from plans import views as plan_views
from privacy import views as privacy_views
from sessionnotes import views as note_views

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
        SpectacularSwaggerView.as_view(url_name="schema", template_name="web/api/docs.html"),
        name="docs",
    ),
    *router.urls,
]

urlpatterns = [
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    *feed_urlpatterns,
    path("", include("web.urls")),
]
