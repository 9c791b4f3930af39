"""`manage.py seed_demo`: the reference data, then a realistic demo catalogue, plan and accounts.

Production sites load only the reference data, with `manage.py load_reference_data`."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from committee.demo.seed import DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = _(
        "Crée ou met à jour les données de démonstration : organisations signataires, axes, "
        "référentiels, initiatives, plan d'action, contributions et comptes de démonstration. "
        "Peut être relancée sans créer de doublons."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-accounts",
            action="store_true",
            help=_("Ne pas créer les comptes de démonstration."),
        )

    def handle(self, *args, no_accounts=False, **options):
        started = time.monotonic()
        report = demo_seed(with_accounts=not no_accounts)
        if report.territories_loaded:
            self.stdout.write(_("Territoires du COG chargés (la table des communes était vide)."))
        for name, count in report.counts.items():
            self.stdout.write(f"  {name} : {count}")
        if report.accounts_refused:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "Comptes de démonstration NON créés : DEMO_ACCOUNTS_ENABLED est désactivé "
                        "(environnement de production). Leur mot de passe est public ; ils "
                        "n'ont pas leur place sur un site ouvert. Les initiatives d'exemple "
                        "n'ont donc pas d'auteur."
                    )
                )
            )
        if report.accounts:
            self.stdout.write("")
            self.stdout.write(
                _("Comptes de démonstration (mot de passe commun : %(password)s)")
                % {"password": DEMO_PASSWORD}
            )
            width = max(len(email) for email, _label, _secret in report.accounts)
            for email, label, secret in report.accounts:
                line = f"  {email.ljust(width)}  {label}"
                if secret:
                    line += "  " + _("(secret TOTP : %(secret)s)") % {"secret": secret}
                self.stdout.write(line)
            self.stdout.write(
                _(
                    "Les administrateurs, instructeurs et le secrétariat valident leur connexion "
                    "par un code à usage unique : `oathtool --totp -b SECRET` ou une application "
                    "d'authentification configurée avec ce secret."
                )
            )
            if not settings.DEBUG:
                self.stdout.write(
                    self.style.WARNING(_("Ne laissez pas ces comptes sur un site public."))
                )
        self.stdout.write(
            self.style.SUCCESS(
                _("Données de démonstration prêtes en %.1f s.") % (time.monotonic() - started)
            )
        )
