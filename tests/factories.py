"""factory_boy factories: a small clinic that is open and staffed every day, 08:00-20:00."""

from datetime import time
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from booking.models import (
    Clinic,
    ClinicMembership,
    Modality,
    OpeningHours,
    Patient,
    Profession,
    Qualification,
    Room,
    RoomFeature,
    Therapist,
    Treatment,
    WorkingHours,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.django.Password("correct-horse-battery")


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Clinic {n}")
    slug = factory.Sequence(lambda n: f"clinic-{n}")
    time_zone = "Europe/London"
    min_notice_minutes = 120
    booking_horizon_days = 90
    slot_step_minutes = 15
    late_cancellation_hours = 24

    @factory.post_generation
    def open_every_day(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            OpeningHours.objects.bulk_create(
                OpeningHours(clinic=obj, weekday=day, opens=time(8), closes=time(20))
                for day in range(7)
            )


class RoomFeatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoomFeature
        skip_postgeneration_save = True
        django_get_or_create = ("code",)

    code = "couch"
    name = factory.LazyAttribute(lambda f: f.code.replace("_", " ").title())


class QualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Qualification
        skip_postgeneration_save = True
        django_get_or_create = ("code",)

    code = "sports_massage"
    name = factory.LazyAttribute(lambda f: f.code.replace("_", " ").title())


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room
        skip_postgeneration_save = True

    clinic = factory.SubFactory(ClinicFactory)
    name = factory.Sequence(lambda n: f"Room {n}")

    @factory.post_generation
    def features(obj, create, extracted, **kwargs):
        codes = ["couch"] if extracted is None else extracted
        if create:
            obj.features.add(*[RoomFeatureFactory(code=code) for code in codes])


class TherapistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Therapist
        skip_postgeneration_save = True

    first_name = factory.Sequence(lambda n: f"Tess{n}")
    last_name = "Therapist"
    profession = Profession.PHYSIOTHERAPIST

    @factory.post_generation
    def qualifications(obj, create, extracted, **kwargs):
        codes = ["sports_massage"] if extracted is None else extracted
        if create:
            obj.qualifications.add(*[QualificationFactory(code=code) for code in codes])

    @factory.post_generation
    def clinics(obj, create, extracted, **kwargs):
        """Works at these clinics every day 08:00-20:00 (pass hours=False for no hours)."""
        if create and extracted:
            obj.clinics.add(*extracted)
            if kwargs.get("hours", True) is not False:
                WorkingHours.objects.bulk_create(
                    WorkingHours(
                        therapist=obj, clinic=clinic, weekday=day, starts=time(8), ends=time(20)
                    )
                    for clinic in extracted
                    for day in range(7)
                )


class TreatmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Treatment
        skip_postgeneration_save = True

    clinic = factory.SubFactory(ClinicFactory)
    name = "Sports massage"
    modality = Modality.SPORTS_MASSAGE
    duration_minutes = 45
    buffer_before_minutes = 0
    buffer_after_minutes = 15
    price = Decimal("55.00")
    online_bookable = True
    capacity = 1

    @factory.post_generation
    def required_qualifications(obj, create, extracted, **kwargs):
        codes = ["sports_massage"] if extracted is None else extracted
        if create:
            obj.required_qualifications.add(*[QualificationFactory(code=code) for code in codes])

    @factory.post_generation
    def required_room_features(obj, create, extracted, **kwargs):
        codes = ["couch"] if extracted is None else extracted
        if create:
            obj.required_room_features.add(*[RoomFeatureFactory(code=code) for code in codes])


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient
        skip_postgeneration_save = True

    clinic = factory.SubFactory(ClinicFactory)
    first_name = factory.Sequence(lambda n: f"Pat{n}")
    last_name = "Patient"
    email = factory.LazyAttribute(lambda p: f"{p.first_name.lower()}@example.test")
    phone = "07700 900000"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClinicMembership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    clinic = factory.SubFactory(ClinicFactory)
    role = "receptionist"
