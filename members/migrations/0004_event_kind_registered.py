# Event kinds are declared by the apps (members.notifications.registry) and checked by
# members.services.event_record: the column keeps its width, without a fixed list of choices
# (a new kind no longer needs a migration of members).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0003_notifications'),
    ]

    operations = [
        migrations.AlterField(
            model_name='event',
            name='kind',
            field=models.CharField(max_length=30, verbose_name='nature'),
        ),
    ]
