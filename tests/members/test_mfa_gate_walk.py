"""The MFA gate is deny-by-default: every URL pattern of the project, walked with users whose
role requires MFA but who never set it up, gives nothing private.

Each pattern is filled with real objects' identifiers (drafts, submitted initiatives, private
documents, draft contributions, reports…) and requested with GET and POST. A gated user's
answer is acceptable only if it is a refusal (the TOTP setup page, or a 4xx), or the very
answer an anonymous visitor gets — and no answer may carry any private marker.
"""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone

from committee.contributions.models import Contribution, ContributionDocument
from committee.reports.models import Report
from committee.sessions.models import Body, Session, SessionDocument
from initiatives.models import Document, Initiative
from members.middleware import AUTHENTICATION_VIEWS, PUBLIC_VIEWS, gate_decision
from members.models import Membership
from referentials.hierarchy import territory_slug
from tests import factories as f
from tests.mfa import give_totp
from tests.url_walk import concrete_paths, url_patterns, view_names

# Walks every URL pattern: left out of `make test-fast`, run by `make test`.
pytestmark = [pytest.mark.django_db, pytest.mark.walk]

SETUP = "/comptes/2fa/totp/activate/"
SECRET = "SECRET-PRIVE-7Q"
PDF = b"%PDF-1.4\n" + SECRET.encode() + b"\n%%EOF\n"
PUBLIC_PDF = b"%PDF-1.4\npublic\n%%EOF\n"
REFUSED = {400, 401, 403, 404, 405, 409, 410}
WALKED: dict[str, int] = {}


def _document(initiative, *, public=True):
    visible = public and initiative.status == Initiative.Status.PUBLISHED
    data = PUBLIC_PDF if visible else PDF
    return Document.objects.create(
        initiative=initiative,
        title="Pièce publique" if visible else f"Pièce {SECRET}",
        file=ContentFile(data, name="piece.pdf"),
        original_name="piece.pdf",
        content_type="application/pdf",
        size=len(data),
        is_public=public,
    )


def _sessions(closed_title: str):
    """A public session and a closed one (with a private marker), each with a document."""
    body = Body.objects.create(name="Comité plénier", slug="pleniere", kind=Body.Kind.PLENARY)
    start = timezone.now() + datetime.timedelta(days=10)
    sessions, documents = [], []
    for title, public in (("Séance publique", True), (closed_title, False)):
        session = Session.objects.create(
            body=body,
            title=title,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            is_public=public,
            status=Session.Status.CONVENED,
            convened_at=timezone.now(),
        )
        data = PUBLIC_PDF if public else PDF
        documents.append(
            SessionDocument.objects.create(
                session=session,
                title="Ordre du jour",
                file=ContentFile(data, name="odj.pdf"),
                original_name="odj.pdf",
                content_type="application/pdf",
                size=len(data),
            )
        )
        sessions.append(session)
    return sessions, documents


