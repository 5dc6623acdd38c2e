"""The "Clinic admins" group: the model permissions a clinic admin needs in the Django admin.

A clinic admin is a staff user (is_staff) with a ClinicMembership of role "admin" who is in this
group. The permissions say *which models* they may touch; booking/admin.py narrows every list
and form to the clinics they administer. Bookings are changed only through the admin actions
(which call booking.services), so the group may change but never add or delete a booking.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Clinic admins"

# model name -> permission actions
PERMISSIONS = {
    "clinic": ["view", "change"],
    "openinghours": ["view", "add", "change", "delete"],
    "room": ["view", "add", "change"],
    "roomfeature": ["view"],
    "qualification": ["view"],
    "therapist": ["view", "add", "change"],
    "workinghours": ["view", "add", "change", "delete"],
    "block": ["view", "add", "change", "delete"],
    "treatment": ["view", "add", "change"],
    "patient": ["view", "add", "change"],
    "clinicmembership": ["view"],
    "booking": ["view", "change"],
}


def create_group(apps, schema_editor):
    # Permissions are normally created after the whole migrate run; make sure the booking
    # app's exist now so a fresh database gets a complete group.
    booking_config = apps.get_app_config("booking")
    booking_config.models_module = True
    create_permissions(booking_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    booking_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [
        f"{action}_{model}" for model, actions in PERMISSIONS.items() for action in actions
    ]
    permissions = Permission.objects.filter(
        content_type__app_label="booking", codename__in=codenames
    )
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(*permissions)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0002_exclusion_constraints"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
