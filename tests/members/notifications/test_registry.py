"""The registry: each app declares its kinds (wording, recipients, preferences); an event of
a kind nobody declared is refused."""

import pytest

from committee.contributions.notifications import Kinds as ContributionKinds
from committee.plan.notifications import Kinds as PlanKinds
from committee.public.notifications import Kinds as PublicKinds
from committee.reports.notifications import Kinds as ReportKinds
from committee.sessions.notifications import Kinds as SessionKinds
from committee.steering.notifications import Kinds as SteeringKinds
from initiatives.notifications import Kinds as InitiativeKinds
from members.models import Event, Notification
from members.notifications import registry
from members.notifications.accounts import Kinds
from members.notifications.digests import DIGEST
from members.notifications.registry import Recipient, UnknownKind, register_kind
from members.services import event_record

pytestmark = pytest.mark.django_db

DECLARED = {
    "initiatives.notifications": InitiativeKinds,
    "committee.reports.notifications": ReportKinds,
    "committee.steering.notifications": SteeringKinds,
    "committee.plan.notifications": PlanKinds,
    "committee.contributions.notifications": ContributionKinds,
    "committee.public.notifications": PublicKinds,
    "committee.sessions.notifications": SessionKinds,
    "members.notifications.accounts": Kinds,
}


def kinds_of(namespace) -> list[str]:
    return [value for name, value in vars(namespace).items() if name.isupper()]


def test_apps_register_kinds_with_who_hears_of_them(people):
    seen = []
    register_kind(
        "test_kind",
        label="Essai",
        subject="Essai",
        recipients=lambda event: [Recipient(user=people["admin"], path="/x/")],
    )
    try:
        event = event_record(kind="test_kind", actor=people["author"])
        seen = list(Notification.objects.filter(event=event).values_list("channel", "path"))
    finally:
        registry.KINDS.pop("test_kind")
    assert sorted(seen) == [("email", "/x/"), ("in_app", "/x/")]


def test_an_event_of_a_kind_nobody_declared_is_refused(people):
    with pytest.raises(UnknownKind, match="plan_report_sent"):
        event_record(kind="plan_report_sent", actor=people["author"])
    assert not Event.objects.exists()


def test_the_kind_column_has_no_fixed_list_the_registry_is_the_list():
    assert not Event._meta.get_field("kind").choices


@pytest.mark.parametrize("module", sorted(DECLARED))
def test_every_kind_an_app_records_or_sends_is_declared_by_that_app(module):
    for kind in kinds_of(DECLARED[module]):
        spec = registry.registered(kind)
        assert len(kind) <= registry.KIND_MAX_LENGTH
        if spec.recipients is not None:  # who hears of it is decided where the wording is
            assert spec.recipients.__module__ == module, kind


def test_the_machinery_declares_only_members_kinds():
    apps_kinds = {kind for namespace in DECLARED.values() for kind in kinds_of(namespace)}
    assert set(registry.KINDS) - apps_kinds == {DIGEST}
    for kind in kinds_of(InitiativeKinds) + kinds_of(ReportKinds):
        assert kind not in kinds_of(Kinds)


def test_recorded_kinds_tell_nobody(people):
    event = event_record(kind=PlanKinds.REVIEW_OPENED, actor=people["secretariat"])
    assert not registry.kind_spec(event.kind).notified
    assert not Notification.objects.exists()


def test_texts_take_the_plural_their_count_asks_for():
    from django.utils.translation import ngettext_lazy, override

    text = ngettext_lazy(
        "%(count)s nouvelle initiative pour votre recherche",
        "%(count)s nouvelles initiatives pour votre recherche",
        "count",
    )
    with override("fr"):
        assert (
            registry.format_text(text, {"count": 1}) == "1 nouvelle initiative pour votre recherche"
        )
        assert registry.format_text(text, {"count": 3}) == (
            "3 nouvelles initiatives pour votre recherche"
        )
    alert = registry.registered(PublicKinds.SEARCH_ALERT)
    assert "(s)" not in registry.format_text(alert.subject, {"count": 2})
