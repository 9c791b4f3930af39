"""Dates, sizes and document kinds written the French way (and the English way in English)."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from members.formats import document_kind, file_size, long_date, long_datetime

NBSP = "\u00a0"


def test_the_first_of_the_month_is_1er_in_french():
    with translation.override("fr"):
        assert long_date(datetime.date(2025, 9, 1)) == "1er septembre 2025"
        assert long_date(datetime.date(2025, 8, 17)) == "17 août 2025"
        assert long_date(datetime.date(2026, 11, 2)) == "2 novembre 2026"
        assert long_date(None) == ""
        assert long_datetime(datetime.datetime(2026, 12, 1, 9, 30)) == "1er décembre 2026 à 09:30"


def test_english_dates_follow_english_rules():
    with translation.override("en"):
        assert long_date(datetime.date(2025, 9, 1)) == "1 September 2025"
        assert long_datetime(datetime.datetime(2026, 12, 1, 9, 30)) == "1 December 2026 at 09:30"


def test_documents_read_as_pdf_and_kilo_octets():
    with translation.override("fr"):
        assert document_kind("application/pdf", 6_349) == f"PDF – 6,2{NBSP}Ko"
        assert file_size(3 * 1024 * 1024 + 600_000) == f"3,6{NBSP}Mo"
        assert file_size(820) == f"820{NBSP}octets"
        assert document_kind("image/png") == "PNG"
    with translation.override("en"):
        assert document_kind("application/pdf", 6_349) == f"PDF – 6.2{NBSP}KB"


def test_the_filters_are_built_in_for_every_template():
    with translation.override("fr"):
        html = Template("{{ d|long_date }} · {{ doc|document_kind }}").render(
            Context(
                {
                    "d": datetime.date(2025, 10, 1),
                    "doc": {"content_type": "application/pdf", "size": 6_349},
                }
            )
        )
    assert html == f"1er octobre 2025 · PDF – 6,2{NBSP}Ko"


@pytest.mark.django_db
def test_pages_hide_empty_reach_and_show_documents_the_french_way(client, association):
    from initiatives.models import Initiative
    from tests import factories as f

    initiative = f.InitiativeFactory(
        status=Initiative.Status.PUBLISHED,
        lead_organisation=association,
        start_date=datetime.date(2025, 9, 1),
        schools_reached=0,
        pupils_reached=0,
    )
    page = client.get(initiative.get_absolute_url()).content.decode()
    assert "Portée" not in page
    assert "Kio" not in page and "application/pdf" not in page
