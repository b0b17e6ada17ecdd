"""Import a repository's ownership: CODEOWNERS (a file, or fetched from GitHub) or a Prow
checkout's OWNERS / OWNERS_ALIASES files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rota.github.selectors import repository_by_name
from rota.github.services import (
    OwnershipRefused,
    codeowners_fetch,
    ownership_import_codeowners,
    ownership_import_prow,
)


class Command(BaseCommand):
    help = "Import CODEOWNERS or Prow OWNERS into a repository's components and owners."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("repository", help="owner/name, as configured in Rota")
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--codeowners", type=Path, help="a CODEOWNERS file")
        source.add_argument("--prow", type=Path, help="a checkout holding OWNERS files")
        source.add_argument("--fetch", action="store_true", help="fetch CODEOWNERS from GitHub")

    def handle(self, *args: Any, **options: Any) -> None:
        repository = repository_by_name(options["repository"])
        if repository is None:
            raise CommandError(f"No repository {options['repository']} in Rota.")
        try:
            if options["prow"]:
                root: Path = options["prow"]
                files = {
                    str(p.relative_to(root)): p.read_text()
                    for p in sorted(root.rglob("OWNERS"))
                    if ".git" not in p.parts
                }
                aliases = root / "OWNERS_ALIASES"
                report = ownership_import_prow(
                    repository, files, aliases.read_text() if aliases.exists() else ""
                )
            else:
                text = (
                    codeowners_fetch(repository)
                    if options["fetch"]
                    else options["codeowners"].read_text()
                )
                report = ownership_import_codeowners(repository, text)
        except OwnershipRefused as exc:
            raise CommandError("Refused:\n" + "\n".join(exc.errors)) from exc
        self.stdout.write(f"{report.rules} rules, {report.components} components imported.")
        if report.unmapped:
            self.stdout.write("Owners matching no volunteer: " + ", ".join(report.unmapped))
