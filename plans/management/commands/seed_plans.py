"""manage.py seed_plans: the shared exercise library and plan templates, and with --demo the
demo clinics' needling screenings and an example plan per clinic. Safe to run again."""

from django.core.management.base import BaseCommand

from booking.models import Clinic, Patient

from ..seeding import (
    seed_demo_plans,
    seed_exercise_library,
    seed_needling_screenings,
    seed_plan_templates,
)


class Command(BaseCommand):
    help = "Load the exercise library and plan templates (and, with --demo, demo plan data)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo",
            action="store_true",
            help="Also screen every patient for dry needling and create one example plan per "
            "clinic (run after the clinics, therapists and patients exist).",
        )
        parser.add_argument(
            "--no-plans",
            action="store_true",
            help="With --demo: screenings only, no example plans (e.g. before the diary is seeded).",
        )

    def handle(self, *args, demo=False, no_plans=False, **options):
        exercises = seed_exercise_library()
        templates = seed_plan_templates()
        self.stdout.write(
            f"Exercise library: {exercises} added. Plan templates: {templates} added."
        )
        if not demo:
            return
        screened = seed_needling_screenings(patients=list(Patient.objects.select_related("clinic")))
        self.stdout.write(f"Needling screenings: {screened} patients screened.")
        if no_plans:
            return
        for line in seed_demo_plans(clinics=list(Clinic.objects.order_by("pk"))):
            self.stdout.write(line)
