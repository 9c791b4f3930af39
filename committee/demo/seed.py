"""Writes the demo data set. Every write is keyed on a natural key, so running it again
changes nothing: same rows, same primary keys."""

from __future__ import annotations

import datetime
import io
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from committee.axes import Axis
from committee.contributions.models import Contribution
from committee.demo import content as c
from committee.demo.governance import governance_seed
from committee.plan.models import Action, Milestone
from committee.plan.services.progress import action_progress_recompute
from committee.reference_data import reference_data_load, save, upsert
from initiatives.models import Initiative, SchoolLevel, StatusChange
from initiatives.workflow import TRANSITIONS
from members.models import Membership, Organisation, User
from members.services import demo_totp_setup
from referentials.models import Referential, ReferentialItem, Territory

# Published on purpose: these accounts exist only where DEMO_ACCOUNTS_ENABLED is on.
DEMO_PASSWORD = "demo-comite-2015"  # noqa: S105

S = Initiative.Status
UTC = datetime.UTC

# Transitions from draft to each status; `rounds` inserts a request for changes first.
PATHS = {
    S.DRAFT: [],
    S.SUBMITTED: ["submit"],
    S.IN_REVIEW: ["submit", "start_review"],
    S.CHANGES_REQUESTED: ["submit", "start_review", "request_changes"],
    S.PUBLISHED: ["submit", "start_review", "publish"],
    S.REJECTED: ["submit", "start_review", "reject"],
    S.ARCHIVED: ["submit", "start_review", "publish", "archive"],
}
# Days after the previous step, drawn from these ranges.
STEP_DELAYS = {
    "submit": (7, 30),
    "start_review": (1, 7),
    "request_changes": (3, 15),
    "publish": (2, 10),
    "reject": (3, 12),
    "archive": (700, 1200),
}
CATALOGUE_OPENED = datetime.date(2016, 1, 18)
IN_FLIGHT_FROM = datetime.date(2026, 9, 1)  # recent submissions still under review
LATEST = datetime.date(2026, 11, 15)


@dataclass
class DemoReport:
    counts: dict[str, int] = field(default_factory=dict)
    # (email, role label, TOTP secret or "")
    accounts: list[tuple[str, str, str]] = field(default_factory=list)
    accounts_refused: bool = False
    territories_loaded: bool = False


@transaction.atomic
def demo_seed(*, with_accounts: bool = True) -> DemoReport:
    """Create or refresh the demo data set.

    The reference data (organisations, axes, referentials) is loaded first, as
    `load_reference_data` does; the catalogue, the action plan and the contributions are
    examples. Demo accounts share a published password, so they are refused where
    `DEMO_ACCOUNTS_ENABLED` is off.
    """
    report = DemoReport()
    report.territories_loaded = territories_ensure()
    reference = reference_data_load(overwrite=True)
    organisations, axes, items = reference.organisations, reference.axes, reference.items
    if with_accounts and settings.DEMO_ACCOUNTS_ENABLED:
        users, report.accounts = accounts_seed(organisations=organisations)
    else:
        users = _existing_accounts()
    report.accounts_refused = with_accounts and not settings.DEMO_ACCOUNTS_ENABLED
    initiatives = initiatives_seed(organisations=organisations, axes=axes, items=items, users=users)
    actions_seed(organisations=organisations, axes=axes, initiatives=initiatives)
    contributions_seed(organisations=organisations, axes=axes)
    report.counts = _counts()
    report.counts.update(governance_seed(organisations=organisations))
    return report


def territories_ensure() -> bool:
    """The demo points at real INSEE codes: load the COG first if it is missing."""
    if Territory.objects.filter(level=Territory.Level.COMMUNE).exists():
        return False
    call_command("load_territories", verbosity=0, stdout=io.StringIO())
    return True


