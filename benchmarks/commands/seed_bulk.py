"""`python -m benchmarks seed_bulk --initiatives N`: a large catalogue for load tests."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from benchmarks.bulk import DEFAULT_SEED, bulk_seed


class Command(BaseCommand):
    help = _(
        "Crée N initiatives de test (identifiants bulk-000001…), réparties sur les communes, "
        "départements et régions réels. Relancée avec le même nombre, elle ne crée pas de "
        "doublons ; --reset supprime d'abord toutes les initiatives de test."
    )

    def add_arguments(self, parser):
        parser.add_argument("--initiatives", type=int, default=100_000, help=_("Nombre visé."))
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=_("Graine aléatoire."))
        parser.add_argument(
            "--reset", action="store_true", help=_("Supprimer d'abord les initiatives de test.")
        )
        parser.add_argument("--batch-size", type=int, default=5_000)
        parser.add_argument(
            "--jobs",
            type=int,
            default=None,
            help=_("Sessions PostgreSQL en parallèle (par défaut : 2 si plusieurs processeurs)."),
        )

    def handle(self, *args, initiatives, seed, reset, batch_size, jobs, **options):
        if initiatives < 0 or initiatives > 1_000_000:
            raise CommandError(_("--initiatives doit être compris entre 0 et 1 000 000."))
        if batch_size < 1:
            raise CommandError(_("--batch-size doit être positif."))
        verbosity = options["verbosity"]

        def progress(done, total):
            if verbosity > 1 or (verbosity == 1 and (done == total or done % 20_000 == 0)):
                self.stdout.write(_("  %(done)d / %(total)d") % {"done": done, "total": total})

        report = bulk_seed(
            count=initiatives,
            seed=seed,
            reset=reset,
            batch_size=batch_size,
            jobs=jobs,
            progress=progress,
        )
        if report.deleted:
            self.stdout.write(_("%(n)d initiatives de test supprimées.") % {"n": report.deleted})
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(created)d initiatives créées (%(m2m)d liens), %(skipped)d déjà "
                    "présentes, en %(seconds).1f s."
                )
                % {
                    "created": report.created,
                    "m2m": report.m2m_rows,
                    "skipped": report.skipped,
                    "seconds": report.seconds,
                }
            )
        )
