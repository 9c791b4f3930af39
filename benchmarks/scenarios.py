"""The bench's targets, scenarios and measures (one row of the table each)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# -- targets (issues 3 and 5) -------------------------------------------------------------------

BROWSE_P95_MS = 30
FULLTEXT_P95_MS = 60
DETAIL_P95_MS = 15
MAP_P95_MS = 30
STATISTICS_P95_MS = 100
CATALOGUE_MAX_QUERIES = 8
XLSX_MAX_SECONDS = 25
XLSX_MAX_MB = 250
PDF_MAX_SECONDS = 10
NOTIFICATIONS_MAX_SECONDS = 20


@dataclass
class Scenario:
    name: str
    paths: list[str]  # cycled through; one path = the same URL every time
    target_p95_ms: float | None = None
    max_queries: int | None = None
    cache_sensitive: bool = False  # measured warm and cold
    login: bool = False
    note: str = ""


@dataclass
class Measure:
    name: str
    cache: str  # "warm", "cold" or "-"
    p50_ms: float | None
    p95_ms: float | None
    queries: int | None  # the most any measured request issued
    queries_min: int | None = None
    requests: int = 0
    mean_ms: float | None = None
    max_ms: float | None = None
    ratio_to_baseline: float | None = None
    target_p95_ms: float | None = None
    max_queries: int | None = None
    statuses: dict = field(default_factory=dict)
    url: str = ""
    note: str = ""
    error: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        if self.error or (self.statuses and set(self.statuses) != {"200"}):
            return "ERREUR"
        misses = []
        if self.target_p95_ms is not None and (self.p95_ms or 0) > self.target_p95_ms:
            misses.append("temps")
        if self.max_queries is not None and (self.queries or 0) > self.max_queries:
            misses.append("requêtes")
        target_mb, peak_mb = self.extra.get("target_mb"), self.extra.get("peak_rss_mb")
        if target_mb and peak_mb and peak_mb > target_mb:
            misses.append("mémoire")
        if misses:
            return "HORS CIBLE (" + ", ".join(misses) + ")"
        if self.target_p95_ms is None and self.max_queries is None:
            return ""
        return "ok"

    def as_json(self) -> dict:
        data = asdict(self)
        data.pop("name")
        extra = data.pop("extra")
        data.update(extra)
        data["verdict"] = self.verdict
        return data


def catalogue_scenarios() -> list[Scenario]:
    browse = {"target_p95_ms": BROWSE_P95_MS, "max_queries": CATALOGUE_MAX_QUERIES}
    text = {"target_p95_ms": FULLTEXT_P95_MS, "max_queries": CATALOGUE_MAX_QUERIES}
    c = "/initiatives/"
    cases = [
        ("catalogue", c, browse, "sans filtre"),
        ("catalogue axis", c + "?axis=5", browse, "axe 5"),
        ("catalogue region", c + "?region=84", browse, "Auvergne-Rhône-Alpes"),
        ("catalogue department", c + "?department=59", browse, "Nord"),
        ("catalogue commune", c + "?commune=69123", browse, "Lyon (porteuse ou couverte)"),
        ("catalogue collectivity", c + "?collectivity=department", browse, "départements"),
        ("catalogue school_level", c + "?school_level=elementaire", browse, ""),
        ("catalogue item", c + "?item=E3.1", browse, "élément de référentiel"),
        ("catalogue partner", c + "?partner=cdc", browse, "porteur ou partenaire, casse libre"),
        ("catalogue year", c + "?year=2020", browse, ""),
        ("catalogue combo 1", c + "?axis=1&region=11", browse, "axe + région"),
        (
            "catalogue combo 2",
            c + "?department=13&school_level=elementaire&year=2021",
            browse,
            "département + niveau + année",
        ),
        (
            "catalogue combo 3",
            c + "?collectivity=commune&partner=AMRF&item=3.1&sort=title",
            browse,
            "niveau + partenaire + élément, tri par titre",
        ),
        ("catalogue q common", c + "?q=num%C3%A9rique", text, "« numérique » (presque tout)"),
        ("catalogue q rare", c + "?q=apiculture", text, "« apiculture » (~0,1 %)"),
        ("catalogue q title", c + "?q=fibre", text, "« fibre » (surtout dans les titres)"),
        ("catalogue q + filters", c + "?q=tablettes&region=84&axis=1", text, ""),
        ("catalogue deep page", c + "?page=2000", browse, "page 2000 (lignes 39 981–40 000)"),
    ]
    return [
        Scenario(name, [path], cache_sensitive=True, note=note, **target)
        for name, path, target, note in cases
    ]
