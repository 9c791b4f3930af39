"""Writing a contribution together: sections, amendments (replace, add after, delete) with a
reason, comments, decisions (accept, reject, merge) producing kept versions of the text, then
the signature round and the publication with the signatories.

Two decisions on one section at once: the section row is locked and its `version` compared
with the amendment's; the second decision is refused with a message and nothing is lost (the
amendment stays proposed; it can be merged by hand).
"""

from __future__ import annotations

import datetime
import difflib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from committee.contributions.drafting_models import (
    Amendment,
    AmendmentComment,
    Drafting,
    Section,
    Signature,
    SignatureRound,
    TextVersion,
)
from committee.contributions.models import Contribution
from committee.contributions.notifications import Kinds
from committee.sessions.services import require
from members.models import Membership, Organisation
from members.notifications.outbox import notification_queue
from members.permissions import Perm
from members.services import event_record

REMINDER_DAYS = (7, 2)  # days before the deadline


def full_text(sections) -> str:
    return "\n\n".join(f"## {s['title']}\n\n{s['text'].strip()}" for s in sections).strip() + "\n"


def _snapshot(drafting: Drafting, *, by, note: str, amendment=None) -> TextVersion:
    sections = [
        {"id": s.pk, "title": s.title, "text": s.text}
        for s in drafting.sections.order_by("position")
    ]
    drafting.version += 1
    drafting.save(update_fields=["version"])
    return TextVersion.objects.create(
        drafting=drafting,
        number=drafting.version,
        sections=sections,
        text=full_text(sections),
        note=note[:255],
        amendment=amendment,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )


@transaction.atomic
def drafting_start(
    *, by, contribution: Contribution, body, sections: list[tuple[str, str]], rapporteur=None
) -> Drafting:
    require(by, Perm.CONTRIBUTION_MANAGE)
    if hasattr(contribution, "drafting"):
        raise ValidationError(_("Cette contribution est déjà en rédaction."))
    if contribution.status == Contribution.Status.PUBLISHED:
        raise ValidationError(_("Une contribution publiée ne se rédige plus."))
    if not sections or any(not (title or "").strip() for title, _text in sections):
        raise ValidationError({"sections": _("Chaque section a un titre.")})
    drafting = Drafting.objects.create(contribution=contribution, body=body, rapporteur=rapporteur)
    for position, (title, text) in enumerate(sections, start=1):
        Section.objects.create(
            drafting=drafting, position=position, title=title.strip()[:255], text=text or ""
        )
    _snapshot(drafting, by=by, note=_("Texte initial"))
    return drafting


def _organisation_of(user, drafting: Drafting) -> Organisation:
    from committee.sessions.models import Representative

    representative = Representative.objects.filter(body_id=drafting.body_id, user=user).first()
    if representative is None:
        raise PermissionDenied(_("Vous ne représentez aucune organisation dans ce groupe."))
    return representative.organisation


@transaction.atomic
def amendment_propose(*, by, section: Section, kind: str, text: str, reason: str) -> Amendment:
    # Read afresh: a round may have opened since the section was loaded.
    drafting = Drafting.objects.select_for_update().get(pk=section.drafting_id)
    require(by, Perm.AMENDMENT_PROPOSE, drafting)
    errors = {}
    if kind not in Amendment.Kind.values:
        errors["kind"] = _("Choisissez la nature de l'amendement.")
    if kind != Amendment.Kind.DELETE and not (text or "").strip():
        errors["text"] = _("Écrivez le texte proposé.")
    if not (reason or "").strip():
        errors["reason"] = _("L'exposé des motifs est obligatoire.")
    if errors:
        raise ValidationError(errors)
    return Amendment.objects.create(
        section=section,
        kind=kind,
        text=(text or "").strip() if kind != Amendment.Kind.DELETE else "",
        reason=reason.strip(),
        author=by,
        organisation=_organisation_of(by, drafting),
        base_version=section.version,
        base_text=section.text,
    )


def amended_text(amendment: Amendment, current: str) -> str:
    if amendment.kind == Amendment.Kind.REPLACE:
        return amendment.text
    if amendment.kind == Amendment.Kind.ADD_AFTER:
        return f"{current.rstrip()}\n\n{amendment.text}".strip()
    return ""


def amendment_diff(amendment: Amendment) -> list[tuple[str, str]]:
    """The amendment against the section's current text: [(kind, line)]."""
    current = amendment.section.text
    lines = []
    for line in difflib.ndiff(current.splitlines(), amended_text(amendment, current).splitlines()):
        code, text = line[:2], line[2:]
        if code == "? ":
            continue
        lines.append(({"+ ": "added", "- ": "removed"}.get(code, "same"), text))
    return lines


def versions_diff(a: TextVersion, b: TextVersion) -> list[tuple[str, str]]:
    lines = []
    for line in difflib.ndiff(a.text.splitlines(), b.text.splitlines()):
        code, text = line[:2], line[2:]
        if code != "? ":
            lines.append(({"+ ": "added", "- ": "removed"}.get(code, "same"), text))
    return lines


