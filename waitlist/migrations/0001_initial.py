"""The waiting list moves from the web app into its own app.

State only: the table (web_waitlistentry) and every row in it stay as they are; the model now
belongs to this app (db_table keeps the table's name). web 0002 drops it from web's state.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('booking', '0003_clinic_admin_group'),
        ('web', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='WaitlistEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('earliest', models.DateField(help_text="First day the patient can come, on the clinic's calendar.")),
                        ('latest', models.DateField(blank=True, help_text='Last day; empty means no limit.', null=True)),
                        ('part_of_day', models.CharField(choices=[('any', 'Any time'), ('morning', 'Mornings (before 12:00)'), ('afternoon', 'Afternoons (12:00–17:00)'), ('evening', 'Evenings (from 17:00)')], default='any', max_length=16)),
                        ('notes', models.CharField(blank=True, max_length=200)),
                        ('status', models.CharField(choices=[('waiting', 'Waiting'), ('offered', 'Offered a slot'), ('booked', 'Booked'), ('removed', 'Removed')], default='waiting', max_length=16)),
                        ('offered_start', models.DateTimeField(blank=True, null=True)),
                        ('offered_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('booking', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='booking.booking')),
                        ('clinic', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='waitlist_entries', to='booking.clinic')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('offered_therapist', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='booking.therapist')),
                        ('patient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='waitlist_entries', to='booking.patient')),
                        ('therapist', models.ForeignKey(blank=True, help_text='Empty: any qualified therapist.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='booking.therapist')),
                        ('treatment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='booking.treatment')),
                    ],
                    options={
                        'db_table': 'web_waitlistentry',
                        'verbose_name_plural': 'waiting list entries',
                        'ordering': ['created_at', 'id'],
                        'indexes': [models.Index(fields=['clinic', 'status'], name='web_waitlis_clinic__670d2e_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('latest__isnull', True), ('latest__gte', models.F('earliest')), _connector='OR'), name='waitlist_latest_after_earliest'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'offered'), _negated=True), ('offered_start__isnull', False), _connector='OR'), name='waitlist_offer_has_start'), models.UniqueConstraint(condition=models.Q(('status__in', ['waiting', 'offered'])), fields=('patient', 'treatment'), name='waitlist_one_open_entry_per_treatment')],
                    },
                ),
            ],
        ),
    ]
