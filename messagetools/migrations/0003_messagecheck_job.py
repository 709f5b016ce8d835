"""MessageCheck becomes a `portal.core.models.Job`: `status` is its `state`, the step counters
its progress, the state may be "cancelled". Data kept."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("messagetools", "0002_message_check"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="messagecheck", name="message_check_status_valid"),
        migrations.RemoveConstraint(model_name="messagecheck", name="message_check_progress_valid"),
        migrations.RenameField(model_name="messagecheck", old_name="status", new_name="state"),
        migrations.RenameField(
            model_name="messagecheck", old_name="steps_done", new_name="progress_done"
        ),
        migrations.RenameField(
            model_name="messagecheck", old_name="steps_total", new_name="progress_total"
        ),
        migrations.AlterField(
            model_name="messagecheck",
            name="progress_done",
            field=models.PositiveIntegerField(default=0, verbose_name="Erledigt"),
        ),
        migrations.AlterField(
            model_name="messagecheck",
            name="progress_total",
            field=models.PositiveIntegerField(default=5, verbose_name="Schritte"),
        ),
        migrations.AlterField(
            model_name="messagecheck",
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
            model_name="messagecheck",
            constraint=models.CheckConstraint(
                condition=models.Q(state__in=["queued", "running", "done", "failed", "cancelled"]),
                name="message_check_state_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="messagecheck",
            constraint=models.CheckConstraint(
                condition=models.Q(progress_done__lte=models.F("progress_total")),
                name="message_check_progress_valid",
            ),
        ),
    ]
