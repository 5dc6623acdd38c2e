"""The plan builder: therapists build, schedule and follow a treatment plan in the product's own
pages (/therapist/...), through the same plans services as the API.

- starting: start a plan (template or blank) from a patient's record or a session;
- building: details, care team, goals, preferences, phases and in-clinic sessions; activation;
- scheduling: the proposed times, booked all in one go (or none);
- progress: home exercises with adherence, outcome measures with the chart, discharge.

Access and the clinical-read gate: common.py.
"""

from django.urls import path

from . import building, progress, scheduling, starting

PLAN = "therapist/plans/<int:pk>/"

urlpatterns = [
    path("therapist/patients/<int:patient>/plans/new/", starting.start_plan, name="plan_start"),
    path(PLAN, building.plan_builder, name="plan_builder"),
    path(f"{PLAN}details/", building.edit_details, name="plan_details"),
    path(f"{PLAN}preferences/", building.edit_preferences, name="plan_preferences"),
    path(f"{PLAN}goals/new/", building.add_goal, name="plan_add_goal"),
    path(f"{PLAN}goals/<int:goal>/remove/", building.remove_goal, name="plan_remove_goal"),
    path(f"{PLAN}phases/new/", building.add_phase, name="plan_add_phase"),
    path(f"{PLAN}phases/<int:phase>/", building.edit_phase, name="plan_phase"),
    path(f"{PLAN}phases/<int:phase>/move/", building.move_phase, name="plan_move_phase"),
    path(f"{PLAN}phases/<int:phase>/remove/", building.remove_phase, name="plan_remove_phase"),
    path(
        f"{PLAN}phases/<int:phase>/sessions/new/",
        building.add_component,
        name="plan_add_component",
    ),
    path(f"{PLAN}sessions/<int:component>/", building.edit_component, name="plan_component"),
    path(
        f"{PLAN}sessions/<int:component>/remove/",
        building.remove_component,
        name="plan_remove_component",
    ),
    path(f"{PLAN}activate/", building.activate, name="plan_activate"),
    path(f"{PLAN}schedule/", scheduling.schedule, name="plan_schedule"),
    path(f"{PLAN}exercises/", progress.exercises, name="plan_exercises"),
    path(
        f"{PLAN}exercises/<int:prescription>/",
        progress.edit_prescription,
        name="plan_prescription",
    ),
    path(f"{PLAN}outcomes/", progress.outcomes, name="plan_outcomes"),
    path(f"{PLAN}discharge/", progress.discharge, name="plan_discharge"),
]
