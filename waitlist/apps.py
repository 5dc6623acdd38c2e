from django.apps import AppConfig


class WaitlistConfig(AppConfig):
    name = "waitlist"
    verbose_name = "Waiting list"

    def ready(self):
        from booking.extensions import on_time_freed

        from .services import offer_freed_time

        # Time freed anywhere (API, pages, admin, plans) is offered to the waiting list.
        on_time_freed(offer_freed_time)
