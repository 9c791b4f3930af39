"""A small published world for the browser tests: territories, initiatives, referentials,
the action plan and a contribution. Live-server tests run outside a transaction, so each test
builds it again (the database is emptied after each).

Also the people who log in through the login form: `staff_member` (a password, a verified
address, an authenticator app of their own) and `log_in_with_totp`."""

import base64
import datetime
import re
import secrets

from allauth.account.models import EmailAddress
from django.utils import timezone

from committee.contributions.models import Contribution
from committee.plan.models import Action
from initiatives.models import Initiative
from members.models import Membership
from tests import factories as f
from tests.mfa import give_totp, lasting_totp_code

PUBLISHED = Initiative.Status.PUBLISHED
PASSWORD = "mot-de-passe-solide-42"


def staff_member(organisation, role=Membership.Role.CONTRIBUTOR):
    """A member of `organisation` who logs in with a password and, when the role asks for
    it, the code of their authenticator app (`user.totp_secret`)."""
    user = f.MembershipFactory(organisation=organisation, role=role).user
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    # A secret of its own: its codes never collide with another test's "already used" marks.
    user.totp_secret = give_totp(user, secret=base64.b32encode(secrets.token_bytes(20)).decode())
    return user


def _clicker(click):
    return click or (lambda locator: locator.click())


def log_in_with_totp(page, user, *, click=None) -> None:
    """From any page of the portal: the header's "Se connecter", the login form, then the
    authenticator's code. `click` clicks a locator (a journey counting its clicks)."""
    _clicker(click)(page.get_by_role("link", name="Se connecter"))
    fill_login_form(page, user, click=click)
    enter_totp_code(page, user, click=click)


def fill_login_form(page, user, *, click=None) -> None:
    """On the login form (reached from the header, or sent there by a private page, which
    comes back after the login): the address and the password, then "Se connecter"."""
    page.get_by_label("Courriel").fill(user.email)
    page.get_by_role("textbox", name=re.compile(r"^Mot de passe")).fill(PASSWORD)
    _clicker(click)(page.get_by_role("button", name="Se connecter"))


def enter_totp_code(page, user, *, click=None) -> None:
    """On the second step of the login: the authenticator's code, one that stays valid long
    enough to be typed and checked in the same period (`lasting_totp_code`)."""
    page.locator("input[name=code]").fill(lasting_totp_code(user.totp_secret))
    _clicker(click)(page.get_by_role("button", name="Connexion"))


def build_world(association, other_association, ministry) -> dict:
    now = timezone.now()
    ara = f.RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    bre = f.RegionFactory(code="53", name="Bretagne", population=3_400_000)
    rhone = f.DepartmentFactory(code="69", name="Rhône", parent=ara)
    ain = f.DepartmentFactory(code="01", name="Ain", parent=ara, population=650_000)
    finistere = f.DepartmentFactory(code="29", name="Finistère", parent=bre, population=915_000)
    lyon = f.CommuneFactory(code="69123", name="Lyon", parent=rhone, population=520_000)
    villeurbanne = f.CommuneFactory(code="69266", name="Villeurbanne", parent=rhone)
    brest = f.CommuneFactory(code="29019", name="Brest", parent=finistere, population=140_000)

    crcn = f.ReferentialFactory(slug="crcn", version="2019", name="CRCN")
    domain = f.ReferentialItemFactory(
        referential=crcn, code="1", label="Information et données", position=1
    )
    competence = f.ReferentialItemFactory(
        referential=crcn,
        code="1.1",
        label="Mener une recherche et une veille d'information",
        parent=domain,
        depth=1,
        position=1,
    )

    def make(title, territory, *, axes=(1,), days=0, **fields):
        items = fields.pop("items", ())
        partners = fields.pop("partners", ())
        territories = fields.pop("territories", ())
        initiative = f.InitiativeFactory(
            title=title,
            lead_collectivity=territory,
            status=PUBLISHED,
            axes=[f.axis(n) for n in axes],
            published_at=now - datetime.timedelta(days=days),
            **fields,
        )
        initiative.referential_items.set(items)
        initiative.partners.set(partners)
        initiative.territories.set(territories)
        initiative.school_levels.set([f.school_level("college")])
        return initiative

    world = {"ara": ara, "bre": bre, "rhone": rhone, "lyon": lyon, "crcn": crcn}
    world["rhone_tablettes"] = make(
        "Tablettes numériques dans les collèges du Rhône",
        rhone,
        axes=(1, 5),
        lead_organisation=other_association,
        partners=[association],
        items=[competence],
        summary="Une tablette par élève de sixième et des enseignants formés à son usage.",
        description="Le département équipe les collèges publics.",
        days=1,
    )
    world["ain_tablettes"] = make(
        "Tablettes pour les collèges de l'Ain",
        ain,
        axes=(5,),
        lead_organisation=other_association,
        days=2,
    )
    world["brest"] = make(
        "Tablettes et robotique dans les écoles de Brest",
        brest,
        axes=(1, 3),
        lead_organisation=association,
        days=3,
    )
    world["lyon_ent"] = make(
        "Un ENT pour les écoles de Lyon",
        lyon,
        axes=(2,),
        lead_organisation=association,
        territories=[villeurbanne],
        summary="Un espace numérique de travail commun aux écoles de la ville.",
        description="Les familles et les enseignants partagent un même ENT.",
        days=4,
    )

    action = f.ActionFactory(
        code="A1.1",
        axis=f.axis(1),
        title="Recenser les usages innovants",
        status=Action.Status.IN_PROGRESS,
        progress=40,
        start_date=datetime.date(2024, 1, 1),
        due_date=datetime.date(2030, 12, 31),
    )
    action.lead_partners.set([association])
    action.initiatives.set([world["rhone_tablettes"]])
    f.MilestoneFactory(
        action=action,
        title="Questionnaire diffusé",
        due_date=datetime.date(2024, 3, 1),
        reached_on=datetime.date(2024, 2, 20),
        position=1,
    )
    f.MilestoneFactory(
        action=action, title="Guide publié", due_date=datetime.date(2099, 1, 1), position=2
    )
    world["action"] = action

    contribution = f.ContributionFactory(
        title="Pour un socle numérique dans chaque école",
        slug="socle-numerique-ecoles",
        summary="Le comité propose un socle commun d'équipement.",
        body="## Constat\n\nLes écoles sont **inégalement** équipées.",
        status=Contribution.Status.PUBLISHED,
        published_at=now - datetime.timedelta(days=10),
    )
    contribution.organisations.set([association, other_association])
    contribution.axes.set([f.axis(5)])
    world["contribution"] = contribution
    world["ministry"] = ministry
    return world
