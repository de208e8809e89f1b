from django.db import migrations, models

from salesdesk.core import dbfunctions


def analyze_new_indexes(apps, schema_editor):
    dbfunctions.analyze_new_indexes(schema_editor, "receivable_open_sum_idx", "payment_credit_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0002_statement_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="payment",
            name="payment_credit_idx",
        ),
        migrations.AddIndex(
            model_name="payment",
            index=models.Index(
                condition=models.Q(("allocated_amount__lt", models.F("amount"))),
                fields=["customer", "amount", "allocated_amount"],
                name="payment_credit_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="receivable",
            index=models.Index(
                condition=models.Q(("is_open", True)),
                fields=["is_open", "amount", "allocated_amount"],
                name="receivable_open_sum_idx",
            ),
        ),
        migrations.RunPython(analyze_new_indexes, migrations.RunPython.noop, elidable=True),
    ]
