"""What the reviewer reads on the review page: the description as it will be published."""

import re

import pytest

from initiatives.models import Initiative
from tests.initiatives.review_support import initiative_in, login

pytestmark = pytest.mark.django_db

S = Initiative.Status
DESCRIPTION = "## Déroulé\n\nLes élèves **testent** les capteurs.\n\n- en CM1\n- en CM2"


def _description_html(html: str) -> str:
    return re.search(r'<div class="initiative-description">(.*?)</div>', html, re.S).group(1)


def test_the_review_page_renders_the_description_like_the_public_page(
    client, association, contributor, reviewer
):
    initiative = initiative_in(
        S.IN_REVIEW, association, created_by=contributor, description=DESCRIPTION
    )
    login(client, reviewer)
    review = client.get(f"/instruction/{initiative.pk}/").content.decode()

    rendered = _description_html(review)
    assert "<h2>Déroulé</h2>" in rendered or "Déroulé</h" in rendered
    assert "<strong>testent</strong>" in rendered and "<li>en CM1</li>" in rendered
    assert "**testent**" not in rendered

    # The same HTML as the published page's.
    from django.utils import timezone

    Initiative.objects.filter(pk=initiative.pk).update(
        status=S.PUBLISHED, published_at=timezone.now()
    )
    public = client.get(initiative.get_absolute_url()).content.decode()
    assert _description_html(public) == rendered

    # The source is there on demand.
    assert "<summary>Voir le texte source (Markdown) de la description</summary>" in review
    assert "**testent**" in review


def test_the_review_page_writes_dates_and_reach_the_french_way(
    client, association, contributor, reviewer
):
    import datetime

    initiative = initiative_in(
        S.IN_REVIEW,
        association,
        created_by=contributor,
        start_date=datetime.date(2025, 9, 1),
        end_date=datetime.date(2026, 10, 1),
        schools_reached=0,
        pupils_reached=0,
    )
    login(client, reviewer)
    html = client.get(f"/instruction/{initiative.pk}/").content.decode()
    assert "1er septembre 2025" in html and "1er octobre 2026" in html
    assert "Portée" not in html and "0 écoles" not in html

    Initiative.objects.filter(pk=initiative.pk).update(schools_reached=1, pupils_reached=1500)
    html = client.get(f"/instruction/{initiative.pk}/").content.decode()
    assert "1 école ou établissement, 1\u00a0500 élèves" in html or (
        "1 école ou établissement, 1 500 élèves" in html
    )


def test_the_queue_shows_who_it_is_assigned_to_and_sorts_by_waiting_time(
    client, association, contributor, reviewer
):
    import datetime

    from django.utils import timezone

    now = timezone.now()
    old = initiative_in(S.SUBMITTED, association, created_by=contributor, title="Ancienne")
    new = initiative_in(
        S.IN_REVIEW, association, created_by=contributor, title="Récente", assignee=reviewer
    )
    Initiative.objects.filter(pk=old.pk).update(
        submitted_at=now - datetime.timedelta(days=20),
        status_changed_at=now - datetime.timedelta(days=20),
    )
    login(client, reviewer)

    def titles(html):
        return re.findall(r'<a href="/instruction/\d+/">([^<]+)</a>', html)

    html = client.get("/instruction/").content.decode()
    assert '<th scope="col">Assignée à</th>' in html
    assert titles(html) == ["Ancienne", "Récente"]
    assert 'aria-sort="descending"' in html
    assert "<td>Vous</td>" in html  # the reviewer's own assignment

    html = client.get("/instruction/?sort=recente").content.decode()
    assert titles(html) == ["Récente", "Ancienne"]
    assert 'aria-sort="ascending"' in html
    assert new.title in html
