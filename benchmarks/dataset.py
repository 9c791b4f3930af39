"""The bench's data set (territories, reference data, N bulk initiatives) and its fixtures."""

from __future__ import annotations

import time
from collections.abc import Callable

BENCH_USER_EMAIL = "banc-essai@bench.invalid"


def initiative_paths(count: int) -> list[str]:
    """Paths of `count` published initiatives spread over the whole table (deterministic)."""
    from initiatives.selectors import published_initiatives

    slugs = list(
        published_initiatives()
        .filter(slug__startswith="bulk-")
        .order_by("slug")
        .values_list("slug", flat=True)
    )
    if not slugs:
        slugs = list(published_initiatives().order_by("slug").values_list("slug", flat=True))
    step = max(1, len(slugs) // max(count, 1))
    return [f"/initiatives/{slug}/" for slug in slugs[::step][:count]]


def bench_official():
    """An official (ministry reviewer) with a TOTP authenticator: /pilotage/ lets them in."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    from members.models import Membership, Organisation, User

    user = User.objects.filter(email=BENCH_USER_EMAIL).first()
    if user is None:
        user = User.objects.create_user(
            BENCH_USER_EMAIL, None, first_name="Banc", last_name="Essai"
        )
    ministry = Organisation.objects.filter(kind=Organisation.Kind.MINISTRY).order_by("pk").first()
    if ministry is None:
        raise LookupError("Aucune organisation « ministère » : lancez manage.py seed_demo.")
    Membership.objects.get_or_create(
        user=user, organisation=ministry, defaults={"role": Membership.Role.REVIEWER}
    )
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return user


def dataset_ensure(count: int, *, write: Callable[[str], None] = print) -> dict:
    """Territories, reference data (seed_demo) and `count` bulk initiatives, reused if there."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from benchmarks.commands.seed_bulk import Command as SeedBulk
    from committee.plan.models import Action
    from initiatives.models import Initiative
    from referentials.models import Territory, TerritoryAlias

    started = time.monotonic()
    steps = []
    call_command("migrate", interactive=False, verbosity=0)
    # (A dataset built before the communes' postcodes existed gets them now.)
    if (
        not Territory.objects.filter(level=Territory.Level.COMMUNE).exists()
        or not TerritoryAlias.objects.exists()
    ):
        write("  manage.py load_territories")
        call_command("load_territories", verbosity=0)
        steps.append("load_territories")
    if not Action.objects.exists():
        write("  manage.py seed_demo --no-accounts")
        call_command("seed_demo", no_accounts=True, stdout=_Null())
        steps.append("seed_demo")
    present = Initiative.objects.filter(slug__startswith="bulk-").count()
    if present != count:
        write(f"  python -m benchmarks seed_bulk --initiatives {count} ({present} présentes)")
        call_command(SeedBulk(), initiatives=count, reset=present > count, verbosity=1)
        steps.append("seed_bulk")
    # Planner statistics and the visibility map: autovacuum may be off (it is on the CI
    # machines), and a freshly loaded table without statistics gets poor plans.
    with connection.cursor() as cursor:
        for table in ("initiatives_initiative", *_m2m_tables()):
            cursor.execute(f'VACUUM ANALYZE "{table}"')
        cursor.execute("ANALYZE")
    counts = dict(Initiative.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return {
        "bulk_initiatives": count,
        "initiatives_by_status": counts,
        "initiatives_total": sum(counts.values()),
        "built": steps,
        "prepare_seconds": round(time.monotonic() - started, 1),
        "database": connection.settings_dict["NAME"],
        "postgresql": connection.cursor().connection.info.server_version,
    }


def _m2m_tables() -> list[str]:
    from initiatives.models import Initiative

    return [
        Initiative._meta.get_field(name).remote_field.through._meta.db_table
        for name in ("territories", "partners", "axes", "school_levels", "referential_items")
    ]


class _Null:
    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass
