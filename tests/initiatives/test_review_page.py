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
