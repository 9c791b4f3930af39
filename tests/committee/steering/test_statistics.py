"""Steering statistics (/pilotage/): each figure on a known dataset, the page and its charts."""

import html
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.utils import timezone

from committee.steering import charts, statistics
from initiatives.models import Initiative
from initiatives.models import Status as S
from initiatives.selectors import catalogue_changed

pytestmark = pytest.mark.django_db


def rows(value) -> dict:
    return {row["key"]: row["value"] for row in value["rows"]}


def figures(params=None, names=None):
    filterset = statistics.statistics_filterset(params or {})
    return statistics.compute_all(filterset, names=names, cached=False)


# -- figures ----------------------------------------------------------------------------------


def test_breakdowns_count_published_initiatives_by_default(dataset):
    values = figures()
    assert rows(values["by_region"]) == {"84": 3, "11": 1}
    assert rows(values["by_department"]) == {"69": 3, "75": 1}
    assert rows(values["by_collectivity_level"]) == {
        "region": 0,
        "department": 2,
        "epci": 0,
        "commune": 2,
    }
    assert rows(values["by_partner"]) == {"AMF": 2, "ADF": 2}
    axes = rows(values["by_axis"])
    assert axes == {"1": 2, "2": 1, "3": 0, "4": 0, "5": 2, "6": 0}
    levels = rows(values["by_school_level"])
    assert levels["college"] == 1 and levels["elementaire"] == 1 and levels["lycee"] == 0


def test_region_labels_come_from_the_referential(dataset):
    labels = {row["key"]: row["label"] for row in figures()["by_region"]["rows"]}
    assert labels["84"] == "Auvergne-Rhône-Alpes"


def test_status_breakdown_covers_every_status_but_drafts(dataset):
    by_status = rows(figures()["by_status"])
    assert by_status[S.PUBLISHED] == 4
    assert by_status[S.SUBMITTED] == 1
    assert by_status[S.REJECTED] == 1
    assert S.DRAFT not in by_status


def test_catalogue_filters_apply_to_the_figures(dataset):
    values = figures({"region": "84"})
    assert rows(values["by_department"]) == {"69": 3}
    assert rows(values["by_partner"]) == {"AMF": 2, "ADF": 1}
    assert rows(figures({"axis": "5"})["by_partner"]) == {"AMF": 2}
    assert rows(figures({"partner": "ADF"})["by_axis"])["2"] == 1


def test_status_filter_widens_the_breakdowns(dataset):
    values = figures({"status": "all"})
    assert rows(values["by_region"]) == {"84": 5, "11": 1}
    assert rows(figures({"status": S.SUBMITTED})["by_department"]) == {"01": 1}
    # The status breakdown itself ignores the status filter.
    assert rows(figures({"status": S.SUBMITTED})["by_status"])[S.PUBLISHED] == 4


def test_submissions_and_publications_per_quarter(dataset):
    quarter_rows = figures()["per_quarter"]["rows"]
    assert [(r["key"], r["submitted"], r["published"]) for r in quarter_rows] == [
        ("2024-T1", 3, 1),
        ("2024-T2", 1, 2),
        ("2024-T3", 1, 1),
        ("2024-T4", 1, 0),
    ]
    assert quarter_rows[0]["label"] == "T1 2024"


def test_review_lead_times_median_and_p90(dataset):
    # First submission → first decision: 2, 4, 6, 10 and 20 days; S1 has no decision yet.
    lead = figures()["lead_times"]
    assert lead == {"count": 5, "median_days": 6.0, "p90_days": 16.0}


def test_lead_times_follow_the_filters(dataset):
    assert figures({"partner": "ADF"})["lead_times"] == {
        "count": 3,
        "median_days": 10.0,
        "p90_days": 18.0,
    }


def test_python_percentile_matches_postgresql_definition():
    assert statistics.percentile_cont([2, 4, 6, 10, 20], 0.5) == 6
    assert statistics.percentile_cont([2, 4, 6, 10, 20], 0.9) == pytest.approx(16)
    assert statistics.percentile_cont([1, 2], 0.5) == 1.5
    assert statistics.percentile_cont([], 0.5) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="percentile_cont is PostgreSQL's")
def test_python_fallback_gives_the_same_lead_times_as_postgresql(dataset, monkeypatch):
    in_database = figures(names=["lead_times"])["lead_times"]
    monkeypatch.setattr(connection, "vendor", "sqlite")
    assert figures(names=["lead_times"])["lead_times"] == in_database