@pytest.fixture
def world(association, other_association, ministry):
    S = Initiative.Status
    draft = f.InitiativeFactory(lead_organisation=association, title=f"Brouillon {SECRET}")
    submitted = f.InitiativeFactory(
        lead_organisation=other_association, status=S.SUBMITTED, title=f"Soumise {SECRET}"
    )
    published = f.InitiativeFactory(lead_organisation=association, status=S.PUBLISHED)
    documents = [
        _document(draft),
        _document(submitted),
        _document(published, public=False),
        _document(published, public=True),
    ]
    draft_contribution = f.ContributionFactory(title=f"Contribution {SECRET}")
    published_contribution = f.ContributionFactory(
        status=Contribution.Status.PUBLISHED, published_at=timezone.now()
    )
    contribution_documents = [
        ContributionDocument.objects.create(
            contribution=contribution,
            title=f"Annexe {SECRET}" if data is PDF else "Annexe publique",
            file=ContentFile(data, name="annexe.pdf"),
            original_name="annexe.pdf",
            content_type="application/pdf",
            size=len(data),
        )
        for contribution, data in ((draft_contribution, PDF), (published_contribution, PUBLIC_PDF))
    ]
    milestone = f.MilestoneFactory()
    sessions, session_documents = _sessions(f"Séance {SECRET}")
    department = f.DepartmentFactory()
    report = Report.objects.create(
        kind=Report.Kind.INITIATIVES_XLSX,
        status=Report.Status.DONE,
        finished_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(days=1),
        file=ContentFile(PDF, name="rapport.xlsx"),
    )
    return {
        "ints": list(
            dict.fromkeys(
                [
                    *(d.pk for d in documents),
                    *(d.pk for d in contribution_documents),
                    draft.pk,
                    submitted.pk,
                    published.pk,
                    draft_contribution.pk,
                    milestone.pk,
                    milestone.action.pk,
                    report.pk,
                    *(session.pk for session in sessions),
                    *(document.pk for document in session_documents),
                    *Membership.objects.values_list("pk", flat=True),
                ]
            )
        ),
        "slugs": [
            territory_slug(department),  # first: /territoires/<level>/<slug>/ has two slots
            draft.slug,
            submitted.slug,
            published.slug,
            draft_contribution.slug,
            published_contribution.slug,
            association.slug,
        ],
        "strings": ["jeton-inconnu"],
    }


def _body(response) -> bytes:
    """The body; reading a streamed one to the end also closes it (and its file)."""
    if getattr(response, "streaming", False):
        response.content_read = b"".join(response.streaming_content)
        return response.content_read
    return response.content


def _answer(client, method, path):
    response = getattr(client, method)(path)
    _body(response)
    return response


def _verdict(gated, anonymous_answer, path) -> str | None:
    """None when the gated answer reveals nothing, else why it does."""
    body = getattr(gated, "content_read", None) or _body(gated)
    if SECRET.encode() in body:
        return "private marker in the answer"
    if gated.status_code in (301, 302) and gated["Location"] == SETUP:
        return None
    if gated.status_code in REFUSED:
        return None
    decision = gate_decision(path)
    if decision == "authentication":
        return None
    anonymous = anonymous_answer()
    if gated.status_code == anonymous.status_code and (
        gated.status_code not in (301, 302) or gated["Location"] == anonymous["Location"]
    ):
        return None
    return f"{gated.status_code} where an anonymous visitor gets {anonymous.status_code}"


@pytest.fixture(params=["association_admin", "reviewer", "secretariat", "staff"])
def gated_user(request):
    if request.param == "staff":
        return f.UserFactory(is_staff=True, is_superuser=True)
    return request.getfixturevalue(request.param)


def test_every_url_pattern_refuses_or_answers_as_to_an_anonymous_visitor(world, gated_user):
    gated = Client(raise_request_exception=False)
    gated.force_login(gated_user)
    anonymous = Client(raise_request_exception=False)
    tried, failures, patterns = 0, [], 0
    for pieces, _pattern in url_patterns():
        patterns += 1
        # The admin is refused as a whole: one object per admin pattern is enough.
        limit = 1 if str(pieces[0]) == "admin/" else 8
        for path, _kwargs in concrete_paths(pieces, world, limit=limit):
            try:
                resolve(path)
            except Resolver404:
                continue
            for method in ("get", "post"):
                tried += 1
                answer = _answer(gated, method, path)
                reference = lambda: _answer(anonymous, method, path)  # noqa: B023, E731
                if (why := _verdict(answer, reference, path)) is not None:
                    failures.append(f"{method.upper()} {path}: {why}")
    WALKED[gated_user.email] = tried
    print(f"MFA gate walk: {patterns} URL patterns, {tried} requests, {len(failures)} private")
    assert patterns > 100
    assert tried > 1000
    assert failures == []


