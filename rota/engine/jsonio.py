"""The problem and plan as JSON (see docs/problem-format.md).

Reading is strict: a malformed file raises `ProblemFormatError` naming the JSON path of the
first problem, e.g. `$.people[3].zone: unknown time zone 'Mars/Base'`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfoNotFoundError

from rota.engine.model import (
    EPOCH,
    ROTA_KINDS,
    Assignment,
    Eligibility,
    Interval,
    PastDuty,
    Person,
    Plan,
    Problem,
    RotaRules,
    Slot,
    Window,
)
from rota.engine.timeslots import zone_info

T = TypeVar("T")
_MISSING = object()


class ProblemFormatError(ValueError):
    """A problem file that does not follow the format; the message starts with the JSON path."""


def _fail(path: str, message: str) -> ProblemFormatError:
    return ProblemFormatError(f"{path}: {message}")


def _object(value: object, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(path, "expected an object")
    return value


def _list(value: object, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(path, "expected a list")
    return value


def _field(obj: dict[str, Any], name: str, path: str, default: object = _MISSING) -> Any:
    if name in obj:
        return obj[name]
    if default is _MISSING:
        raise _fail(f"{path}.{name}", "missing")
    return default


def _str(value: object, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise _fail(path, "expected a non-empty string")
    return value


def _int(value: object, path: str, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(path, "expected an integer")
    if minimum is not None and value < minimum:
        raise _fail(path, f"must be at least {minimum}")
    return value


def _number(value: object, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(path, "expected a number")
    return float(value)


def _bool(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(path, "expected true or false")
    return value


def _instant(value: object, path: str) -> datetime:
    text = _str(value, path)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise _fail(path, f"not an ISO 8601 date-time: {text!r}") from None
    if parsed.tzinfo is None:
        raise _fail(path, f"needs a UTC offset (e.g. 'Z'): {text!r}")
    return parsed.astimezone(UTC)


def _clock(value: object, path: str) -> time:
    text = _str(value, path)
    try:
        parsed = time.fromisoformat(text)
    except ValueError:
        raise _fail(path, f"not a time of day like '09:00': {text!r}") from None
    if parsed.tzinfo is not None:
        raise _fail(path, "a local time of day takes no offset")
    return parsed


def _zone(value: object, path: str) -> str:
    name = _str(value, path)
    try:
        zone_info(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail(path, f"unknown time zone {name!r}") from None
    return name


def _each(value: object, path: str, read: Callable[[Any, str], T]) -> tuple[T, ...]:
    return tuple(read(item, f"{path}[{i}]") for i, item in enumerate(_list(value, path)))


def _interval(value: object, path: str) -> Interval:
    obj = _object(value, path)
    start = _instant(_field(obj, "start", path), f"{path}.start")
    end = _instant(_field(obj, "end", path), f"{path}.end")
    if end <= start:
        raise _fail(f"{path}.end", "must be after start")
    return Interval(start, end)


def _window(value: object, path: str) -> Window:
    obj = _object(value, path)
    weekday = _int(_field(obj, "weekday", path), f"{path}.weekday", 0)
    if weekday > 6:
        raise _fail(f"{path}.weekday", "must be 0 (Monday) to 6 (Sunday)")
    start = _clock(_field(obj, "start", path), f"{path}.start")
    end = _clock(_field(obj, "end", path), f"{path}.end")
    return Window(weekday, start, end)


def _eligibility(value: object, path: str) -> Eligibility:
    obj = _object(value, path)
    roles = _each(_field(obj, "roles", path), f"{path}.roles", _str)
    cap = _field(obj, "max_duties", path, None)
    return Eligibility(
        rota=_str(_field(obj, "rota", path), f"{path}.rota"),
        roles=frozenset(roles),
        min_weeks_between=_int(
            _field(obj, "min_weeks_between", path, 1), f"{path}.min_weeks_between", 0
        ),
        max_duties=None if cap is None else _int(cap, f"{path}.max_duties", 0),
    )


def _past_duty(value: object, path: str) -> PastDuty:
    obj = _object(value, path)
    interval = _interval(obj, path)
    return PastDuty(
        rota=_str(_field(obj, "rota", path), f"{path}.rota"),
        start=interval.start,
        end=interval.end,
        role=_str(_field(obj, "role", path), f"{path}.role"),
    )


def _person(value: object, path: str) -> Person:
    obj = _object(value, path)
    joined = _field(obj, "joined", path, None)
    return Person(
        id=_str(_field(obj, "id", path), f"{path}.id"),
        zone=_zone(_field(obj, "zone", path), f"{path}.zone"),
        organisation=_str(_field(obj, "organisation", path), f"{path}.organisation"),
        windows=_each(_field(obj, "windows", path), f"{path}.windows", _window),
        unavailable=_each(_field(obj, "unavailable", path, []), f"{path}.unavailable", _interval),
        eligibility=_each(_field(obj, "eligibility", path), f"{path}.eligibility", _eligibility),
        history=_each(_field(obj, "history", path, []), f"{path}.history", _past_duty),
        joined=None if joined is None else _instant(joined, f"{path}.joined"),
    )


def _slot(value: object, path: str) -> Slot:
    obj = _object(value, path)
    interval = _interval(obj, path)
    roles = _each(_field(obj, "roles", path), f"{path}.roles", _str)
    if not roles:
        raise _fail(f"{path}.roles", "needs at least one seat")
    return Slot(
        id=_str(_field(obj, "id", path), f"{path}.id"),
        rota=_str(_field(obj, "rota", path), f"{path}.rota"),
        start=interval.start,
        end=interval.end,
        roles=roles,
    )


def _rules(value: object, path: str) -> RotaRules:
    obj = _object(value, path)
    kind = _str(_field(obj, "kind", path), f"{path}.kind")
    if kind not in ROTA_KINDS:
        raise _fail(f"{path}.kind", f"must be one of {', '.join(ROTA_KINDS)}, not {kind!r}")
    fraction = _number(
        _field(obj, "min_available_fraction", path, 0.5), f"{path}.min_available_fraction"
    )
    if not 0 <= fraction <= 1:
        raise _fail(f"{path}.min_available_fraction", "must be between 0 and 1")
    rest = _number(_field(obj, "min_rest_hours", path, 0), f"{path}.min_rest_hours")
    if rest < 0:
        raise _fail(f"{path}.min_rest_hours", "must not be negative")
    return RotaRules(
        rota=_str(_field(obj, "rota", path), f"{path}.rota"),
        kind=kind,
        min_available_fraction=fraction,
        min_rest=timedelta(hours=rest),
        one_per_organisation=_bool(
            _field(obj, "one_per_organisation", path, True), f"{path}.one_per_organisation"
        ),
        min_coverage_hours=_int(
            _field(obj, "min_coverage_hours", path, 0), f"{path}.min_coverage_hours", 0
        ),
        history_half_life_weeks=_number(
            _field(obj, "history_half_life_weeks", path, 26.0), f"{path}.history_half_life_weeks"
        ),
        lead_requires_shadow=_bool(
            _field(obj, "lead_requires_shadow", path, True), f"{path}.lead_requires_shadow"
        ),
    )


def _assignment(value: object, path: str) -> Assignment:
    obj = _object(value, path)
    return Assignment(
        slot_id=_str(_field(obj, "slot_id", path), f"{path}.slot_id"),
        person_id=_str(_field(obj, "person_id", path), f"{path}.person_id"),
        role=_str(_field(obj, "role", path), f"{path}.role"),
    )


def _unique(ids: list[str], path: str, what: str) -> None:
    seen: set[str] = set()
    for i, item in enumerate(ids):
        if item in seen:
            raise _fail(
                f"{path}[{i}].id" if what != "rota" else f"{path}[{i}].rota",
                f"duplicate {what} {item!r}",
            )
        seen.add(item)


def problem_from_json(data: object) -> Problem:
    """Read a problem from parsed JSON; raises `ProblemFormatError` naming the bad path."""
    root = _object(data, "$")
    rotas = _each(_field(root, "rotas", "$"), "$.rotas", _rules)
    people = _each(_field(root, "people", "$"), "$.people", _person)
    slots = _each(_field(root, "slots", "$"), "$.slots", _slot)
    frozen = _each(_field(root, "frozen", "$", []), "$.frozen", _assignment)
    previous = _each(_field(root, "previous", "$", []), "$.previous", _assignment)
    _unique([r.rota for r in rotas], "$.rotas", "rota")
    _unique([p.id for p in people], "$.people", "person")
    _unique([s.id for s in slots], "$.slots", "slot")
    rota_names = {r.rota for r in rotas}
    for i, slot in enumerate(slots):
        if slot.rota not in rota_names:
            raise _fail(f"$.slots[{i}].rota", f"unknown rota {slot.rota!r}")
    slot_ids = {s.id for s in slots}
    person_ids = {p.id for p in people}
    for name, entries in (("frozen", frozen), ("previous", previous)):
        for i, a in enumerate(entries):
            if a.slot_id not in slot_ids:
                raise _fail(f"$.{name}[{i}].slot_id", f"unknown slot {a.slot_id!r}")
            if a.person_id not in person_ids:
                raise _fail(f"$.{name}[{i}].person_id", f"unknown person {a.person_id!r}")
    now = _field(root, "now", "$", None)
    return Problem(
        rotas=rotas,
        people=people,
        slots=slots,
        frozen=frozen,
        previous=previous,
        seed=_int(_field(root, "seed", "$", 0), "$.seed"),
        now=EPOCH if now is None else _instant(now, "$.now"),
    )


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _assignment_json(a: Assignment) -> dict[str, str]:
    return {"slot_id": a.slot_id, "person_id": a.person_id, "role": a.role}


def problem_to_json(problem: Problem) -> dict[str, Any]:
    def interval(i: Interval | PastDuty | Slot) -> dict[str, str]:
        return {"start": _iso(i.start), "end": _iso(i.end)}

    data: dict[str, Any] = {
        "seed": problem.seed,
        "rotas": [
            {
                "rota": r.rota,
                "kind": r.kind,
                "min_available_fraction": r.min_available_fraction,
                "min_rest_hours": r.min_rest.total_seconds() / 3600,
                "one_per_organisation": r.one_per_organisation,
                "min_coverage_hours": r.min_coverage_hours,
                "history_half_life_weeks": r.history_half_life_weeks,
                "lead_requires_shadow": r.lead_requires_shadow,
            }
            for r in problem.rotas
        ],
        "people": [
            {
                "id": p.id,
                "zone": p.zone,
                "organisation": p.organisation,
                "windows": [
                    {"weekday": w.weekday, "start": w.start.isoformat(), "end": w.end.isoformat()}
                    for w in p.windows
                ],
                "unavailable": [interval(i) for i in p.unavailable],
                "eligibility": [
                    {
                        "rota": e.rota,
                        "roles": sorted(e.roles),
                        "min_weeks_between": e.min_weeks_between,
                        "max_duties": e.max_duties,
                    }
                    for e in p.eligibility
                ],
                "history": [{"rota": d.rota, "role": d.role, **interval(d)} for d in p.history],
                "joined": None if p.joined is None else _iso(p.joined),
            }
            for p in problem.people
        ],
        "slots": [
            {"id": s.id, "rota": s.rota, **interval(s), "roles": list(s.roles)}
            for s in problem.slots
        ],
        "frozen": [_assignment_json(a) for a in problem.frozen],
        "previous": [_assignment_json(a) for a in problem.previous],
    }
    if problem.now != EPOCH:
        data["now"] = _iso(problem.now)
    return data


def plan_to_json(plan: Plan) -> dict[str, Any]:
    m = plan.metrics
    return {
        "assignments": [_assignment_json(a) for a in plan.assignments],
        "unfilled": [
            {"slot_id": u.slot_id, "role": u.role, "reason": u.reason} for u in plan.unfilled
        ],
        "explanations": [
            {"slot_id": e.slot_id, "person_id": e.person_id, "role": e.role, "text": e.text}
            for e in plan.explanations
        ],
        "metrics": {
            "worst_deviation": round(m.worst_deviation, 4),
            "spread": round(m.spread, 4),
            "gini": round(m.gini, 4),
            "min_coverage_hours": m.min_coverage_hours,
            "mean_coverage_hours": round(m.mean_coverage_hours, 2),
            "worst_organisation_deviation": round(m.worst_organisation_deviation, 4),
            "kept": m.kept,
            "changed": m.changed,
            "hard_violations": m.hard_violations,
            "violations": list(m.violations),
            "unfilled": m.unfilled,
            "organisation_conflicts": m.organisation_conflicts,
            "leads_without_shadow": m.leads_without_shadow,
            "people": [
                {
                    "person_id": p.person_id,
                    "duties": p.duties,
                    "load": round(p.load, 4),
                    "fair_share": round(p.fair_share, 4),
                    "deviation": round(p.deviation, 4),
                }
                for p in m.people
            ],
            "slots": [
                {
                    "slot_id": s.slot_id,
                    "seats": s.seats,
                    "filled": s.filled,
                    "covered_hours": s.covered_hours,
                }
                for s in m.slots
            ],
            "organisations": [
                {
                    "organisation": o.organisation,
                    "duties": o.duties,
                    "share": round(o.share, 4),
                    "expected_share": round(o.expected_share, 4),
                    "deviation": round(o.deviation, 4),
                }
                for o in m.organisations
            ],
        },
    }
