"""DiagnosisRun becomes a `portal.core.models.Job`: progress fields renamed, `queued_at` added
(copied from `created_at`), the state may be "cancelled". Data kept."""

import django.utils.timezone
from django.db import migrations, models


def queued_at_from_created_at(apps, schema_editor):
    DiagnosisRun = apps.get_model("diagnosis", "DiagnosisRun")
    DiagnosisRun.objects.update(queued_at=models.F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("diagnosis", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="diagnosisrun", name="diagnosis_run_state_valid"),
        migrations.RemoveConstraint(model_name="diagnosisrun", name="diagnosis_run_progress_valid"),
        migrations.RenameField(
            model_name="diagnosisrun", old_name="checks_done", new_name="progress_done"
        ),
        migrations.RenameField(
            model_name="diagnosisrun", old_name="checks_total", new_name="progress_total"
        ),
        migrations.AddField(
            model_name="diagnosisrun",
            name="queued_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="In Auftrag gegeben"
            ),
        ),
        migrations.RunPython(queued_at_from_created_at, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="diagnosisrun",
            name="progress_done",
            field=models.PositiveIntegerField(default=0, verbose_name="Erledigt"),
        ),
        migrations.AlterField(
            model_name="diagnosisrun",
            name="progress_total",
            field=models.PositiveIntegerField(default=0, verbose_name="Insgesamt"),
        ),
        migrations.AlterField(
            model_name="diagnosisrun",
            name="state",
            field=models.CharField(
                choices=[
                    ("queued", "Wartet"),
                    ("running", "Läuft"),
                    ("done", "Fertig"),
                    ("failed", "Fehlgeschlagen"),
                    ("cancelled", "Abgebrochen"),
                ],
                default="queued",
                max_length=10,
                verbose_name="Zustand",
            ),
        ),
        migrations.AddConstraint(
            model_name="diagnosisrun",
            constraint=models.CheckConstraint(
                condition=models.Q(state__in=["queued", "running", "done", "failed", "cancelled"]),
                name="diagnosis_run_state_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="diagnosisrun",
            constraint=models.CheckConstraint(
                condition=models.Q(progress_done__lte=models.F("progress_total")),
                name="diagnosis_run_progress_valid",
            ),
        ),
    ]
