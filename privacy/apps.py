from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Patients' data rights"

    def ready(self) -> None:
        # Booking must not import privacy: an erased patient is refused through booking's one
        # extension point, like the needling rule.
        from booking.extensions import add_eligibility_check

        from .services import refuse_erased_patient

        add_eligibility_check(refuse_erased_patient)
