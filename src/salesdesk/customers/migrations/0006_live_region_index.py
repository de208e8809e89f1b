from django.db import migrations, models

from salesdesk.core import dbfunctions


def analyze_new_index(apps, schema_editor):
    dbfunctions.analyze_new_indexes(schema_editor, "customer_live_region_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0005_mailing_list_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                condition=models.Q(("archived_at__isnull", True)),
                fields=["province", "status", "tier", "name", "id"],
                name="customer_live_region_idx",
            ),
        ),
        migrations.RunPython(analyze_new_index, migrations.RunPython.noop, elidable=True),
    ]
