from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Patients' data rights"

    def ready(self) -> None:
        from booking.eligibility import register

        from .services import refuse_erased_patient

        register(refuse_erased_patient)
