"""Demo of the committee's work on the portal: a past plenary session with its approved,
published minutes and a decision that changed the plan; an upcoming working-group session
with replies; a contribution written together, amended by two associations and now in its
signature round. Idempotent: a second run refreshes the same rows.

Past events are written directly (the services refuse dates in the past, by design); the
dates move with the day the demo is seeded.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from committee.contributions.drafting import full_text
from committee.contributions.drafting_models import (
    Amendment,
    Drafting,
    Section,
    Signature,
    SignatureRound,
    TextVersion,
)
from committee.contributions.models import Contribution
from committee.plan.models import Action, ActionUpdate
from committee.sessions.minutes import minutes_text
from committee.sessions.models import (
    AgendaItem,
    Attendance,
    Body,
    Decision,
    Minutes,
    MinutesEntry,
    MinutesVersion,
    Reply,
    Representative,
    Session,
)
from committee.sessions.services import bodies_ensure_defaults
from committee.sessions.texts import PARIS, day_text
from members.models import Membership, Organisation, User

PAST_TITLE = "Séance plénière d'automne"
UPCOMING_TITLE = "Groupe de travail « nouveaux usages » : l'ENT au collège"
CONTRIBUTION_SLUG = "pour-une-gouvernance-partagee-du-numerique-educatif"


def _paris(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS)


def _people(organisations: dict[str, Organisation]) -> dict[str, User]:
    """One member per organisation (the demo accounts first), the ministry's secretariat."""
    people = {}
    for acronym in ("AMF", "ADF", "AMRF", "RFVE", "AMGVF", "MEN"):
        membership = (
            Membership.objects.filter(organisation=organisations[acronym])
            .exclude(role=Membership.Role.ADMIN)
            .order_by("role", "pk")
            .select_related("user")
            .first()
        )
        if membership is not None:
            people[acronym] = membership.user
    secretariat = (
        Membership.objects.filter(role=Membership.Role.SECRETARIAT).select_related("user").first()
    )
    if secretariat is not None:
        people["MEN"] = secretariat.user
    return people


def _representatives(body: Body, people: dict[str, User], organisations) -> None:
    for acronym, user in people.items():
        if (
            Representative.objects.filter(user=user)
            .exclude(organisation=organisations[acronym])
            .exists()
        ):
            continue
        Representative.objects.get_or_create(
            body=body, user=user, defaults={"organisation": organisations[acronym]}
        )


def _session(body, title, *, start, hours, public, place, visio=""):
    session, _created = Session.objects.update_or_create(
        body=body,
        title=title,
        defaults={
            "starts_at": start,
            "ends_at": start + datetime.timedelta(hours=hours),
            "is_public": public,
            "place": place,
            "visio_url": visio,
            "status": Session.Status.CONVENED,
            "convened_at": start - datetime.timedelta(days=21),
        },
    )
    return session


def _agenda(session, items):
    rows = []
    for position, (title, closed, action) in enumerate(items, start=1):
        item, _created = AgendaItem.objects.update_or_create(
            session=session,
            position=position,
            defaults={"title": title, "is_closed": closed, "action": action},
        )
        rows.append(item)
    return rows