def test_the_same_walk_lets_users_with_totp_reach_private_pages(world, secretariat):
    """The walk is able to see a private answer: with TOTP, the secretariat does."""
    give_totp(secretariat)
    client = Client(raise_request_exception=False)
    client.force_login(secretariat)
    document = ContributionDocument.objects.get(contribution__status=Contribution.Status.DRAFT)
    path = f"/contributions/{document.contribution.slug}/documents/{document.pk}/"
    response = client.get(path)
    assert response.status_code == 200
    assert SECRET.encode() in _body(response)


@pytest.mark.parametrize("who", ["reviewer", "association_admin"])
def test_private_initiative_documents_are_not_served_without_mfa(client, world, who, request):
    user = request.getfixturevalue(who)
    client.force_login(user)
    for document in Document.objects.exclude(initiative__status=Initiative.Status.PUBLISHED):
        response = client.get(f"/initiatives/documents/{document.pk}/")
        assert response.status_code == 404
        response = client.get(f"/espace/documents/{document.pk}/")
        assert response.status_code == 302 and response["Location"] == SETUP


def test_draft_contribution_documents_are_not_served_to_the_secretariat_without_mfa(
    client, world, secretariat
):
    client.force_login(secretariat)
    document = ContributionDocument.objects.get(contribution__status=Contribution.Status.DRAFT)
    response = client.get(f"/contributions/{document.contribution.slug}/documents/{document.pk}/")
    assert response.status_code == 404
    assert SECRET.encode() not in _body(response)


def test_public_pages_offer_the_setup_and_logout_to_a_gated_user(client, reviewer):
    client.force_login(reviewer)
    response = client.get("/")
    assert response.status_code == 200
    assert SETUP.encode() in response.content
    assert b"/comptes/logout/" in response.content


def test_authentication_and_public_views_are_all_real_url_names():
    names = set(view_names())
    assert names >= AUTHENTICATION_VIEWS, AUTHENTICATION_VIEWS - names
    assert names >= PUBLIC_VIEWS, PUBLIC_VIEWS - names


# Pages an anonymous visitor can open that a gated user is still sent to the setup from, each
# with its reason. Any other page open to anyone is public for the gate too.
NOT_PUBLIC_FOR_THE_GATE = {
    # One person's calendar behind a secret token: read by their calendar app (no session
    # cookie, so no gate); in the browser of its owner, the setup comes first.
    "sessions_personal_feed": "a person's own calendar",
    # An invitation names the person invited: accepting it is an account step, not a page.
    "members:invitation": "an invitation to join an organisation",
    # The demo's mailbox (development only, never routed in production).
    "dev_mailbox": "development only",
    # The workspace's address of a document; the public one (initiatives:document) is let
    # through, with the same rule.
    "workspace:document": "the workspace's address of a public document",
    # Creating an account: a logged-in person has one already.
    "account_signup": "account creation",
}


def test_every_page_open_to_anonymous_visitors_is_public_for_the_gate(world):
    """The gate is deny-by-default: a new public page is closed to gated users until it is
    added to PUBLIC_VIEWS. This walk finds such omissions: every pattern that answers 200 to
    an anonymous visitor must be public (or an authentication step) for the gate."""
    anonymous = Client(raise_request_exception=False)
    open_to_all, missing = set(), []
    for pieces, _pattern in url_patterns():
        if str(pieces[0]) == "admin/":
            continue
        # Every object of the world is tried (its primary keys depend on the tests run
        # before): the first that answers 200 stands for the pattern.
        for path, _kwargs in concrete_paths(pieces, world, limit=len(world["ints"]) + 8):
            try:
                match = resolve(path)
            except Resolver404:
                continue
            if _answer(anonymous, "get", path).status_code != 200:
                continue
            open_to_all.add(match.view_name)
            if match.view_name in NOT_PUBLIC_FOR_THE_GATE:
                continue
            if gate_decision(path) == "deny":
                missing.append(f"{path} ({match.view_name})")
            break
    print(f"Open to anonymous visitors: {len(open_to_all)} views")
    assert {"sessions", "session_detail", "territory", "sitemap_page"} <= open_to_all
    assert missing == []
