"""`manage.py load_reference_data`: the axes, signatory organisations and national
referentials of `referentials/data/`, created when missing (run after every `migrate`);
`--overwrite` also restores the files' values on rows edited since."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from committee.reference_data import reference_data_load


class Command(BaseCommand):
    help = _(
        "Charge les données de référence publiques (axes, organisations signataires, "
        "référentiels nationaux) depuis referentials/data/. Peut être relancée sans doublon."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help=_(
                "Rétablit aussi les valeurs des fichiers sur les lignes modifiées depuis "
                "(sans cette option, seules les données manquantes sont créées)."
            ),
        )

    def handle(self, *args, overwrite=False, **options):
        data = reference_data_load(overwrite=overwrite)
        if options["verbosity"] >= 1:
            self.stdout.write(
                _(
                    "Données de référence : %(axes)d axes, %(orgs)d organisations, "
                    "%(items)d éléments de référentiels en vigueur."
                )
                % {
                    "axes": len(data.axes),
                    "orgs": len(data.organisations),
                    "items": len(data.items),
                }
            )
