from django.core.management.base import BaseCommand

from members.services import inactive_accounts_sweep


class Command(BaseCommand):
    help = (
        "Prévient les comptes inactifs depuis INACTIVITY_WARNING_DAYS jours et anonymise "
        "ceux qui le sont restés INACTIVITY_GRACE_DAYS jours après l'avertissement."
    )

    def handle(self, *args, **options):
        result = inactive_accounts_sweep()
        self.stdout.write(
            f"{result['warned']} compte(s) prévenu(s), {result['anonymised']} anonymisé(s), "
            f"{result['forgiven']} revenu(s) depuis l'avertissement."
        )