def accounts_seed(
    *, organisations: dict[str, Organisation]
) -> tuple[dict[str, User], list[tuple[str, str, str]]]:
    """One account per role (password DEMO_PASSWORD) and non-login authors for the others.

    Returns users keyed by role ("contributor", "admin", "reviewer", …) and by association
    acronym (the author of that association's initiatives), plus the printable list.
    """
    users: dict[str, User] = {}
    printable = []
    role_labels = dict(Membership.Role.choices)
    for local, first, last, acronym, role in c.ACCOUNTS:
        email = f"{local}@{c.DEMO_EMAIL_DOMAIN}"
        superuser = role == "superuser"
        user = _user(
            email=email, first_name=first, last_name=last, superuser=superuser, can_log_in=True
        )
        save(EmailAddress, {"user": user, "email": email}, {"verified": True, "primary": True})
        if acronym:
            save(Membership, {"user": user, "organisation": organisations[acronym]}, {"role": role})
            users.setdefault(acronym, user)
            label = f"{role_labels[role]} — {acronym}"
        else:
            label = _("Superutilisateur (administration du site)")
        users.setdefault(role, user)
        secret = c.TOTP_SECRETS.get(local, "")
        if secret:
            # Admins, officials and the superuser must pass the MFA gate.
            demo_totp_setup(user=user, secret=secret)
        printable.append((email, label, secret))
    for local, first, last, acronym in c.AUTHORS:
        user = _user(
            email=f"{local}@{c.DEMO_EMAIL_DOMAIN}",
            first_name=first,
            last_name=last,
            superuser=False,
            can_log_in=False,
        )
        save(
            Membership,
            {"user": user, "organisation": organisations[acronym]},
            {"role": Membership.Role.CONTRIBUTOR},
        )
        users.setdefault(acronym, user)
    return users, printable


def _existing_accounts() -> dict[str, User]:
    """Demo accounts left by an earlier run, so that skipping accounts keeps authorship."""
    users: dict[str, User] = {}
    emails = [f"{a[0]}@{c.DEMO_EMAIL_DOMAIN}" for a in (*c.ACCOUNTS, *c.AUTHORS)]
    memberships = Membership.objects.filter(user__email__in=emails).select_related(
        "user", "organisation"
    )
    by_email = {m.user.email: m for m in memberships}
    for local, *_names, acronym, role in c.ACCOUNTS:
        membership = by_email.get(f"{local}@{c.DEMO_EMAIL_DOMAIN}")
        if membership:
            users.setdefault(acronym, membership.user)
            users.setdefault(role, membership.user)
    for local, *_names, acronym in c.AUTHORS:
        membership = by_email.get(f"{local}@{c.DEMO_EMAIL_DOMAIN}")
        if membership:
            users.setdefault(acronym, membership.user)
    return users


def _user(*, email, first_name, last_name, superuser, can_log_in) -> User:
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "is_staff": superuser,
            "is_superuser": superuser,
        },
    )
    changed = created
    for attr, value in (
        ("first_name", first_name),
        ("last_name", last_name),
        ("is_staff", superuser),
        ("is_superuser", superuser),
        ("is_active", True),
    ):
        if getattr(user, attr) != value:
            setattr(user, attr, value)
            changed = True
    if can_log_in:
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            changed = True
    elif user.has_usable_password():
        user.set_unusable_password()
        changed = True
    if changed:
        user.save()
    return user


# --- Initiatives ------------------------------------------------------------------------------


