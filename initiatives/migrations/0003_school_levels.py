from django.db import migrations


def create_levels(apps, schema_editor):
    from initiatives.reference import SCHOOL_LEVELS

    SchoolLevel = apps.get_model("initiatives", "SchoolLevel")
    for position, (code, label) in enumerate(SCHOOL_LEVELS):
        SchoolLevel.objects.update_or_create(
            code=code, defaults={"label": label, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0002_initial")]
    operations = [migrations.RunPython(create_levels, migrations.RunPython.noop)]
