"""The plenary committee and one working group per axis (the secretariat may add others)."""

from django.db import migrations


def create_bodies(apps, schema_editor):
    Axis = apps.get_model("committee", "Axis")
    Body = apps.get_model("committee", "Body")
    Body.objects.get_or_create(
        slug="comite-plenier", defaults={"name": "Comité plénier", "kind": "plenary"}
    )
    for axis in Axis.objects.order_by("number"):
        Body.objects.get_or_create(
            slug=f"groupe-de-travail-axe-{axis.number}",
            defaults={
                "name": f"Groupe de travail de l'axe {axis.number} : {axis.short_title}",
                "kind": "working_group",
                "axis": axis,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("committee", "0008_sessions_bodies_minutes")]

    operations = [migrations.RunPython(create_bodies, migrations.RunPython.noop)]