def initiatives_seed(
    *,
    organisations: dict[str, Organisation],
    axes: dict[int, Axis],
    items: dict[str, ReferentialItem],
    users: dict[str, User],
) -> dict[str, Initiative]:
    levels = {level.code: level for level in SchoolLevel.objects.all()}
    leads = _lead_collectivities()
    initiatives = {}
    for data in c.INITIATIVES:
        territory = leads[data["lead"]]
        creator = users.get(data["org"])
        history = _history(data, creator=creator, users=users)
        theme = c.THEMES[data["theme"]]
        start = datetime.date(*data["start"], 1)
        created_at = _created_at(data, history)
        initiative, created, changed = upsert(
            Initiative,
            {"slug": data["slug"]},
            {
                "title": data["title"],
                "summary": data["summary"],
                "description": _description(data, theme),
                "outcomes": _outcomes(data, theme),
                "lead_organisation": organisations[data["org"]],
                "lead_collectivity": territory,
                "start_date": start,
                "end_date": _add_months(start, data["months"]) - datetime.timedelta(days=1),
                "budget": Decimal(data["budget"]),
                "funding_sources": _funding(data, territory.level),
                "schools_reached": data["schools"],
                "pupils_reached": data["pupils"],
                **_contact(data),
                "status": data["status"],
                "created_by": creator,
                "assignee": users.get("reviewer") if len(history) > 1 else None,
                "status_changed_at": history[-1]["at"] if history else None,
                "submitted_at": _last(history, S.SUBMITTED),
                "published_at": _last(history, S.PUBLISHED),
            },
        )
        if created:
            # One history entry, dated and signed like the creation it records, instead of
            # one per save and per many-to-many field.
            initiative.skip_history_when_saving = True
        if changed:
            initiative.save()
        initiative.territories.set([territory])
        initiative.partners.set([organisations[a] for a in data["partners"]])
        initiative.axes.set([axes[n] for n in data.get("axes", theme["axes"])])
        initiative.school_levels.set([levels[code] for code in data["levels"]])
        codes = [*theme["items"], *data.get("extra_items", [])]
        initiative.referential_items.set([items[code] for code in codes])
        if created:
            del initiative.skip_history_when_saving
            _creation_history(initiative, at=created_at, by=creator)
        _status_history_sync(initiative, history)
        updated_at = history[-1]["at"] if history else created_at
        if (initiative.created_at, initiative.updated_at) != (created_at, updated_at):
            Initiative.objects.filter(pk=initiative.pk).update(
                created_at=created_at, updated_at=updated_at
            )
        initiatives[data["slug"]] = initiative
    return initiatives


def _creation_history(initiative: Initiative, *, at, by) -> None:
    """Record the creation in the initiative's change history, if the model keeps one."""
    history = getattr(initiative, "history", None)
    if history is None:
        return
    initiative._history_date = at
    initiative._history_user = by
    initiative.save()
    latest = history.order_by("-history_id").first()
    if latest is not None:
        type(latest).objects.filter(pk=latest.pk).update(history_type="+")


def _lead_collectivities() -> dict[tuple[str, str], Territory]:
    wanted = {data["lead"] for data in c.INITIATIVES}
    found = {}
    for level in {level for level, _code in wanted}:
        codes = [code for lvl, code in wanted if lvl == level]
        for territory in Territory.objects.filter(level=level, code__in=codes):
            found[(territory.level, territory.code)] = territory
    missing = wanted - found.keys()
    if missing:
        raise LookupError(f"Territoires absents du COG chargé : {sorted(missing)}")
    return found


def _history(data, *, creator, users) -> list[dict]:
    """The status changes leading to the initiative's status, with plausible dates."""
    rng = random.Random(data["slug"])  # noqa: S311 - demo dates, not secrets
    names = list(PATHS[data["status"]])
    if data.get("rounds"):
        names = ["submit", "start_review", "request_changes", *names]
    if not names:
        return []
    start = datetime.date(*data["start"], 1)
    if data["status"] in (S.SUBMITTED, S.IN_REVIEW, S.CHANGES_REQUESTED):
        day = IN_FLIGHT_FROM + datetime.timedelta(days=rng.randint(0, 40))
    else:
        day = max(start + datetime.timedelta(days=rng.randint(60, 300)), CATALOGUE_OPENED)
        day = min(day, datetime.date(2026, 5, 1))
    history = []
    status = S.DRAFT
    for index, name in enumerate(names):
        transition = TRANSITIONS[name]
        if status not in transition.sources:  # pragma: no cover - guards the PATHS table
            raise ValueError(f"{data['slug']}: {name} impossible depuis {status}")
        if index:
            low, high = STEP_DELAYS[name]
            day += datetime.timedelta(days=rng.randint(low, high))
        day = min(day, LATEST)
        if name == "submit":
            by = creator
        elif name == "archive":
            by = users.get("secretariat")
        else:
            by = users.get("reviewer")
        history.append(
            {
                "from_status": status,
                "to_status": transition.target,
                "by": by,
                "at": _at(day, rng),
                "comment": _comment(data, name, last=index == len(names) - 1),
            }
        )
        status = transition.target
    # Same-day steps must still be in order.
    for previous, current in zip(history, history[1:], strict=False):
        if current["at"] <= previous["at"]:
            current["at"] = previous["at"] + datetime.timedelta(hours=2)
    return history