def test_department_coverage_is_a_share_of_the_referential_departments(dataset):
    assert figures()["department_coverage"] == {"total": 3, "covered": 2, "share": 0.6667}
    assert figures({"region": "84"})["department_coverage"] == {
        "total": 2,
        "covered": 1,
        "share": 0.5,
    }


def test_rural_communes_reached_lead_or_are_covered(dataset):
    # A is covered by P1, B (1,999 inhabitants) leads P2; the town is not rural; D is not reached.
    assert figures()["rural_communes"] == {"total": 3, "covered": 2, "share": 0.6667}


def test_unpublished_initiatives_reach_no_commune(dataset):
    dataset["p2"].status = S.ARCHIVED
    dataset["p2"].save()
    assert figures()["rural_communes"]["covered"] == 1


def test_late_actions_and_milestones(dataset):
    values = figures()
    late_actions = values["late_actions"]
    assert [row["code"] for row in late_actions["rows"]] == ["A1"]
    assert late_actions["rows"][0]["days_late"] == 10
    late_milestones = values["late_milestones"]
    assert late_milestones["count"] == 2
    assert {row["title"] for row in late_milestones["rows"]} == {"Questionnaire diffusé", "Oublié"}


def test_plan_figures_follow_axis_and_partner_filters(dataset):
    values = figures({"axis": "2"})
    assert values["late_actions"]["count"] == 0
    assert [row["title"] for row in values["late_milestones"]["rows"]] == ["Oublié"]
    assert figures({"partner": "AMF"})["late_actions"]["count"] == 1
    assert figures({"partner": "ADF"})["late_actions"]["count"] == 0


def test_each_figure_is_at_most_one_query(dataset, django_assert_max_num_queries):
    """From the bitmaps (test_statistics_bitmaps.py pins which figures still query) or, the
    index disabled, one grouped query each."""
    filterset = statistics.statistics_filterset({"region": "84"})
    filterset.cleaned  # noqa: B018 - validate the filters (reference lists) first
    statistics.compute_all(filterset, cached=False)  # the index and the territories, once
    for name in statistics.FIGURES:
        with django_assert_max_num_queries(1):
            statistics.compute(name, filterset)


def test_every_figure_says_what_it_counts():
    for figure in statistics.FIGURES.values():
        assert str(figure.label) and len(str(figure.description)) > 20


def test_figures_are_cached_for_the_same_filters(dataset, django_assert_num_queries):
    filterset = statistics.statistics_filterset({"axis": "1"})
    first = statistics.compute_all(filterset)
    with django_assert_num_queries(0):
        assert statistics.compute_all(statistics.statistics_filterset({"axis": "1"})) == first


# -- charts -----------------------------------------------------------------------------------


def test_bar_chart_is_an_accessible_svg_image():
    svg = charts.bar_chart([("Rhône", 3), ("Ain <b>", 1)], dom_id="c1", title="Par département")
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="c1-title"' in svg and 'aria-describedby="c1-desc"' in svg
    assert '<title id="c1-title">Par département</title>' in svg
    assert "la plus élevée : Rhône (3)" in html.unescape(svg)
    assert "Ain &lt;b&gt;" in svg  # labels are escaped text, never markup


def test_empty_chart_says_so():
    svg = charts.bar_chart([("Rhône", 0)], dom_id="c2", title="Vide")
    assert "Aucune donnée" in svg and 'role="img"' in svg


def test_grouped_chart_names_each_bar_series():
    svg = charts.grouped_bar_chart(
        ["T1 2024"], [("Soumises", [3]), ("Publiées", [1])], dom_id="q", title="Trimestres"
    )
    assert "Soumises : 3" in svg and "Publiées : 1" in svg


# -- the page ---------------------------------------------------------------------------------


class Structure(HTMLParser):
    """The page's charts and the element that follows each one."""

    def __init__(self):
        super().__init__()
        self.charts: list[dict] = []
        self.in_svg = 0
        self.last_chart_closed = False
        self.following: list[str] = []
        self.th_scopes: list[str | None] = []
        self.captions = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "svg":
            self.in_svg += 1
            self.charts.append({"attrs": attrs, "children": []})
            return
        if self.in_svg:
            self.charts[-1]["children"].append(tag)
            return
        if self.last_chart_closed and tag == "table":
            self.following.append("table")
            self.last_chart_closed = False
        if tag == "th":
            self.th_scopes.append(attrs.get("scope"))
        if tag == "caption":
            self.captions += 1

    def handle_endtag(self, tag):
        if tag == "svg":
            self.in_svg -= 1
            self.last_chart_closed = True


