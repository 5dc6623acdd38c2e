"""factory_boy factories for the plans app."""

import factory

from plans.models import BodyRegion, Exercise, ExercisePurpose


class ExerciseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exercise

    clinic = None
    name = factory.Sequence(lambda n: f"Exercise {n}")
    body_region = BodyRegion.NECK
    purpose = ExercisePurpose.MOBILITY
    instructions = "Sit tall. Turn your head slowly to each side."
    default_sets = 3
    default_reps = 10
