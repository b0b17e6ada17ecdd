from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from rota.rotas.demo import DEMO_PASSWORD, NotEmpty, demo_community_create


class Command(BaseCommand):
    help = "Create the demo community (only into an empty database) and plan its rotas."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (and succeed) when the database already has people or rotas.",
        )
        parser.add_argument("--no-plan", action="store_true", help="Seed without planning.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            demo = demo_community_create(timezone.now().date())
        except NotEmpty as exc:
            if options["if_empty"]:
                self.stdout.write("The database already has data; the demo was not seeded.")
                return
            raise CommandError(str(exc)) from None
        people = demo.people
        rotas = demo.rotas
        if not options["no_plan"]:
            from rota.rotas.planning import rota_plan

            for rota in rotas:
                run = rota_plan(rota.id, trigger="manual")
                self.stdout.write(f"Planned {rota.name}: {run.outcome}")
        zones = sorted({p.time_zone for p in people})
        orgs = sorted({p.organisation for p in people})
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {len(people)} volunteers in {len(zones)} time zones "
                f"and {len(orgs)} organisations."
            )
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        self.stdout.write("  admin  - release manager, staff (/admin/)")
        for person in people[:5]:
            self.stdout.write(f"  {person.username:<12} {person.name} ({person.time_zone})")
        self.stdout.write(f"  ... and {len(people) - 5} more volunteers")