@transaction.atomic
def amendment_comment(*, by, amendment: Amendment, text: str) -> AmendmentComment:
    require(by, Perm.DRAFTING_VIEW, amendment.section.drafting)
    if not (text or "").strip():
        raise ValidationError({"text": _("Le commentaire est vide.")})
    return AmendmentComment.objects.create(amendment=amendment, author=by, text=text.strip())


@transaction.atomic
def amendment_decide(
    *, by, amendment: Amendment, decision: str, answer: str, merged_text: str = ""
) -> Amendment:
    """Accept, reject or merge (with a text of one's own). Accepting or merging changes the
    section and makes a new version of the whole text."""
    drafting = Drafting.objects.select_for_update().get(pk=amendment.section.drafting_id)
    require(by, Perm.AMENDMENT_DECIDE, drafting)
    section = Section.objects.select_for_update().get(pk=amendment.section_id)
    current = Amendment.objects.select_for_update().get(pk=amendment.pk)
    if current.status != Amendment.Status.PROPOSED:
        raise ValidationError(
            _("Cet amendement a déjà été traité (%(status)s).")
            % {"status": current.get_status_display().lower()}
        )
    if decision not in {"accept", "reject", "merge"}:
        raise ValidationError({"decision": _("Décision inconnue.")})
    if not (answer or "").strip():
        raise ValidationError(
            {"answer": _("Répondez à l'organisation qui a proposé l'amendement.")}
        )
    if decision == "accept" and current.base_version != section.version:
        raise ValidationError(
            _(
                "La section « %(title)s » a changé depuis que cet amendement a été proposé "
                "(un autre amendement vient d'être retenu) : il reste proposé ; fusionnez-le "
                "avec le texte actuel ou rejetez-le."
            )
            % {"title": section.title}
        )
    if decision == "merge" and not (merged_text or "").strip():
        raise ValidationError({"merged_text": _("Écrivez le texte fusionné.")})
    current.status = {
        "accept": Amendment.Status.ACCEPTED,
        "reject": Amendment.Status.REJECTED,
        "merge": Amendment.Status.MERGED,
    }[decision]
    current.answer = answer.strip()
    current.decided_by = by
    current.decided_at = timezone.now()
    current.save(update_fields=["status", "answer", "decided_by", "decided_at"])
    if decision != "reject":
        section.text = amended_text(current, section.text) if decision == "accept" else merged_text
        section.version += 1
        section.save(update_fields=["text", "version"])
        note = _("Amendement de %(org)s %(how)s (section « %(title)s »)") % {
            "org": current.organisation.acronym,
            "how": _("accepté") if decision == "accept" else _("fusionné"),
            "title": section.title,
        }
        _snapshot(drafting, by=by, note=note, amendment=current)
    amendment.__dict__.update(
        status=current.status, answer=current.answer, decided_at=current.decided_at
    )
    return current


# --- signature round ------------------------------------------------------------------------


def _member_organisations(drafting: Drafting) -> list[Organisation]:
    from committee.sessions.models import Representative

    ids = (
        Representative.objects.filter(body_id=drafting.body_id)
        .exclude(organisation__kind=Organisation.Kind.MINISTRY)
        .values("organisation_id")
    )
    return list(Organisation.objects.filter(pk__in=ids).order_by("acronym"))


@transaction.atomic
def signature_round_open(*, by, drafting: Drafting, deadline: datetime.datetime) -> SignatureRound:
    """The text is final: each partner organisation of the group signs, abstains or declines
    before the deadline; the text no longer changes during the round."""
    require(by, Perm.CONTRIBUTION_MANAGE)
    given, drafting = drafting, Drafting.objects.select_for_update().get(pk=drafting.pk)
    if drafting.status != Drafting.Status.DRAFTING:
        raise ValidationError(_("Le texte n'est pas en rédaction."))
    if deadline is None or deadline <= timezone.now():
        raise ValidationError({"deadline": _("La date limite doit être à venir.")})
    if drafting.sections.filter(amendments__status=Amendment.Status.PROPOSED).exists():
        raise ValidationError(_("Des amendements attendent encore une décision."))
    organisations = _member_organisations(drafting)
    if not organisations:
        raise ValidationError(_("Aucune organisation partenaire n'est représentée dans le groupe."))
    round_ = SignatureRound.objects.create(
        drafting=drafting, version=drafting.version, deadline=deadline
    )
    Signature.objects.bulk_create(Signature(round=round_, organisation=o) for o in organisations)
    drafting.status = given.status = Drafting.Status.SIGNING
    drafting.save(update_fields=["status"])
    event_record(kind=Kinds.ROUND_OPENED, actor=by, target=round_)
    return round_


def _has_mfa(user) -> bool:
    from members.middleware import has_totp

    return has_totp(user)


