"""`manage.py load_territories`: create or refresh the territories of the COG."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from referentials.models import Territory
from referentials.services import TerritoryFileError, territories_load


class Command(BaseCommand):
    help = _(
        "Charge les régions, départements, EPCI et communes depuis "
        "referentials/data/territories.csv.xz (ou --path). Peut être relancée sans risque."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--path", type=Path, help=_("Autre fichier au même format (.csv, .csv.gz, .csv.xz).")
        )

    def handle(self, *args, path=None, **options):
        started = time.monotonic()
        try:
            result = territories_load(path=path)
        except (OSError, TerritoryFileError) as exc:
            raise CommandError(str(exc)) from exc
        for level, counts in result.items():
            self.stdout.write(
                _(
                    "%(level)s : %(total)d dans le fichier, %(created)d créés, "
                    "%(updated)d mis à jour, %(unchanged)d inchangés, "
                    "%(absent)d en base mais absents du fichier (conservés)"
                )
                % {"level": Territory.Level(level).label, **counts}
            )
        self.stdout.write(
            self.style.SUCCESS(_("Territoires chargés en %.1f s.") % (time.monotonic() - started))
        )
