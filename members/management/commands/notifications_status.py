from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from members.models import FailingAddress, Notification
from members.notifications.delivery import resend, undelivered_sweep

Status = Notification.Status
LISTED = 50


class Command(BaseCommand):
    help = (
        "Liste les courriels de notification en attente et en échec ; --resend-failed les "
        "renvoie, --resend ID renvoie une notification, --sweep remet en file ceux qui "
        "auraient dû partir."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--resend-failed",
            action="store_true",
            help="Renvoyer tous les courriels en échec (abandon après plusieurs essais).",
        )
        parser.add_argument(
            "--resend",
            type=int,
            action="append",
            metavar="ID",
            default=[],
            help="Renvoyer la notification ID (option répétable).",
        )
        parser.add_argument(
            "--sweep",
            action="store_true",
            help="Remettre en file tout de suite les courriels qui auraient dû partir.",
        )

    def handle(self, *args, **options):
        emails = Notification.objects.filter(channel=Notification.Channel.EMAIL)
        if options["resend"]:
            known = set(emails.filter(pk__in=options["resend"]).values_list("pk", flat=True))
            missing = sorted(set(options["resend"]) - known)
            if missing:
                raise CommandError(f"Notification(s) inconnue(s) : {missing}")
            count = resend(known)
            self.stdout.write(f"{count} courriel(s) renvoyé(s).")
        if options["resend_failed"]:
            count = resend(emails.filter(status=Status.FAILED).values_list("pk", flat=True))
            self.stdout.write(f"{count} courriel(s) en échec renvoyé(s).")
        if options["sweep"]:
            result = undelivered_sweep()
            self.stdout.write(
                f"{result['found']} courriel(s) en retard, {result['queued']} remis en file."
            )
        self._report(emails)

    def _report(self, emails):
        counts = dict(
            emails.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
        )
        held = emails.filter(status=Status.PENDING).exclude(digest="").count()
        self.stdout.write(
            "Courriels : "
            + ", ".join(
                f"{label.lower()} {counts.get(value, 0)}" for value, label in Status.choices
            )
            + f" (dont {held} gardés pour un récapitulatif)"
        )
        problems = emails.filter(
            status__in=[Status.PENDING, Status.SENDING, Status.FAILED, Status.DEAD]
        ).filter(digest="")
        rows = problems.select_related("recipient").order_by("created_at", "pk")[:LISTED]
        if rows:
            self.stdout.write("")
            self.stdout.write("ID\tétat\tessais\tnature\tdestinataire\tcréée le\tdernière erreur")
        for row in rows:
            self.stdout.write(
                "\t".join(
                    [
                        str(row.pk),
                        row.status,
                        str(row.attempts),
                        row.kind,
                        row.address or "",
                        f"{row.created_at:%Y-%m-%d %H:%M}",
                        (row.last_error or "")[:100].replace("\n", " "),
                    ]
                )
            )
        blocked = FailingAddress.objects.filter(blocked_at__isnull=False).count()
        if blocked:
            self.stdout.write(
                f"\n{blocked} adresse(s) en échec : plus rien ne leur est envoyé "
                "(administration → Adresses en échec, supprimer pour réessayer)."
            )
