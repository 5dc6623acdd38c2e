"""The plans API: plans (and their tailoring), templates, exercises and screenings."""

from .library import ExerciseViewSet, PlanTemplateViewSet
from .plans import PlanViewSet
from .screenings import ScreeningViewSet

__all__ = ["ExerciseViewSet", "PlanTemplateViewSet", "PlanViewSet", "ScreeningViewSet"]
