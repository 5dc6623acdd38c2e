from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = "Clinic diary"

    def ready(self) -> None:
        # notifications never imports booking; booking tells it about bookings and patients.
        from notifications.services import register_directory

        from .notification_directory import BookingDirectory

        register_directory(BookingDirectory())
