"""Every view, every HTTP method, odd charsets: never a 500, and a 400 is the portal's own
French page (never Django's English one).

Once, `OPTIONS /api/docs/` answered 500, and so did any form POST declaring
`charset=latin-1`, `utf-16` or an unknown charset with a valid CSRF token (Django's default 400
view read the body again and failed again).
"""

import pytest
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone

from committee.contributions.models import Contribution
from initiatives.models import Initiative
from members.models import Membership
from tests import factories as f
from tests.mfa import give_totp
from tests.url_walk import concrete_paths, url_patterns

# Walks every URL pattern: left out of `make test-fast`, run by `make test`.
pytestmark = [pytest.mark.django_db, pytest.mark.walk]

METHODS = ("get", "head", "post", "put", "patch", "delete", "options", "trace")
CHARSETS = ("latin-1", "utf-16", "x-inconnu", "utf-8")
WALKED: dict[str, int] = {}


@pytest.fixture
def world(association, ministry):
    S = Initiative.Status
    draft = f.InitiativeFactory(lead_organisation=association)
    published = f.InitiativeFactory(
        lead_organisation=association, status=S.PUBLISHED, published_at=timezone.now()
    )
    contribution = f.ContributionFactory(
        status=Contribution.Status.PUBLISHED, published_at=timezone.now()
    )
    milestone = f.MilestoneFactory()
    return {
        "ints": [str(pk) for pk in dict.fromkeys([draft.pk, published.pk, milestone.pk])],
        "slugs": [published.slug, contribution.slug, association.slug],
        "strings": ["jeton-inconnu"],
    }


@pytest.fixture
def official(ministry):
    user = f.UserFactory(is_staff=True, is_superuser=True)
    f.MembershipFactory(user=user, organisation=ministry, role=Membership.Role.SECRETARIAT)
    give_totp(user)
    return user


def _csrf_client(user=None):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    client.get("/")  # sets the CSRF cookie
    return client, client.cookies["csrftoken"].value


def _read(response):
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
        return b""
    return response.content


def _problem(response, path) -> str | None:
    body = _read(response)
    if response.status_code >= 500:
        return f"{response.status_code}"
    html = response.get("Content-Type", "").startswith("text/html")
    if (
        response.status_code == 400
        and html
        and (b"Bad Request" in body or b'lang="fr"' not in body)
    ):
        return "400 without a French page of the portal"
    return None


@pytest.mark.parametrize("who", ["anonymous", "official"])
def test_every_view_with_every_method_and_odd_charsets_never_fails(world, who, request):
    user = request.getfixturevalue("official") if who == "official" else None
    client, token = _csrf_client(user)
    tried, problems = 0, []
    for pieces, _pattern in url_patterns():
        if user is None and str(pieces[0]) == "admin/":
            continue  # anonymous visitors are sent to the login page, as for /admin/ itself
        for path, _values in concrete_paths(pieces, world, limit=1):
            try:
                resolve(path)
            except Resolver404:
                continue
            if path.startswith("/comptes/logout/"):
                continue  # the walk keeps its session
            for method in METHODS:
                tried += 1
                response = getattr(client, method)(path, HTTP_X_CSRFTOKEN=token)
                if (why := _problem(response, path)) is not None:
                    problems.append(f"{method.upper()} {path}: {why}")
            for charset in CHARSETS:
                tried += 1
                body = f"csrfmiddlewaretoken={token}&q=%E9t%E9&email=a%40b.fr"
                response = client.generic(
                    "POST",
                    path,
                    body.encode("utf-16" if charset == "utf-16" else "latin-1"),
                    content_type=f"application/x-www-form-urlencoded; charset={charset}",
                    HTTP_X_CSRFTOKEN=token,
                )
                if (why := _problem(response, path)) is not None:
                    problems.append(f"POST {charset} {path}: {why}")
    WALKED[who] = tried
    print(f"fuzz ({who}): {tried} requests, {len(problems)} failures")
    assert tried > 1000
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("charset", ["latin-1", "utf-16", "x-inconnu"])
def test_a_form_post_in_another_charset_gets_the_french_400_page_and_changes_nothing(charset):
    from committee.public.models import SearchSubscription

    client, token = _csrf_client()
    response = client.generic(
        "POST",
        "/suivre/",
        f"csrfmiddlewaretoken={token}&email=a%40b.fr&q=robotique".encode("latin-1"),
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )
    assert response.status_code == 400
    assert "Requête incorrecte".encode() in response.content
    assert b"UTF-8" in response.content
    assert b'lang="fr"' in response.content
    assert not SearchSubscription.objects.exists()


def test_options_on_the_api_documentation_lists_the_methods():
    response = Client(raise_request_exception=False).options("/api/docs/")
    assert response.status_code == 204
    assert "GET" in response["Allow"]


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data",  # no boundary
        "multipart/form-data; boundary=",  # an empty one
    ],
)
def test_a_malformed_upload_gets_the_french_400_page_and_changes_nothing(
    contributor, association, content_type
):
    from initiatives.models import Document

    draft = f.InitiativeFactory(lead_organisation=association)
    client, token = _csrf_client(contributor)
    response = client.generic(
        "POST",
        f"/espace/initiatives/{draft.pk}/documents/",
        b'--abc\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF',
        content_type=content_type,
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 400
    assert b'lang="fr"' in response.content
    assert "Requête incorrecte".encode() in response.content
    assert not Document.objects.exists()