def past_session_seed(bodies, people, organisations) -> Session:
    plenary = bodies[0]
    _representatives(plenary, people, organisations)
    day = timezone.localdate() - datetime.timedelta(days=45)
    session = _session(
        plenary,
        PAST_TITLE,
        start=_paris(day, 9, 30),
        hours=3,
        public=True,
        place="Ministère de l'Éducation nationale, 110 rue de Grenelle, Paris 7e",
    )
    action = Action.objects.order_by("axis__number", "code").first()
    items = _agenda(
        session,
        [
            ("Point d'étape du plan d'action", False, action),
            ("Mutualisation des expériences territoriales", False, None),
            ("Budget des équipements 2027 (huis clos)", True, None),
        ],
    )
    for representative in plenary.representatives.all():
        Attendance.objects.update_or_create(
            session=session,
            user=representative.user,
            defaults={"organisation": representative.organisation, "status": "present"},
        )
    texts = [
        "Le secrétariat présente l'avancement des actions. Les partenaires demandent que "
        "l'action de recensement des équipements soit engagée sans attendre.",
        "Les associations présentent douze initiatives publiées au catalogue ; le comité "
        "souhaite un appel à partage d'expériences par axe.",
        "Échange sur les enveloppes des collectivités (point à huis clos).",
    ]
    minutes, _created = Minutes.objects.update_or_create(
        session=session,
        defaults={
            "status": Minutes.Status.APPROVED,
            "approved_at": session.ends_at + datetime.timedelta(days=15),
            "remarks_until": session.ends_at + datetime.timedelta(days=14),
            "approved_by": people.get("MEN"),
            "version": 2,
        },
    )
    entries = {}
    for item, text in zip(items, texts, strict=True):
        MinutesEntry.objects.update_or_create(
            minutes=minutes, agenda_item=item, defaults={"text": text}
        )
        entries[str(item.pk)] = text
    first_draft = dict(entries, **{str(items[1].pk): "Les associations présentent le catalogue."})
    for number, version in ((1, first_draft), (2, entries)):
        MinutesVersion.objects.update_or_create(
            minutes=minutes,
            number=number,
            defaults={
                "entries": version,
                "text": minutes_text(version, items),
                "author": people.get("MEN"),
            },
        )
    if action is not None:
        decision, _created = Decision.objects.update_or_create(
            agenda_item=items[0],
            text="Le comité engage l'action sans attendre : elle passe « en cours ».",
            defaults={
                "effect": Decision.Effect.UPDATE_ACTION,
                "action": action,
                "changes": {"status": Action.Status.IN_PROGRESS},
                "applied_at": minutes.approved_at,
            },
        )
        link = f"{settings.SITE_URL}{session.get_absolute_url()}#decision-{decision.pk}"
        note = (
            f"Décision de la séance « {session.title} » du {day_text(session.starts_at)} : "
            f"{decision.text} Procès-verbal : {link}"
        )
        if not ActionUpdate.objects.filter(action=action, text=note).exists():
            ActionUpdate.objects.create(
                action=action, author=people.get("MEN"), kind=ActionUpdate.Kind.NOTE, text=note
            )
        if action.status == Action.Status.PLANNED:
            Action.objects.filter(pk=action.pk).update(status=Action.Status.IN_PROGRESS)
    return session


def upcoming_session_seed(bodies, people, organisations) -> Session:
    group = next((b for b in bodies if b.axis_id and b.axis.number == 1), bodies[-1])
    _representatives(group, people, organisations)
    day = timezone.localdate() + datetime.timedelta(days=20)
    session = _session(
        group,
        UPCOMING_TITLE,
        start=_paris(day, 14),
        hours=2,
        public=True,
        place="Visioconférence",
        visio="https://webconf.numerique.gouv.fr/demo-comite-gt1",
    )
    _agenda(
        session,
        [
            ("Retours d'usage de l'ENT dans trois départements", False, None),
            ("Préparation d'une contribution sur les usages", False, None),
        ],
    )
    for acronym, answer in (("AMF", "present"), ("ADF", "present"), ("AMRF", "absent")):
        user = people.get(acronym)
        if user and group.representatives.filter(user=user).exists():
            Reply.objects.update_or_create(
                session=session,
                user=user,
                defaults={"organisation": organisations[acronym], "answer": answer},
            )
    return session


SECTIONS = [
    (
        "Constat",
        "Les collectivités financent l'essentiel des équipements numériques des écoles, "
        "des collèges et des lycées, sans instance commune pour en parler avec l'État.",
    ),
    (
        "Propositions",
        "Réunir chaque trimestre, dans chaque académie, les collectivités et les services "
        "de l'État autour d'une feuille de route commune.",
    ),
    (
        "Suivi",
        "Le comité des partenaires fait chaque année le point de ces instances.",
    ),
]


