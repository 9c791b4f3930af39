from django.db import migrations


def create_axes(apps, schema_editor):
    from committee.reference import AXES

    Axis = apps.get_model("committee", "Axis")
    for number, title, short_title, slug in AXES:
        Axis.objects.update_or_create(
            number=number, defaults={"title": title, "short_title": short_title, "slug": slug}
        )


class Migration(migrations.Migration):
    dependencies = [("committee", "0003_initial")]
    operations = [migrations.RunPython(create_axes, migrations.RunPython.noop)]
