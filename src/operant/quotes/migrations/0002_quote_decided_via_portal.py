# A contact signed in to the portal may accept or decline a sent quote directly.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("quotes", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="quote",
            name="decided_via",
            field=models.CharField(
                blank=True,
                choices=[
                    ("link", "the client's signed link"),
                    ("reply", "the client's email reply, confirmed by an agent"),
                    ("agent", "an agent, on the client's word"),
                    ("portal", "the client, signed in to the portal"),
                ],
                max_length=16,
            ),
        ),
    ]