def _comment(data, name, *, last: bool) -> str:
    if name in ("request_changes", "reject") and last:
        return data["comment"]
    if name == "request_changes":
        return c.REVIEW_COMMENTS["request_changes"]
    if name == "publish":
        return c.REVIEW_COMMENTS["publish"]
    return ""


def _at(day: datetime.date, rng: random.Random) -> datetime.datetime:
    moment = datetime.datetime.combine(
        day, datetime.time(rng.randint(7, 16), rng.choice((0, 10, 15, 20, 30, 40, 45, 50)))
    ).replace(tzinfo=UTC)
    return min(moment, timezone.now() - datetime.timedelta(hours=1))


def _last(history, status) -> datetime.datetime | None:
    moments = [step["at"] for step in history if step["to_status"] == status]
    return moments[-1] if moments else None


def _created_at(data, history) -> datetime.datetime:
    rng = random.Random(f"created:{data['slug']}")  # noqa: S311
    if history:
        return history[0]["at"] - datetime.timedelta(days=rng.randint(3, 30), hours=3)
    day = IN_FLIGHT_FROM + datetime.timedelta(days=rng.randint(20, 70))
    return _at(day, rng)


def _status_history_sync(initiative: Initiative, history: list[dict]) -> None:
    """Keep existing rows (and their keys) when they already tell the same story."""
    existing = list(initiative.status_changes.order_by("at", "pk"))
    same_story = [(s.from_status, s.to_status) for s in existing] == [
        (h["from_status"], h["to_status"]) for h in history
    ]
    if not same_story:
        initiative.status_changes.all().delete()
        existing = [
            StatusChange.objects.create(
                initiative=initiative,
                from_status=h["from_status"],
                to_status=h["to_status"],
                by=h["by"],
                comment=h["comment"],
            )
            for h in history
        ]
    for change, step in zip(existing, history, strict=True):
        if (change.at, change.by_id, change.comment) != (
            step["at"],
            step["by"].pk if step["by"] else None,
            step["comment"],
        ):
            # `at` is auto_now_add: only an UPDATE can backdate it.
            StatusChange.objects.filter(pk=change.pk).update(
                at=step["at"], by=step["by"], comment=step["comment"]
            )


def _description(data, theme) -> str:
    level = data["lead"][0]
    partners = [c.IN_TEXT[a] for a in data["partners"]]
    with_whom = "Le projet est conduit avec les équipes éducatives"
    if partners:
        with_whom = "Le projet associe " + _join(partners) + " aux équipes éducatives"
    if "MEN" not in data["partners"]:
        with_whom += " et aux services de l'académie" if partners else " et l'académie"
    return (
        f"{data['summary']}\n\n"
        f"## Contexte\n\n{c.LEVEL_CONTEXT[level].format(who=data['who'])}\n\n"
        f"## Démarche\n\n{theme['demarche']}\n\n"
        f"## Partenaires\n\n{with_whom}.\n"
    )


def _outcomes(data, theme) -> str:
    """Results are told once there are some: for published and archived initiatives."""
    if data["status"] not in (S.PUBLISHED, S.ARCHIVED):
        return ""
    return theme["outcomes"].format(
        schools=_number(data["schools"]), pupils=_number(data["pupils"])
    )


def _funding(data, level: str) -> str:
    year = data["start"][0]
    parts = [
        {
            "commune": "Budget communal (investissement)",
            "epci": "Budget intercommunal",
            "department": "Budget départemental",
            "region": "Budget régional",
        }[level]
    ]
    theme = data["theme"]
    if level in ("commune", "epci") and 2021 <= year <= 2022 and "elementaire" in data["levels"]:
        parts.append(
            "Appel à projets pour un socle numérique dans les écoles élémentaires (plan de relance)"
        )
    if level == "department" and 2016 <= year <= 2018 and theme in ("mobiles", "ent"):
        parts.append("Plan numérique pour l'éducation (cofinancement de l'État)")
    if level == "commune" and theme in ("connectivite", "classe", "mobiles") and year >= 2017:
        parts.append("Dotation de soutien à l'investissement local (DSIL)")
    if level == "region" and theme in ("connectivite", "mobiles", "sobriete"):
        parts.append("Fonds européen de développement régional (FEDER)")
    if "CDC" in data["partners"]:
        parts.append("Banque des Territoires (Caisse des dépôts)")
    return " ; ".join(parts)


