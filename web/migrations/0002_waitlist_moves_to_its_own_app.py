"""The waiting list now lives in the waitlist app (waitlist 0001): web forgets the model.

State only: the table and its rows are untouched and belong to waitlist.WaitlistEntry.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('web', '0001_initial'),
        ('waitlist', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name='WaitlistEntry')],
        ),
    ]
