from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rota.engine import (
    ProblemFormatError,
    plan,
    plan_to_json,
    problem_from_json,
    problem_to_json,
)
from rota.engine.__main__ import main

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "problem-format.md"


def documented_example() -> dict[str, Any]:
    blocks = re.findall(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    data: dict[str, Any] = json.loads(blocks[-1])
    return data


def test_the_documented_example_parses_and_plans() -> None:
    problem = problem_from_json(documented_example())
    result = plan(problem)
    assert [p.id for p in problem.people] == ["ana", "ravi", "maya", "lee"]
    assert result.metrics.hard_violations == 0
    assert any(
        a.slot_id == "review:2026-11-30" and a.person_id == "ana" for a in result.assignments
    )
    assert json.loads(json.dumps(plan_to_json(result)))["metrics"]["hard_violations"] == 0


def test_a_problem_survives_the_json_round_trip() -> None:
    problem = problem_from_json(documented_example())
    assert problem_from_json(json.loads(json.dumps(problem_to_json(problem)))) == problem


def test_shares_limits_counts_and_reasons_survive_the_json_round_trip() -> None:
    data = documented_example()
    data["people"][0].update(
        share="half",
        max_per_quarter=2,
        limits={"min_weeks_between": 4, "max_duties": 3, "per_weeks": 13, "min_rest_hours": 48},
        history_counts=[{"rota": "review", "duties": 5, "weeks": 26}],
    )
    data["previous"][0]["why"] = "As reviewer: the most owed."
    problem = problem_from_json(data)
    ana = problem.people[0]
    assert (ana.share, ana.max_per_quarter, ana.limits.per_weeks) == (0.5, 2, 13)
    assert problem.previous[0].why == "As reviewer: the most owed."
    assert problem_from_json(json.loads(json.dumps(problem_to_json(problem)))) == problem
    out = plan_to_json(plan(problem))
    assert "coverage_shortfalls" in out
    assert all(e["first_reason"] for e in out["explanations"])


def broken(path: str, value: object) -> dict[str, Any]:
    data = copy.deepcopy(documented_example())
    target: Any = data
    keys = [int(k) if k.isdigit() else k for k in re.findall(r"\w+", path)]
    for key in keys[:-1]:
        target = target[key]
    if value is KeyError:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("people.2.zone", "Mars/Base", "$.people[2].zone: unknown time zone 'Mars/Base'"),
        ("people.0.windows.1.weekday", 7, "$.people[0].windows[1].weekday: must be 0 (Monday)"),
        ("people.0.windows.1.start", "9am", "$.people[0].windows[1].start: not a time of day"),
        ("people.0.unavailable.0.start", "2026-12-21T00:00:00", "needs a UTC offset"),
        ("people.1.id", "ana", "$.people[1].id: duplicate person 'ana'"),
        ("slots.0.roles", [], "$.slots[0].roles: needs at least one seat"),
        ("slots.1.rota", "triage", "$.slots[1].rota: unknown rota 'triage'"),
        ("rotas.0.kind", "chores", "$.rotas[0].kind: must be one of review, release, triage"),
        ("rotas.0.min_available_fraction", 2, "$.rotas[0].min_available_fraction: must be"),
        ("frozen.0.person_id", "zed", "$.frozen[0].person_id: unknown person 'zed'"),
        ("previous.0.slot_id", "review:1999-01-01", "$.previous[0].slot_id: unknown slot"),
        ("people.0.eligibility.0.min_weeks_between", "2", "expected an integer"),
        ("people.1.organisation", KeyError, "$.people[1].organisation: missing"),
        ("seed", True, "$.seed: expected an integer"),
        ("rotas.0.history_half_life_weeks", 0, "$.rotas[0].history_half_life_weeks: must be more"),
        ("rotas.0.history_half_life_weeks", -26, "history_half_life_weeks: must be more than 0"),
        ("now", "1970-01-01T00:00:00Z", "$.now: must be in the years 1971 to 2200"),
        ("people.0.unavailable.0.end", "2201-01-04T00:00:00Z", "must be in the years 1971"),
        ("people.0.share", "most", "$.people[0].share: must be one of full, half, quarter"),
        ("people.0.share", 0, "$.people[0].share: must be more than 0 and at most 1"),
        ("people.0.limits", {"max_duties": 2}, "$.people[0].limits: max_duties and per_weeks"),
        ("people.0.limits", {"min_rest_hours": -1}, "limits.min_rest_hours: must not be negative"),
        ("people.0.max_per_quarter", -1, "$.people[0].max_per_quarter: must be at least 0"),
        ("people.0.history_counts", [{"rota": "x", "duties": 3}], "unknown rota 'x'"),
        ("previous.0.why", 3, "$.previous[0].why: expected a string"),
    ],
)
def test_a_malformed_problem_names_the_json_path(path: str, value: object, message: str) -> None:
    with pytest.raises(ProblemFormatError) as raised:
        problem_from_json(broken(path, value))
    assert message in str(raised.value)
    assert str(raised.value).startswith("$")


def test_the_top_level_must_be_an_object() -> None:
    with pytest.raises(ProblemFormatError, match=r"^\$: expected an object$"):
        problem_from_json([])


def test_the_command_line_prints_the_plan_as_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    problem_file = tmp_path / "problem.json"
    problem_file.write_text(json.dumps(documented_example()), encoding="utf-8")
    assert main(["plan", str(problem_file)]) == 0
    output = json.loads(capsys.readouterr().out)
    assert {"assignments", "unfilled", "explanations", "metrics"} <= output.keys()


def test_the_command_line_exits_2_with_the_path_of_a_bad_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    problem_file = tmp_path / "problem.json"
    problem_file.write_text(json.dumps(broken("people.2.zone", "Mars/Base")), encoding="utf-8")
    assert main(["plan", str(problem_file)]) == 2
    assert "$.people[2].zone: unknown time zone 'Mars/Base'" in capsys.readouterr().err


def test_python_dash_m_rota_engine_runs_as_a_module(tmp_path: Path) -> None:
    problem_file = tmp_path / "problem.json"
    problem_file.write_text("{not json", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "rota.engine", "plan", str(problem_file)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 2
    assert "problem.json" in done.stderr


def test_the_plan_does_not_depend_on_the_process_hash_seed(tmp_path: Path) -> None:
    problem_file = tmp_path / "problem.json"
    problem_file.write_text(json.dumps(documented_example()), encoding="utf-8")
    outputs = set()
    for hash_seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-m", "rota.engine", "plan", str(problem_file)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
            env={"PYTHONHASHSEED": hash_seed, "PATH": ""},
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
