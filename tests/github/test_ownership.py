"""CODEOWNERS and Prow OWNERS: parsing, GitHub's last-match rule, import and the public page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import User
from rota.github.models import OwnershipRule, Repository, Team
from rota.github.ownership import codeowners_parse, prow_owners_parse
from rota.github.selectors import components_touched
from rota.github.services import (
    OwnershipRefused,
    ownership_import_codeowners,
    ownership_import_prow,
)
from rota.rotas.models import Assignment, Component, Rota, Shift
from tests.conftest import make_user
from tests.github.standin import StandIn

CODEOWNERS = """\
# Lines starting with '#' are comments.
*       @global-owner
*.js    @js-owner  # an inline comment
/docs/  @docs-owner docs@example.org
apps/   @octo-org/apps
/build/logs/
"""


def test_codeowners_lines_are_read_in_order_with_their_numbers() -> None:
    parsed = codeowners_parse(CODEOWNERS)
    assert parsed.errors == []
    assert [(r.line, r.pattern, r.owners) for r in parsed.rules] == [
        (2, "*", ("@global-owner",)),
        (3, "*.js", ("@js-owner",)),
        (4, "/docs/", ("@docs-owner", "docs@example.org")),
        (5, "apps/", ("@octo-org/apps",)),
        (6, "/build/logs/", ()),
    ]


def test_invalid_codeowners_lines_are_reported_with_their_line_numbers() -> None:
    parsed = codeowners_parse("* @ok\n!*.md @someone\n\nsrc/[ab].py @x\n*.go not-an-owner\n")
    assert [e.split(":")[0] for e in parsed.errors] == ["line 2", "line 4", "line 5"]
    assert "negation" in parsed.errors[0]
    assert "character ranges" in parsed.errors[1]
    assert "'not-an-owner'" in parsed.errors[2]


def test_an_invalid_codeowners_file_is_refused_whole(repository: Repository) -> None:
    with pytest.raises(OwnershipRefused) as refused:
        ownership_import_codeowners(repository, "* @ok\n!secret @x\n")
    assert refused.value.errors == ["line 2: negation (!) is not supported in CODEOWNERS"]
    assert not OwnershipRule.objects.exists()


@pytest.fixture
def owners(db: None) -> dict[str, User]:
    people = {
        login: make_user(login.replace("-", ""), github_login=login)
        for login in ("global-owner", "js-owner", "docs-owner", "app-dev")
    }
    team = Team.objects.create(organisation="octo-org", slug="apps")
    team.members.add(people["app-dev"])
    return people


def test_the_last_matching_pattern_wins_as_on_github(
    repository: Repository, owners: dict[str, User]
) -> None:
    report = ownership_import_codeowners(repository, CODEOWNERS)
    assert (report.rules, report.unmapped) == (5, ["docs@example.org"])

    def owners_of(path: str) -> set[str]:
        return {
            u.github_login for c in components_touched(repository, [path]) for u in c.owners.all()
        }

    assert owners_of("README.md") == {"global-owner"}
    assert owners_of("docs/index.js") == {"docs-owner"}  # /docs/ comes after *.js
    assert owners_of("src/app.js") == {"js-owner"}
    assert owners_of("src/apps/main.py") == {"app-dev"}  # a team mapped to its members
    assert owners_of("build/logs/today.txt") == set()  # matched last by an ownerless line


def test_a_reimport_replaces_the_rules(repository: Repository, owners: dict[str, User]) -> None:
    ownership_import_codeowners(repository, CODEOWNERS)
    ownership_import_codeowners(repository, "* @js-owner\n")
    assert list(OwnershipRule.objects.values_list("pattern", flat=True)) == ["*"]
    touched = components_touched(repository, ["docs/a.md"])
    assert [u.github_login for c in touched for u in c.owners.all()] == ["js-owner"]


def test_prow_owners_use_the_closest_file_inherit_parents_and_expand_aliases() -> None:
    files = {
        "OWNERS": "approvers:\n- root-approver\n",
        "pkg/OWNERS": "reviewers:\n- sig-net\n",
        "pkg/alone/OWNERS": "options:\n  no_parent_owners: true\napprovers:\n- loner\n",
    }
    aliases = "aliases:\n  sig-net:\n  - net-one\n  - net-two\n"
    parsed = prow_owners_parse(files, aliases)
    assert parsed.errors == []
    assert [(r.pattern, r.owners) for r in parsed.rules] == [
        ("*", ("@root-approver",)),
        ("/pkg/", ("@net-one", "@net-two", "@root-approver")),
        ("/pkg/alone/", ("@loner",)),
    ]


def test_a_broken_owners_file_is_reported_with_its_line() -> None:
    parsed = prow_owners_parse({"a/OWNERS": "approvers:\n- x\n  - : [\n"})
    assert parsed.errors and parsed.errors[0].startswith("a/OWNERS line ")


def test_prow_import_maps_logins_to_volunteers(
    repository: Repository, owners: dict[str, User]
) -> None:
    ownership_import_prow(repository, {"docs/OWNERS": "approvers:\n- docs-owner\n"})
    touched = components_touched(repository, ["docs/guide.md", "src/x.py"])
    assert [u.github_login for c in touched for u in c.owners.all()] == ["docs-owner"]


def test_the_command_fetches_codeowners_from_github_and_reports_unmapped_owners(
    repository: Repository, owners: dict[str, User], standin: StandIn
) -> None:
    standin.contents[".github/CODEOWNERS"] = "* @global-owner @stranger\n"
    out = StringIO()
    call_command("github_owners_import", repository.full_name, "--fetch", stdout=out)
    assert "1 rules" in out.getvalue() and "@stranger" in out.getvalue()
    assert [c.path for c in standin.calls("contents")] == [
        f"/repos/{repository.full_name}/contents/.github/CODEOWNERS"
    ]


def test_the_command_names_bad_lines(repository: Repository, tmp_path: object) -> None:
    path = tmp_path / "CODEOWNERS"  # type: ignore[operator]
    path.write_text("* @fine\n[abc] @x\n")
    with pytest.raises(CommandError, match="line 2"):
        call_command("github_owners_import", repository.full_name, "--codeowners", str(path))


def test_the_public_page_names_owners_and_this_weeks_point_of_contact(
    client: Client, repository: Repository, review_rota: Rota, owners: dict[str, User]
) -> None:
    ownership_import_codeowners(repository, "/docs/ @docs-owner @js-owner\n*.py @global-owner\n")
    now = datetime(2026, 3, 4, 12, tzinfo=UTC)
    last_week = Shift.objects.create(
        rota=review_rota,
        key="w1",
        starts_at=now - timedelta(days=9),
        ends_at=now - timedelta(days=2),
    )
    this_week = Shift.objects.create(
        rota=review_rota,
        key="w2",
        starts_at=now - timedelta(days=2),
        ends_at=now + timedelta(days=5),
    )
    Assignment.objects.create(shift=last_week, person=owners["docs-owner"], role="reviewer")
    Assignment.objects.create(shift=this_week, person=owners["global-owner"], role="reviewer")
    with time_machine.travel(now, tick=False):
        page = client.get("/github/components/").content.decode()
    assert "/docs/" in page and "@docs-owner, @js-owner" in page
    # /docs/: nobody on duty owns it; js-owner has never served, docs-owner served last week.
    assert '@js-owner <span class="muted small">(has not served yet)' in page
    # *.py: its owner is on review duty now.
    assert '@global-owner <span class="muted small">(on review duty now)' in page


def test_components_of_private_rotas_stay_hidden_from_outsiders(
    client: Client, repository: Repository, review_rota: Rota
) -> None:
    review_rota.is_public = False
    review_rota.save()
    Component.objects.create(name="secret-area", repository=repository.full_name, rota=review_rota)
    assert "secret-area" not in client.get("/github/components/").content.decode()


def test_the_admin_imports_codeowners_from_github_and_names_bad_lines(
    client: Client, repository: Repository, owners: dict[str, User], standin: StandIn
) -> None:
    admin = User.objects.create_superuser("root", "root@example.org", "pw-for-tests-only-1")
    client.force_login(admin)
    standin.contents["CODEOWNERS"] = "* @global-owner\n!docs @x\n"
    action = {"action": "import_codeowners", "_selected_action": [repository.pk]}
    page = client.post("/admin/github/repository/", action, follow=True).content.decode()
    assert "CODEOWNERS refused: line 2: negation" in page
    assert not OwnershipRule.objects.exists()
    standin.contents["CODEOWNERS"] = "* @global-owner\n"
    page = client.post("/admin/github/repository/", action, follow=True).content.decode()
    assert "1 rules, 1 components" in page
    assert OwnershipRule.objects.get().pattern == "*"