def login(client, user):
    client.force_login(user)
    return client


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/pilotage/")
    assert response.status_code == 302 and "/comptes/login/" in response["Location"]


def test_association_staff_are_refused(client, contributor):
    assert login(client, contributor).get("/pilotage/").status_code == 403


def test_officials_without_mfa_are_sent_to_set_it_up(client, reviewer):
    response = login(client, reviewer).get("/pilotage/")
    assert response.status_code == 302 and "/comptes/" in response["Location"]


@pytest.mark.parametrize("who", ["reviewer_with_mfa", "secretariat_with_mfa"])
def test_officials_read_the_statistics(client, dataset, who, request):
    response = login(client, request.getfixturevalue(who)).get("/pilotage/")
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Initiatives par région" in page
    assert "Délai médian d'instruction" in page and "6,0 jours" in page
    assert "A1 — Recenser les équipements" in page


def test_every_chart_has_title_description_and_a_data_table(client, reviewer_with_mfa, dataset):
    response = login(client, reviewer_with_mfa).get("/pilotage/")
    structure = Structure()
    structure.feed(response.content.decode())
    charted = [figure for figure in statistics.FIGURES.values() if figure.has_chart]
    assert len(structure.charts) == len(charted)
    for chart in structure.charts:
        assert chart["attrs"]["role"] == "img"
        assert chart["attrs"]["aria-labelledby"] == chart["attrs"]["id"] + "-title"
        assert chart["children"][:2] == ["title", "desc"]
    assert structure.following == ["table"] * len(charted)
    assert None not in structure.th_scopes
    assert structure.captions >= len(charted)


def test_page_filters_are_the_catalogue_filters(client, reviewer_with_mfa, dataset):
    response = login(client, reviewer_with_mfa).get("/pilotage/", {"region": "11"})
    page = html.unescape(response.content.decode())
    assert '<option value="11" selected>' in page
    assert response.context["values"]["by_department"]["total"] == 1


def test_invalid_filters_are_reported_and_ignored(client, reviewer_with_mfa, dataset):
    response = login(client, reviewer_with_mfa).get(
        "/pilotage/", {"commune": "abc", "partner": "XYZ"}
    )
    assert response.status_code == 200
    assert "Partenaire inconnu" in html.unescape(response.content.decode())
    assert response.context["values"]["by_region"]["total"] == 4


def test_statistics_page_query_count_is_pinned(
    client, reviewer_with_mfa, dataset, django_assert_num_queries
):
    login(client, reviewer_with_mfa)
    # Warms the reference lists shared with the catalogue, the catalogue's bitmaps and the
    # territories they are counted against (once per catalogue version).
    client.get("/pilotage/")
    # Session, user, MFA check, memberships, whether a contribution being drafted is theirs
    # (the header's entry), the header's count of submissions waiting for the official;
    # then the other statuses than published (one statement for every figure: the
    # published ones are counted from the bitmaps), lead times, late actions and late
    # milestones.
    with django_assert_num_queries(6 + 4):
        assert client.get("/pilotage/", {"axis": "5"}).status_code == 200
    # Within the cache's minute, the same criteria cost no figure query.
    with django_assert_num_queries(6):
        assert client.get("/pilotage/", {"axis": "5"}).status_code == 200


def test_a_publication_shows_within_the_cache_minute(client, reviewer_with_mfa, dataset):
    from committee.steering.tasks import warm_statistics

    login(client, reviewer_with_mfa)
    assert rows(client.get("/pilotage/").context["values"]["by_region"])["84"] == 3
    s1 = Initiative.objects.get(title="S1")
    s1.status, s1.published_at = S.PUBLISHED, timezone.now()
    s1.save()
    catalogue_changed([s1.pk])  # as the publication does once committed
    # Served from the cache until it expires or the minute's job recomputes it.
    assert rows(client.get("/pilotage/").context["values"]["by_region"])["84"] == 3
    warm_statistics.apply()
    assert rows(client.get("/pilotage/").context["values"]["by_region"])["84"] == 4


def test_warming_job_prepares_the_page_without_criteria(
    client, reviewer_with_mfa, dataset, django_assert_num_queries
):
    from committee.steering.tasks import warm_statistics

    login(client, reviewer_with_mfa)
    client.get("/pilotage/", {"axis": "1"})  # the reference lists, not these figures
    warm_statistics.apply()
    # Session, user, MFA, memberships, the header's drafting entry and count.
    with django_assert_num_queries(6):
        assert client.get("/pilotage/").status_code == 200
