"""`python -m benchmarks bench`: the portal's performance at N initiatives (see runner.py)."""

import json
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from benchmarks import child, dataset, runner


class Command(BaseCommand):
    help = (
        "Prépare le jeu de 100 000 initiatives (PostgreSQL) puis mesure, par scénario, les "
        "temps serveur p50/p95, le nombre de requêtes SQL, la génération des rapports et le "
        "débit sous gunicorn. Tableau sur la sortie standard, JSON dans $BENCH_OUT "
        "(bench-results.json par défaut)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--initiatives", type=int, default=100_000)
        parser.add_argument("--warmup", type=int, default=5, help="Requêtes d'échauffement.")
        parser.add_argument("--requests", type=int, default=50, help="Requêtes mesurées (chaud).")
        parser.add_argument(
            "--cold-requests",
            type=int,
            default=20,
            help="Requêtes mesurées sans cache.",
        )
        parser.add_argument(
            "--only",
            default="",
            help="Seulement les scénarios dont le nom contient l'un de ces mots (virgules).",
        )
        parser.add_argument("--no-reports", action="store_true")
        parser.add_argument("--no-throughput", action="store_true")
        parser.add_argument("--duration", type=int, default=30, help="Secondes de charge par URL.")
        parser.add_argument("--connections", type=int, default=16)
        parser.add_argument("--out", default=os.environ.get("BENCH_OUT", "bench-results.json"))
        # Internal: one report (or the notifications) measured in a fresh process.
        parser.add_argument("--child", choices=["xlsx", "plan", "region", "notifications"])
        parser.add_argument("--child-out")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "Le banc d'essai mesure la configuration de production : il lui faut PostgreSQL "
                "(DATABASE_URL=postgres://…), pas SQLite. « make bench » utilise sa propre base "
                "(BENCH_DATABASE_URL, par défaut postgres://postgres@127.0.0.1:5432/cnpe_bench)."
            )
        if settings.DEBUG:
            raise CommandError(
                "DEBUG est actif : chaque requête SQL serait enregistrée et les temps faussés. "
                "Relancez avec DEBUG=false (make bench le fait)."
            )
        if options["child"]:
            result = child.run_child_measure(options["child"])
            Path(options["child_out"]).write_text(json.dumps(result, default=str))
            return

        write = self.stdout.write
        started = time.monotonic()
        write(self.style.MIGRATE_HEADING("Jeu de données"))
        data = dataset.dataset_ensure(options["initiatives"], write=write)
        write(
            f"  {data['initiatives_total']} initiatives "
            f"({data['initiatives_by_status'].get('published', 0)} publiées), "
            f"prêt en {data['prepare_seconds']} s"
        )
        if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
            write(
                self.style.WARNING(
                    "  REDIS_URL absent : cache en mémoire locale (la production utilise Redis)."
                )
            )
        config = runner.BenchConfig(
            warmup=options["warmup"],
            requests=options["requests"],
            cold_requests=options["cold_requests"],
            only=options["only"],
            reports=not options["no_reports"],
            throughput=not options["no_throughput"],
            duration=options["duration"],
            connections=options["connections"],
            write=write,
        )
        bench = runner.Bench(config)
        write(self.style.MIGRATE_HEADING("Pages (client de test Django, dans le processus)"))
        bench.run_pages()
        if config.reports:
            write(self.style.MIGRATE_HEADING("Rapports (processus séparé)"))
            bench.run_reports()
        bench.notifications()
        if config.throughput:
            write(self.style.MIGRATE_HEADING("Débit (gunicorn sur 127.0.0.1)"))
            bench.run_throughput()

        results = bench.results(data)
        results["finished_at"] = timezone.now().isoformat()
        results["total_seconds"] = round(time.monotonic() - started, 1)
        out = Path(options["out"])
        out.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n")
        write("")
        write(bench.table())
        write("")
        write(f"Résultats : {out.resolve()} ({results['total_seconds']} s)")
