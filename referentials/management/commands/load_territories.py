"""`manage.py load_territories`: create or refresh the territories of the COG, then the other
codes their communes are found by (postcodes, former and arrondissement codes)."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from referentials.models import Territory
from referentials.services import TerritoryFileError, territories_load, territory_aliases_load


class Command(BaseCommand):
    help = _(
        "Charge les régions, départements, EPCI et communes depuis "
        "referentials/data/territories.csv.xz (ou --path), puis les codes postaux, anciens "
        "codes et codes d'arrondissement des communes depuis "
        "referentials/data/commune_aliases.csv.xz (ou --aliases). Peut être relancée sans risque."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--path", type=Path, help=_("Autre fichier au même format (.csv, .csv.gz, .csv.xz).")
        )
        parser.add_argument(
            "--aliases",
            type=Path,
            help=_("Autre fichier de codes des communes au même format (.csv, .csv.gz, .csv.xz)."),
        )

    def handle(self, *args, path=None, aliases=None, **options):
        started = time.monotonic()
        try:
            result = territories_load(path=path)
            alias_counts = territory_aliases_load(path=aliases)
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
            _(
                "Codes postaux, anciens codes et codes d'arrondissement : %(total)d dans le "
                "fichier, %(created)d créés, %(updated)d mis à jour, %(unchanged)d inchangés, "
                "%(deleted)d supprimés, %(skipped)d ignorés (commune absente de la base ou code "
                "encore en usage)"
            )
            % alias_counts
        )
        self.stdout.write(
            self.style.SUCCESS(_("Territoires chargés en %.1f s.") % (time.monotonic() - started))
        )
