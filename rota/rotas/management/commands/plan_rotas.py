from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from rota import engine
from rota.rotas.models import PlanTrigger, Rota
from rota.rotas.planning import community_rota_ids, problem_for_community, rota_plan


class Command(BaseCommand):
    help = "Plan rotas now and print the changes and the metrics."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--rota", metavar="SLUG", help="Plan only this rota.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change; store nothing."
        )
        parser.add_argument("--json", action="store_true", help="Print JSON instead of text.")
        parser.add_argument(
            "--export-problem",
            metavar="PATH",
            help="Write the planning problem of the rota's community (the rota and every rota "
            "sharing people with it) as JSON (docs/problem-format.md) and stop; replay it with "
            "`python -m rota.engine plan PATH`. Needs --rota.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        rotas = Rota.objects.order_by("name")
        if options["rota"]:
            rotas = rotas.filter(slug=options["rota"])
            if not rotas.exists():
                known = ", ".join(Rota.objects.values_list("slug", flat=True)) or "none"
                raise CommandError(f"No rota with slug {options['rota']!r} (known: {known}).")
        if options["export_problem"]:
            if not options["rota"]:
                raise CommandError("--export-problem needs --rota SLUG.")
            community = Rota.objects.filter(pk__in=community_rota_ids(rotas.get().pk))
            problem, _releases, _skipped = problem_for_community(
                list(community.order_by("pk")), timezone.now()
            )
            with open(options["export_problem"], "w", encoding="utf-8") as handle:
                json.dump(engine.problem_to_json(problem), handle, indent=2)
            self.stdout.write(f"Wrote {options['export_problem']}.")
            return
        report = []
        planned: set[int] = set()
        for rota in rotas:
            if rota.pk in planned:
                continue  # planned, and reported, with an earlier rota of its community
            # An operator's run publishes, as a manager's does, even where re-plans wait.
            outcome = rota_plan(rota.pk, trigger=PlanTrigger.PUBLISH, dry_run=options["dry_run"])
            report.append(
                {
                    "rota": rota.slug,
                    "outcome": outcome.outcome,
                    "changes": outcome.changes,
                    "metrics": _summary(outcome.metrics),
                }
            )
            planned.add(rota.pk)
            for other in rotas.filter(pk__in=outcome.community_changes).exclude(pk=rota.pk):
                planned.add(other.pk)
                changes = outcome.community_changes[other.pk]
                report.append(
                    {
                        "rota": other.slug,
                        "outcome": f"planned with {rota.slug}: {len(changes)} changes",
                        "changes": changes,
                        "metrics": {},
                    }
                )
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2, default=str))
            return
        for item in report:
            self.stdout.write(self.style.MIGRATE_HEADING(f"{item['rota']}: {item['outcome']}"))
            for change in item["changes"]:
                sign = "+" if change["change"] == "added" else "-"
                self.stdout.write(
                    f"  {sign} {change['starts_at'][:16]} UTC  {change['role']:<9} {change['name']}"
                )
            for name, value in item["metrics"].items():
                self.stdout.write(f"  {name}: {value}")


SUMMARY_KEYS = (
    "worst_deviation",
    "spread",
    "gini",
    "min_coverage_hours",
    "mean_coverage_hours",
    "worst_organisation_deviation",
    "kept",
    "changed",
    "unfilled",
    "hard_violations",
)


def _summary(metrics: dict[str, Any]) -> dict[str, Any]:
    return {key: metrics[key] for key in SUMMARY_KEYS if key in metrics}