CONTACT_NAMES = [
    "Hélène Dumas",
    "Yannick Le Gall",
    "Fatou Diallo",
    "Pierre-Antoine Roux",
    "Marion Lemaire",
    "Sébastien Vidal",
    "Aurélie Chevalier",
    "Olivier Colin",
]


def _contact(data) -> dict:
    if not data.get("contact"):
        return {
            "contact_name": "",
            "contact_email": "",
            "contact_phone": "",
            "contact_consent": False,
        }
    rng = random.Random(f"contact:{data['slug']}")  # noqa: S311
    # 01 99 00 xx xx is a range reserved for fiction: nobody's real number.
    return {
        "contact_name": rng.choice(CONTACT_NAMES) + ", chargé(e) de mission numérique éducatif",
        "contact_email": f"{data['slug'][:40]}@{c.DEMO_EMAIL_DOMAIN}",
        "contact_phone": f"01 99 00 {rng.randint(10, 99)} {rng.randint(10, 99)}",
        "contact_consent": True,
    }


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]


def _number(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)


# --- Action plan and contributions ------------------------------------------------------------


def actions_seed(
    *,
    organisations: dict[str, Organisation],
    axes: dict[int, Axis],
    initiatives: dict[str, Initiative],
) -> None:
    for data in c.ACTIONS:
        action = save(
            Action,
            {"code": data["code"]},
            {
                "axis": axes[data["axis"]],
                "title": data["title"],
                "objective": data["objective"],
                "status": data["status"],
                "start_date": data["start"],
                "due_date": data["due"],
            },
        )
        action.lead_partners.set([organisations[a] for a in data["leads"]])
        action.initiatives.set(
            [
                initiatives[slug]
                for slug in data["initiatives"]
                if initiatives[slug].status == S.PUBLISHED
            ]
        )
        for position, (title, due, reached) in enumerate(data["milestones"]):
            save(
                Milestone,
                {"action": action, "position": position},
                {"title": title, "due_date": due, "reached_on": reached},
            )
        action.milestones.filter(position__gte=len(data["milestones"])).delete()
        # Progress is derived from milestones and indicators, never typed.
        action_progress_recompute(action=action)


def contributions_seed(*, organisations: dict[str, Organisation], axes: dict[int, Axis]) -> None:
    for data in c.CONTRIBUTIONS:
        contribution = save(
            Contribution,
            {"slug": data["slug"]},
            {
                "title": data["title"],
                "summary": data["summary"],
                "body": data["body"],
                "status": data["status"],
                "published_at": data["published_at"],
            },
        )
        contribution.axes.set([axes[n] for n in data["axes"]])
        contribution.organisations.set([organisations[a] for a in data["organisations"]])


def _counts() -> dict[str, int]:
    by_status = Counter(
        Initiative.objects.filter(slug__in=[d["slug"] for d in c.INITIATIVES]).values_list(
            "status", flat=True
        )
    )
    return {
        "organisations": Organisation.objects.count(),
        "axes": Axis.objects.count(),
        "referentials": Referential.objects.values("slug").distinct().count(),
        "referential_versions": Referential.objects.count(),
        "referential_items": ReferentialItem.objects.count(),
        "initiatives": sum(by_status.values()),
        **{f"initiatives_{status}": by_status.get(status, 0) for status in S.values},
        "status_changes": StatusChange.objects.filter(
            initiative__slug__in=[d["slug"] for d in c.INITIATIVES]
        ).count(),
        "actions": Action.objects.count(),
        "milestones": Milestone.objects.count(),
        "contributions": Contribution.objects.count(),
    }