def contribution_round_seed(bodies, people, organisations) -> Drafting:
    plenary = bodies[0]
    contribution, _created = Contribution.objects.update_or_create(
        slug=CONTRIBUTION_SLUG,
        defaults={
            "title": "Pour une gouvernance partagée du numérique éducatif",
            "summary": "Une instance académique réunissant collectivités et État.",
            "status": Contribution.Status.DRAFT,
            "published_at": None,
        },
    )
    contribution.axes.set([plenary.axis] if plenary.axis else [])
    drafting, _created = Drafting.objects.update_or_create(
        contribution=contribution,
        defaults={"body": plenary, "status": Drafting.Status.SIGNING, "version": 2},
    )
    sections = []
    for position, (title, text) in enumerate(SECTIONS, start=1):
        section, _created = Section.objects.update_or_create(
            drafting=drafting, position=position, defaults={"title": title, "text": text}
        )
        sections.append(section)
    original = [{"id": s.pk, "title": s.title, "text": s.text} for s in sections]
    accepted_text = SECTIONS[1][1] + (
        "\n\nY associer les associations d'élus présentes dans l'académie."
    )
    Section.objects.filter(pk=sections[1].pk).update(text=accepted_text, version=2)
    amended = [dict(s) for s in original]
    amended[1]["text"] = accepted_text
    amf, adf = people.get("AMF"), people.get("ADF")
    amendment = None
    if amf and adf:
        amendment, _created = Amendment.objects.update_or_create(
            section=sections[1],
            organisation=organisations["AMF"],
            kind=Amendment.Kind.ADD_AFTER,
            defaults={
                "text": "Y associer les associations d'élus présentes dans l'académie.",
                "reason": "Les élus doivent siéger dans l'instance.",
                "author": amf,
                "base_version": 1,
                "base_text": SECTIONS[1][1],
                "status": Amendment.Status.ACCEPTED,
                "answer": "Retenu : l'instance associe les élus.",
                "decided_by": people.get("MEN"),
                "decided_at": timezone.now() - datetime.timedelta(days=5),
            },
        )
        Amendment.objects.update_or_create(
            section=sections[2],
            organisation=organisations["ADF"],
            kind=Amendment.Kind.REPLACE,
            defaults={
                "text": "Le comité fait le point de ces instances tous les six mois.",
                "reason": "Un rythme annuel est trop lent.",
                "author": adf,
                "base_version": 1,
                "base_text": SECTIONS[2][1],
                "status": Amendment.Status.REJECTED,
                "answer": "Le rythme annuel suit le calendrier budgétaire des collectivités.",
                "decided_by": people.get("MEN"),
                "decided_at": timezone.now() - datetime.timedelta(days=5),
            },
        )
    for number, state, note, source in (
        (1, original, "Texte initial", None),
        (2, amended, "Amendement de AMF accepté (section « Propositions »)", amendment),
    ):
        TextVersion.objects.update_or_create(
            drafting=drafting,
            number=number,
            defaults={
                "sections": state,
                "text": full_text(state),
                "note": note,
                "amendment": source,
            },
        )
    round_ = drafting.rounds.filter(status=SignatureRound.Status.OPEN).first()
    if round_ is None:
        round_ = SignatureRound.objects.create(
            drafting=drafting, version=2, deadline=timezone.now() + datetime.timedelta(days=12)
        )
    else:
        round_.deadline = timezone.now() + datetime.timedelta(days=12)
        round_.save(update_fields=["deadline"])
    members = (
        plenary.representatives.exclude(organisation__kind=Organisation.Kind.MINISTRY)
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    for organisation_id in members:
        Signature.objects.get_or_create(round=round_, organisation_id=organisation_id)
    admin = Membership.objects.filter(
        organisation=organisations["AMF"], role=Membership.Role.ADMIN
    ).first()
    if admin is not None:
        Signature.objects.filter(round=round_, organisation=organisations["AMF"]).update(
            choice=Signature.Choice.SIGNED,
            signed_by=admin.user,
            signed_at=timezone.now() - datetime.timedelta(days=1),
            statement="L'AMF soutient une gouvernance au plus près des territoires.",
        )
    return drafting


def governance_seed(*, organisations: dict[str, Organisation]) -> dict[str, int]:
    bodies = bodies_ensure_defaults()
    people = _people(organisations)
    past_session_seed(bodies, people, organisations)
    upcoming_session_seed(bodies, people, organisations)
    contribution_round_seed(bodies, people, organisations)
    return {
        "sessions": Session.objects.count(),
        "minutes_approved": Minutes.objects.filter(status=Minutes.Status.APPROVED).count(),
        "signature_rounds_open": SignatureRound.objects.filter(status="open").count(),
    }
