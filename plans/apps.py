from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "Treatment plans"

    def ready(self):
        # Booking must not import plans, so plans adds its needling safety check to booking's
        # extension point: every booking and reschedule of a needling treatment runs it.
        from booking.extensions import add_eligibility_check

        from .services.safety import check_needling_booking

        add_eligibility_check(check_needling_booking)