@transaction.atomic
def signature_give(
    *, by, signature: Signature, choice: str, version: int, statement: str = ""
) -> Signature:
    """The organisation's admin answers in its name (with two-factor authentication). A
    signature after the deadline or on a text other than the one in the round is refused."""
    current = (
        Signature.objects.select_for_update()
        .select_related("round", "organisation")
        .get(pk=signature.pk)
    )
    round_ = current.round
    if round_.status != SignatureRound.Status.OPEN:
        raise ValidationError(_("Ce tour de signature est clos : le texte a pu changer."))
    if round_.deadline <= timezone.now():
        raise ValidationError(_("La date limite de signature est passée."))
    if version != round_.version:
        raise ValidationError(
            _("Le texte a changé depuis que vous l'avez lu : relisez la version %(n)s.")
            % {"n": round_.version}
        )
    require(by, Perm.CONTRIBUTION_SIGN, current)
    if not _has_mfa(by):
        raise PermissionDenied(
            _("Signer au nom de l'organisation demande la double authentification.")
        )
    if choice not in Signature.Choice.values:
        raise ValidationError({"choice": _("Choisissez : signer, s'abstenir ou refuser.")})
    current.choice = choice
    current.statement = (statement or "").strip()[:4000]
    current.signed_by = by
    current.signed_at = timezone.now()
    current.save(update_fields=["choice", "statement", "signed_by", "signed_at"])
    signature.__dict__.update(choice=current.choice, statement=current.statement)
    return current


@transaction.atomic
def drafting_reopen(*, by, drafting: Drafting, reason: str) -> Drafting:
    """An amendment after all: drafting reopens, the round's answers are void, and the
    organisations that had answered are told so."""
    require(by, Perm.CONTRIBUTION_MANAGE)
    drafting = Drafting.objects.select_for_update().get(pk=drafting.pk)
    if drafting.status != Drafting.Status.SIGNING:
        raise ValidationError(_("Aucun tour de signature n'est ouvert."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Dites aux signataires pourquoi le texte rouvre.")})
    round_ = drafting.rounds.get(status=SignatureRound.Status.OPEN)
    round_.status = SignatureRound.Status.VOIDED
    round_.closed_at = timezone.now()
    round_.save(update_fields=["status", "closed_at"])
    drafting.status = Drafting.Status.DRAFTING
    drafting.save(update_fields=["status"])
    event_record(kind=Kinds.ROUND_VOIDED, actor=by, target=round_, data={"reason": reason.strip()})
    return drafting


def signature_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Before the deadline (7 and 2 days), one reminder per organisation that has not
    answered, to its admins; once per organisation, reminder and person (delivery key)."""

    now = now or timezone.now()
    queued = 0
    rounds = SignatureRound.objects.filter(status=SignatureRound.Status.OPEN, deadline__gt=now)
    for round_ in rounds.select_related("drafting__contribution"):
        due = [d for d in REMINDER_DAYS if round_.deadline - datetime.timedelta(days=d) <= now]
        if not due:
            continue
        reminder = min(due)  # the latest one due; an earlier one missed is not sent late
        contribution = round_.drafting.contribution
        pending = round_.signatures.filter(choice="").select_related("organisation")
        for signature in pending:
            admins = Membership.objects.filter(
                organisation=signature.organisation, role=Membership.Role.ADMIN
            ).select_related("user")
            for membership in admins:
                key = (
                    f"signature:{round_.pk}:org{signature.organisation_id}:j-{reminder}"
                    f":u{membership.user_id}"
                )
                if notification_queue(
                    kind=Kinds.SIGNATURE_REMINDER,
                    delivery_key=key,
                    user=membership.user,
                    path=f"/espace/contributions/{contribution.pk}/",
                    data={
                        "title": contribution.title,
                        "organisation": signature.organisation.acronym,
                        "days": reminder,
                    },
                ):
                    queued += 1
    return queued


@transaction.atomic
def drafting_publish(*, by, drafting: Drafting) -> Contribution:
    """Close the round (deadline passed, or every organisation answered) and publish the
    final text with its signatories."""
    from committee.contributions.services import contribution_publish

    require(by, Perm.CONTRIBUTION_MANAGE)
    drafting = Drafting.objects.select_for_update().get(pk=drafting.pk)
    if drafting.status != Drafting.Status.SIGNING:
        raise ValidationError(_("La contribution n'est pas en signature."))
    round_ = drafting.rounds.get(status=SignatureRound.Status.OPEN)
    pending = round_.signatures.filter(choice="").exists()
    if pending and round_.deadline > timezone.now():
        raise ValidationError(
            _("Des organisations n'ont pas encore répondu et le tour est ouvert.")
        )
    if not round_.signatures.filter(choice=Signature.Choice.SIGNED).exists():
        raise ValidationError(
            _("Aucune organisation n'a signé : la contribution n'est pas publiée.")
        )
    round_.status = SignatureRound.Status.CLOSED
    round_.closed_at = timezone.now()
    round_.save(update_fields=["status", "closed_at"])
    final = drafting.versions.get(number=round_.version)
    contribution = drafting.contribution
    contribution.body = final.text
    contribution.save(update_fields=["body", "updated_at"])
    contribution.organisations.set(
        [s.organisation for s in round_.signatures.filter(choice=Signature.Choice.SIGNED)]
    )
    drafting.status = Drafting.Status.PUBLISHED
    drafting.save(update_fields=["status"])
    return contribution_publish(contribution=contribution, by=by)
