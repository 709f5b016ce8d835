from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0004_invoice_language"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="confirmation_sent_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="Bestätigung gesendet am"
            ),
        ),
    ]
