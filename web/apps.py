from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "web"
    verbose_name = "Web pages"

    def ready(self):
        from notifications.services import register_appointment_link, register_manage_link

        from .links import appointment_link_for_booking_id, manage_link_for_booking_id

        # Every confirmation, reminder and reschedule email carries the signed manage link.
        register_manage_link(manage_link_for_booking_id)
        # The aftercare email links to the signed-in appointment page that holds the advice.
        register_appointment_link(appointment_link_for_booking_id)
