from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "web"
    verbose_name = "Web pages"

    def ready(self):
        from booking.events import on_time_freed
        from notifications.services import register_manage_link

        from .links import manage_link_for_booking_id
        from .services import offer_freed_time

        # Every confirmation, reminder and reschedule email carries the signed manage link.
        register_manage_link(manage_link_for_booking_id)
        # Time freed anywhere (API, pages, admin, plans) is offered to the waiting list.
        on_time_freed(offer_freed_time)
