"""DkimKey and ZoneRecord now belong to the provisioning app: removed from this app's state
only; the tables and their rows stay (provisioning.0001 takes them over)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("diagnosis", "0002_diagnosisrun_job"),
        ("provisioning", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="DkimKey"),
                migrations.DeleteModel(name="ZoneRecord"),
            ],
        ),
    ]
