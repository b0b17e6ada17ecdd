"""The problem and plan as JSON (see docs/problem-format.md).

Reading is strict: a malformed file raises `ProblemFormatError` naming the JSON path of the
first problem, e.g. `$.people[3].zone: unknown time zone 'Mars/Base'`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from rota.engine.jsonfields import (
    fail,
    read_bool,
    read_clock,
    read_each,
    read_field,
    read_instant,
    read_int,
    read_number,
    read_object,
    read_str,
    read_zone,
)
from rota.engine.model import (
    EPOCH,
    ROTA_KINDS,
    SHARES,
    Assignment,
    Eligibility,
    Interval,
    PastCount,
    PastDuty,
    Person,
    PersonLimits,
    Plan,
    Problem,
    RotaRules,
    Slot,
    Window,
)


def _interval(value: object, path: str) -> Interval:
    obj = read_object(value, path)
    start = read_instant(read_field(obj, "start", path), f"{path}.start")
    end = read_instant(read_field(obj, "end", path), f"{path}.end")
    if end <= start:
        raise fail(f"{path}.end", "must be after start")
    return Interval(start, end)


def _window(value: object, path: str) -> Window:
    obj = read_object(value, path)
    weekday = read_int(read_field(obj, "weekday", path), f"{path}.weekday", 0)
    if weekday > 6:
        raise fail(f"{path}.weekday", "must be 0 (Monday) to 6 (Sunday)")
    start = read_clock(read_field(obj, "start", path), f"{path}.start")
    end = read_clock(read_field(obj, "end", path), f"{path}.end")
    return Window(weekday, start, end)


def _eligibility(value: object, path: str) -> Eligibility:
    obj = read_object(value, path)
    roles = read_each(read_field(obj, "roles", path), f"{path}.roles", read_str)
    cap = read_field(obj, "max_duties", path, None)
    return Eligibility(
        rota=read_str(read_field(obj, "rota", path), f"{path}.rota"),
        roles=frozenset(roles),
        min_weeks_between=read_int(
            read_field(obj, "min_weeks_between", path, 1), f"{path}.min_weeks_between", 0
        ),
        max_duties=None if cap is None else read_int(cap, f"{path}.max_duties", 0),
    )


def _past_duty(value: object, path: str) -> PastDuty:
    obj = read_object(value, path)
    interval = _interval(obj, path)
    return PastDuty(
        rota=read_str(read_field(obj, "rota", path), f"{path}.rota"),
        start=interval.start,
        end=interval.end,
        role=read_str(read_field(obj, "role", path), f"{path}.role"),
    )


def _share(value: object, path: str) -> float:
    if isinstance(value, str):
        if value not in SHARES:
            raise fail(path, f"must be one of {', '.join(SHARES)} or a number, not {value!r}")
        return SHARES[value]
    share = read_number(value, path)
    if not 0 < share <= 1:
        raise fail(path, "must be more than 0 and at most 1")
    return share


def _limits(value: object, path: str) -> PersonLimits:
    obj = read_object(value, path)
    cap = read_field(obj, "max_duties", path, None)
    per_weeks = read_field(obj, "per_weeks", path, None)
    if (cap is None) != (per_weeks is None):
        raise fail(path, "max_duties and per_weeks go together")
    rest = read_number(read_field(obj, "min_rest_hours", path, 0), f"{path}.min_rest_hours")
    if rest < 0:
        raise fail(f"{path}.min_rest_hours", "must not be negative")
    return PersonLimits(
        min_weeks_between=read_int(
            read_field(obj, "min_weeks_between", path, 0), f"{path}.min_weeks_between", 0
        ),
        max_duties=None if cap is None else read_int(cap, f"{path}.max_duties", 0),
        per_weeks=0 if per_weeks is None else read_int(per_weeks, f"{path}.per_weeks", 1),
        min_rest=timedelta(hours=rest),
    )


def _past_count(value: object, path: str) -> PastCount:
    obj = read_object(value, path)
    return PastCount(
        rota=read_str(read_field(obj, "rota", path), f"{path}.rota"),
        duties=read_int(read_field(obj, "duties", path), f"{path}.duties", 0),
        weeks=read_int(read_field(obj, "weeks", path, 52), f"{path}.weeks", 1),
    )


def _person(value: object, path: str) -> Person:
    obj = read_object(value, path)
    joined = read_field(obj, "joined", path, None)
    quarter = read_field(obj, "max_per_quarter", path, None)
    return Person(
        id=read_str(read_field(obj, "id", path), f"{path}.id"),
        zone=read_zone(read_field(obj, "zone", path), f"{path}.zone"),
        organisation=read_str(read_field(obj, "organisation", path), f"{path}.organisation"),
        windows=read_each(read_field(obj, "windows", path), f"{path}.windows", _window),
        unavailable=read_each(
            read_field(obj, "unavailable", path, []), f"{path}.unavailable", _interval
        ),
        eligibility=read_each(
            read_field(obj, "eligibility", path), f"{path}.eligibility", _eligibility
        ),
        history=read_each(read_field(obj, "history", path, []), f"{path}.history", _past_duty),
        joined=None if joined is None else read_instant(joined, f"{path}.joined"),
        share=_share(read_field(obj, "share", path, 1.0), f"{path}.share"),
        max_per_quarter=None
        if quarter is None
        else read_int(quarter, f"{path}.max_per_quarter", 0),
        limits=_limits(read_field(obj, "limits", path, {}), f"{path}.limits"),
        past_counts=read_each(
            read_field(obj, "history_counts", path, []), f"{path}.history_counts", _past_count
        ),
    )


def _slot(value: object, path: str) -> Slot:
    obj = read_object(value, path)
    interval = _interval(obj, path)
    roles = read_each(read_field(obj, "roles", path), f"{path}.roles", read_str)
    if not roles:
        raise fail(f"{path}.roles", "needs at least one seat")
    return Slot(
        id=read_str(read_field(obj, "id", path), f"{path}.id"),
        rota=read_str(read_field(obj, "rota", path), f"{path}.rota"),
        start=interval.start,
        end=interval.end,
        roles=roles,
    )


def _rules(value: object, path: str) -> RotaRules:
    obj = read_object(value, path)
    kind = read_str(read_field(obj, "kind", path), f"{path}.kind")
    if kind not in ROTA_KINDS:
        raise fail(f"{path}.kind", f"must be one of {', '.join(ROTA_KINDS)}, not {kind!r}")
    fraction = read_number(
        read_field(obj, "min_available_fraction", path, 0.5), f"{path}.min_available_fraction"
    )
    if not 0 <= fraction <= 1:
        raise fail(f"{path}.min_available_fraction", "must be between 0 and 1")
    rest = read_number(read_field(obj, "min_rest_hours", path, 0), f"{path}.min_rest_hours")
    if rest < 0:
        raise fail(f"{path}.min_rest_hours", "must not be negative")
    half_life = read_number(
        read_field(obj, "history_half_life_weeks", path, 26.0), f"{path}.history_half_life_weeks"
    )
    if not half_life > 0:
        raise fail(f"{path}.history_half_life_weeks", "must be more than 0")
    return RotaRules(
        rota=read_str(read_field(obj, "rota", path), f"{path}.rota"),
        kind=kind,
        min_available_fraction=fraction,
        min_rest=timedelta(hours=rest),
        one_per_organisation=read_bool(
            read_field(obj, "one_per_organisation", path, True), f"{path}.one_per_organisation"
        ),
        min_coverage_hours=read_int(
            read_field(obj, "min_coverage_hours", path, 0), f"{path}.min_coverage_hours", 0
        ),
        history_half_life_weeks=half_life,
        lead_requires_shadow=read_bool(
            read_field(obj, "lead_requires_shadow", path, True), f"{path}.lead_requires_shadow"
        ),
    )


def _assignment(value: object, path: str) -> Assignment:
    obj = read_object(value, path)
    why = read_field(obj, "why", path, "")
    if not isinstance(why, str):
        raise fail(f"{path}.why", "expected a string")
    return Assignment(
        slot_id=read_str(read_field(obj, "slot_id", path), f"{path}.slot_id"),
        person_id=read_str(read_field(obj, "person_id", path), f"{path}.person_id"),
        role=read_str(read_field(obj, "role", path), f"{path}.role"),
        why=why,
    )


def _unique(ids: list[str], path: str, what: str) -> None:
    seen: set[str] = set()
    for i, item in enumerate(ids):
        if item in seen:
            raise fail(
                f"{path}[{i}].id" if what != "rota" else f"{path}[{i}].rota",
                f"duplicate {what} {item!r}",
            )
        seen.add(item)


def problem_from_json(data: object) -> Problem:
    """Read a problem from parsed JSON; raises `ProblemFormatError` naming the bad path."""
    root = read_object(data, "$")
    rotas = read_each(read_field(root, "rotas", "$"), "$.rotas", _rules)
    people = read_each(read_field(root, "people", "$"), "$.people", _person)
    slots = read_each(read_field(root, "slots", "$"), "$.slots", _slot)
    frozen = read_each(read_field(root, "frozen", "$", []), "$.frozen", _assignment)
    previous = read_each(read_field(root, "previous", "$", []), "$.previous", _assignment)
    _unique([r.rota for r in rotas], "$.rotas", "rota")
    _unique([p.id for p in people], "$.people", "person")
    _unique([s.id for s in slots], "$.slots", "slot")
    rota_names = {r.rota for r in rotas}
    for i, slot in enumerate(slots):
        if slot.rota not in rota_names:
            raise fail(f"$.slots[{i}].rota", f"unknown rota {slot.rota!r}")
    for i, person in enumerate(people):
        for j, count in enumerate(person.past_counts):
            if count.rota not in rota_names:
                raise fail(
                    f"$.people[{i}].history_counts[{j}].rota", f"unknown rota {count.rota!r}"
                )
    slot_ids = {s.id for s in slots}
    person_ids = {p.id for p in people}
    for name, entries in (("frozen", frozen), ("previous", previous)):
        for i, a in enumerate(entries):
            if a.slot_id not in slot_ids:
                raise fail(f"$.{name}[{i}].slot_id", f"unknown slot {a.slot_id!r}")
            if a.person_id not in person_ids:
                raise fail(f"$.{name}[{i}].person_id", f"unknown person {a.person_id!r}")
    now = read_field(root, "now", "$", None)
    return Problem(
        rotas=rotas,
        people=people,
        slots=slots,
        frozen=frozen,
        previous=previous,
        seed=read_int(read_field(root, "seed", "$", 0), "$.seed"),
        now=EPOCH if now is None else read_instant(now, "$.now"),
    )


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _assignment_json(a: Assignment) -> dict[str, str]:
    data = {"slot_id": a.slot_id, "person_id": a.person_id, "role": a.role}
    if a.why:
        data["why"] = a.why
    return data


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
                "share": p.share,
                "max_per_quarter": p.max_per_quarter,
                "limits": {
                    "min_weeks_between": p.limits.min_weeks_between,
                    "min_rest_hours": p.limits.min_rest.total_seconds() / 3600,
                    **(
                        {"max_duties": p.limits.max_duties, "per_weeks": p.limits.per_weeks}
                        if p.limits.max_duties is not None
                        else {}
                    ),
                },
                "history_counts": [
                    {"rota": c.rota, "duties": c.duties, "weeks": c.weeks} for c in p.past_counts
                ],
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
            {
                "slot_id": e.slot_id,
                "person_id": e.person_id,
                "role": e.role,
                "text": e.text,
                "first_reason": e.first,
            }
            for e in plan.explanations
        ],
        "coverage_shortfalls": [
            {
                "slot_id": c.slot_id,
                "covered_hours": c.covered_hours,
                "target_hours": c.target_hours,
                "reason": c.reason,
            }
            for c in plan.shortfalls
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
                    "covered_utc_hours": list(s.covered_utc_hours),
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
