"""Seed the integration catalog and the three standard service packages.

A fresh database can then answer `operant packages list` and `operant clients add` at once.
Reversing leaves the rows in place: removing them could orphan clients, and 0001's reversal drops
the tables anyway.
"""

from django.db import migrations

from operant.accounts.catalog import catalog_seed


def seed(apps, schema_editor):
    catalog_seed(
        apps.get_model("accounts", "Integration"), apps.get_model("accounts", "ServicePackage")
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
