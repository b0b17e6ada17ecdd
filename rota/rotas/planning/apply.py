"""Writing: the difference between the stored plan and the engine's, and nothing more."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from django.db.models import F

from accounts.models import User
from rota import engine
from rota.rotas.models import (
    Assignment,
    AssignmentSource,
    Release,
    Rota,
    Shift,
    SwapRequest,
    SwapStatus,
)


def _display(user_id: int, names: dict[int, str]) -> str:
    return names.get(user_id, f"#{user_id}")


def plan_apply(
    rota: Rota,
    problem: engine.Problem,
    result: engine.Plan,
    releases: dict[str, Release],
    now: datetime,
) -> list[dict[str, Any]]:
    """Write the difference between the stored plan and `result` for `rota` (the problem may
    hold the other rotas of its community too); return the changes.

    Any write here raises the rota's plan_version, in the same transaction: feeds and pages
    cache under it (rota/feeds/selectors.py), and a moved shift or a rewritten "why you"
    changes what they show as surely as a new person does, though it is no change of seat.
    """
    slots = {s.id: s for s in problem.slots if s.rota == str(rota.pk)}
    shifts = {s.key: s for s in Shift.objects.filter(rota=rota, key__in=slots)}
    coverage = {m.slot_id: m for m in result.metrics.slots}
    unfilled: dict[str, list[dict[str, str]]] = defaultdict(list)
    for u in result.unfilled:
        unfilled[u.slot_id].append({"role": u.role, "reason": u.reason})
    explanations = {(e.slot_id, e.person_id, e.role): e.text for e in result.explanations}
    first_reasons = {(e.slot_id, e.person_id, e.role): e.first for e in result.explanations}

    moved_shift_ids: set[int] = set()
    wrote = False
    for slot in slots.values():
        shift = shifts.get(slot.id)
        covered = _covered_hours(coverage.get(slot.id))
        fields = {
            "starts_at": slot.start,
            "ends_at": slot.end,
            "release": releases.get(slot.id),
            "covered_hours": covered,
            "unfilled": unfilled.get(slot.id, []),
        }
        if shift is None:
            shifts[slot.id] = Shift.objects.create(rota=rota, key=slot.id, **fields)
            wrote = True
            continue
        if shift.starts_at != slot.start or shift.ends_at != slot.end:
            moved_shift_ids.add(shift.pk)
        dirty = [name for name, value in fields.items() if getattr(shift, name) != value]
        for name in dirty:
            setattr(shift, name, fields[name])
        if dirty:
            shift.save(update_fields=dirty)
            wrote = True

    wanted = {
        (a.slot_id, int(a.person_id), a.role) for a in result.assignments if a.slot_id in slots
    }
    stored = list(
        Assignment.objects.active()
        .filter(shift__rota=rota, shift__key__in=slots)
        .select_related("shift")
    )
    have = {(a.shift.key, a.person_id, a.role): a for a in stored}
    # Shifts that no longer exist in the plan (the rota's hand-off or cadence changed, a
    # release was deleted) and have not started: their planned people are off duty. Swaps and
    # managers' overrides are people's own decisions and stay, as they do in every re-plan.
    stale = list(
        Assignment.objects.active()
        .filter(shift__rota=rota, shift__starts_at__gt=now, source=AssignmentSource.PLANNED)
        .exclude(shift__key__in=slots)
        .select_related("shift")
    )
    names = {
        u.pk: u.name
        for u in User.objects.filter(
            pk__in={p for _, p, _ in wanted | set(have)} | {a.person_id for a in stale}
        ).only("username", "display_name", "first_name", "last_name")
    }

    changes: list[dict[str, Any]] = []
    touched_shifts: set[int] = set(moved_shift_ids)
    cancelled = [have[key] for key in sorted(set(have) - wanted)] + stale
    for assignment in cancelled:
        touched_shifts.add(assignment.shift_id)
        key = (assignment.shift.key, assignment.person_id, assignment.role)
        changes.append(_change("removed", key, assignment.shift, names))
    Assignment.objects.filter(pk__in=[a.pk for a in cancelled]).update(
        cancelled_at=now, sequence=F("sequence") + 1, updated_at=now
    )
    # A swap asked for a duty that is no longer the asker's can no longer be taken.
    SwapRequest.objects.filter(
        assignment__in=[a.pk for a in cancelled], status=SwapStatus.OPEN
    ).update(status=SwapStatus.EXPIRED, decided_at=now)
    new_rows = []
    for key in sorted(wanted - set(have)):
        shift = shifts[key[0]]
        new_rows.append(
            Assignment(
                shift=shift,
                person_id=key[1],
                role=key[2],
                explanation=_with_names(explanations.get((key[0], str(key[1]), key[2]), ""), names),
                first_reason=_with_names(
                    first_reasons.get((key[0], str(key[1]), key[2]), ""), names
                ),
            )
        )
        touched_shifts.add(shift.pk)
        changes.append(_change("added", key, shift, names))
    Assignment.objects.bulk_create(new_rows)
    wrote = wrote or bool(cancelled) or bool(new_rows)

    # People who keep their seat: a shift that moved, or whose co-workers changed, is a changed
    # calendar event for them too, so its sequence is raised; a new "why you" is a change too.
    for key in wanted & set(have):
        assignment = have[key]
        text = _with_names(
            explanations.get((key[0], str(key[1]), key[2]), assignment.explanation), names
        )
        update: dict[str, Any] = {}
        if assignment.shift_id in touched_shifts:
            update["sequence"] = F("sequence") + 1
        if text != assignment.explanation:
            update["explanation"] = text
        first = _with_names(first_reasons.get((key[0], str(key[1]), key[2]), ""), names)
        if first and not assignment.first_reason:
            update["first_reason"] = first
        if update:
            Assignment.objects.filter(pk=assignment.pk).update(updated_at=now, **update)
            wrote = True
    if wrote:
        Rota.objects.filter(pk=rota.pk).update(plan_version=F("plan_version") + 1)
    return changes


# The engine names people by id where a reason involves someone else ("moved to you from 17:",
# "when 17 could no longer serve"); the pages show their name instead.
_PERSON_IN_REASON = re.compile(
    r"(?<=from )(\d+)(?=[:, ])|(?<=with )(\d+)(?= to )|(?<=when )(\d+)(?= could )"
    r"|(?<=; )(\d+)(?= could )"
)


def _with_names(text: str, names: dict[int, str]) -> str:
    return _PERSON_IN_REASON.sub(lambda m: _display(int(m.group()), names), text)


def _covered_hours(slot_metrics: engine.SlotMetrics | None) -> list[int]:
    return list(slot_metrics.covered_utc_hours) if slot_metrics else []


def _change(
    kind: str, key: tuple[str, int, str], shift: Shift, names: dict[int, str]
) -> dict[str, Any]:
    return {
        "change": kind,
        "shift": key[0],
        "starts_at": shift.starts_at.astimezone(UTC).isoformat(),
        "person": key[1],
        "name": _display(key[1], names),
        "role": key[2],
    }
