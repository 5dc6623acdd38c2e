from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "Treatment plans"

    def ready(self):
        # Booking must not import plans, so plans adds its needling safety check to booking's
        # eligibility hook: every booking and reschedule of a needling treatment runs it.
        from booking.eligibility import register

        from .services.safety import check_needling_booking

        register(check_needling_booking)
