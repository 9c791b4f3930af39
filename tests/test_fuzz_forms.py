"""Property-based checks on the forms people submit: whatever they type, no server error,
and a refused submission changes nothing.

Hypothesis starts from a valid submission and replaces some of its fields with arbitrary
values (control characters and NUL bytes, very long text, numbers and dates out of range,
markup, identifiers of other rows, lists where one value is expected), or sends arbitrary
fields. Each form answers with a page (its errors listed) or a redirect, never a 500; when
it does not accept the submission, the database is as it was.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from initiatives.forms import InitiativeForm
from initiatives.models import Comment, Document, Initiative
from members.models import Invitation, Membership
from tests import factories as f
from tests.initiatives.review_support import initiative_in, login
from tests.initiatives.views.test_workspace import form_data

pytestmark = pytest.mark.django_db

S = Initiative.Status
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

text = st.one_of(
    st.text(max_size=60),
    st.text(max_size=3).map(lambda s: s * 4000),  # far beyond every limit
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "a\x00b",
            "<script>alert(1)</script>",
            "'; DROP TABLE initiatives_initiative; --",
            "0",
            "-1",
            "1e309",
            "99999999999999999999999",
            "12 000,50",
            "2024-02-30",
            "0000-00-00",
            "9999-12-31",
            "31/12/2024",
            "nobody@",
            "@example.org",
            "a@b.c" * 100,
            "\u202e\ufeff",
            "../../etc/passwd",
        ]
    ),
)
value = st.one_of(text, st.lists(text, max_size=3), st.integers(-(2**63), 2**63).map(str))


def fuzzed(base: dict, fields: list[str]):
    """`base` with some of its fields replaced, dropped, or joined by unknown ones."""
    changes = st.dictionaries(st.sampled_from(fields), value, min_size=1, max_size=4)
    dropped = st.sets(st.sampled_from(fields), max_size=3)
    extra = st.dictionaries(st.text(min_size=1, max_size=10), text, max_size=2)
    return st.tuples(changes, dropped, extra).map(
        lambda t: {
            **{k: v for k, v in base.items() if k not in t[1]},
            **t[2],
            **t[0],
        }
    )


def snapshot(initiative: Initiative) -> dict:
    """What an edit may change, many-to-many relations included."""
    initiative = Initiative.objects.get(pk=initiative.pk)
    values = {
        field.attname: getattr(initiative, field.attname)
        for field in Initiative._meta.concrete_fields
        if field.attname not in {"updated_at", "search_vector", "title_vector", "head_vector"}
    }
    for name in ("axes", "school_levels", "referential_items", "partners", "territories"):
        values[name] = sorted(getattr(initiative, name).values_list("pk", flat=True))
    return values


# --- Drafting ---------------------------------------------------------------------------------


@pytest.fixture
def drafting(client, contributor):
    lyon = f.CommuneFactory(code="69123", name="Lyon", population=520_000)
    f.CommuneFactory(code="69266", name="Villeurbanne", parent=lyon.parent)
    item = f.ReferentialItemFactory(code="1.1", label="Veille")
    client.force_login(contributor)
    base = form_data(
        lead_collectivity=str(lyon.pk),
        lead_organisation=str(contributor.memberships.get().organisation_id),
        referential_items=[str(item.pk)],
    )
    return client, contributor, base


# Every field of the form, its hidden helpers included, and the button pressed.
INITIATIVE_FIELDS = [*InitiativeForm.base_fields, "_action"]


def own_draft(contributor, **fields) -> Initiative:
    return f.InitiativeFactory(
        lead_organisation=contributor.memberships.get().organisation,
        created_by=contributor,
        status=S.DRAFT,
        **fields,
    )


@pytest.mark.parametrize("mode", ["create", "edit"])
def test_the_initiative_form_never_fails_and_a_refusal_changes_nothing(drafting, mode):
    client, contributor, base = drafting
    draft = own_draft(contributor, start_date=datetime.date(2023, 1, 1))
    url = (
        "/espace/initiatives/nouvelle/"
        if mode == "create"
        else f"/espace/initiatives/{draft.pk}/modifier/"
    )

    @FUZZ
    @given(data=fuzzed(base, INITIATIVE_FIELDS))
    def check(data):
        count, before = Initiative.objects.count(), snapshot(draft)
        response = client.post(url, data)
        assert response.status_code in {200, 302, 400, 403}, response.status_code
        if response.status_code != 302:
            assert Initiative.objects.count() == count
            assert snapshot(draft) == before
        elif mode == "create":
            assert Initiative.objects.count() == count + 1

    check()


def test_document_upload_never_fails_and_a_refusal_stores_nothing(drafting):
    client, contributor, _base = drafting
    draft = own_draft(contributor)
    contents = st.one_of(
        st.binary(max_size=2000),
        st.sampled_from([b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", b"\x89PNG\r\n\x1a\n", b""]),
    )
    names = st.one_of(text, st.sampled_from(["rapport.pdf", "a.exe", ".pdf", "x" * 300]))

    @FUZZ
    @given(content=contents, name=names, fields=st.dictionaries(
        st.sampled_from(["title", "is_public", "document"]), value, max_size=3))  # fmt: skip
    def check(content, name, fields):
        count = Document.objects.count()
        upload = SimpleUploadedFile(name.replace("\x00", "") or "x", content)
        response = client.post(
            f"/espace/initiatives/{draft.pk}/documents/", {"file": upload, **fields}
        )
        assert response.status_code in {200, 302, 400, 413}, response.status_code
        if response.status_code != 302:
            assert Document.objects.count() == count

    check()


def test_submitting_with_arbitrary_fields_never_fails(drafting):
    client, contributor, _base = drafting
    draft = own_draft(contributor)

    @FUZZ
    @given(data=st.dictionaries(st.text(max_size=20), value, max_size=4))
    def check(data):
        response = client.post(f"/espace/initiatives/{draft.pk}/soumettre/", data)
        assert response.status_code in {200, 302, 403, 409}, response.status_code
        assert Initiative.objects.get(pk=draft.pk).status in {S.DRAFT, S.SUBMITTED}

    check()


# --- Review -----------------------------------------------------------------------------------


def test_decisions_and_messages_never_fail_and_a_refusal_changes_nothing(
    client, reviewer, association
):
    login(client, reviewer)
    initiative = initiative_in(S.SUBMITTED, association)
    base = {
        "transition": "take",
        "comment": "Merci.",
        "expected_status": initiative.status,
        "expected_stamp": initiative.status_changed_at.isoformat(),
    }

    @FUZZ
    @given(data=fuzzed(base, list(base)), body=value)
    def check(data, body):
        before = Initiative.objects.values_list("status", "status_changed_at").get(pk=initiative.pk)
        response = client.post(f"/instruction/{initiative.pk}/decision/", data)
        assert response.status_code in {200, 302, 400, 403, 409}, response.status_code
        if response.status_code != 302:
            assert (
                Initiative.objects.values_list("status", "status_changed_at").get(pk=initiative.pk)
                == before
            )
        comments = Comment.objects.count()
        response = client.post(f"/instruction/{initiative.pk}/messages/", {"body": body})
        assert response.status_code in {200, 302, 400}, response.status_code
        if response.status_code != 302:
            assert Comment.objects.count() == comments

    check()


# --- Team ---------------------------------------------------------------------------------------


def test_invitations_never_fail_and_a_refusal_invites_nobody(client, association_admin):
    login(client, association_admin)
    base = {
        "email": "nouvelle.collegue@example.org",
        "role": Membership.Role.CONTRIBUTOR,
        "organisation": str(association_admin.memberships.get().organisation_id),
    }

    @FUZZ
    @given(data=fuzzed(base, list(base)))
    def check(data):
        count = Invitation.objects.count()
        response = client.post("/espace/equipe/inviter/", data)
        assert response.status_code in {200, 302, 400, 403, 404}, response.status_code
        if response.status_code != 302:
            assert Invitation.objects.count() == count

    check()


# --- Public ---------------------------------------------------------------------------------


def test_following_a_search_never_fails(client, db):
    base = {"email": "lectrice@example.org", "q": "tablettes", "region": "84"}

    @FUZZ
    @given(data=fuzzed(base, [*base, "axis", "department", "commune", "partner", "year"]))
    def check(data):
        response = client.post("/suivre/", data)
        assert response.status_code in {200, 302, 400}, response.status_code

    check()
