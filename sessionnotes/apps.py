from django.apps import AppConfig


class SessionNotesConfig(AppConfig):
    name = "sessionnotes"
    verbose_name = "Session notes"

    def ready(self):
        # Plans and booking must not import session notes, so this app adds its rules to their
        # hooks: a positive red flag not yet cleared stops a plan being activated, and a serious
        # adverse event warns whoever books the patient's next needling session.
        from booking.extensions import add_advisory_provider as register_booking_advisory
        from plans.activation import register as register_activation_check

        from .safety import needling_warnings_for_bookings
        from .services import check_red_flags_cleared

        register_activation_check(check_red_flags_cleared)
        register_booking_advisory(needling_warnings_for_bookings)
