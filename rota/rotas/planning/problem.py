"""Reading: a rota, its members and their availability, as the engine's frozen problem."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from accounts.models import DUTY_LIMIT_FIELDS, User
from accounts.selectors import PersonAvailability, availability_for_users
from rota import engine
from rota.engine.timeslots import utc_to_local_date
from rota.rotas.models import (
    Assignment,
    AssignmentSource,
    Membership,
    Release,
    Rota,
    RotaKind,
)
from rota.rotas.open_work import open_work_wanted

logger = logging.getLogger(__name__)

# How many open items weigh as one recent duty in a fair share: a reviewer drowning in review
# requests is preferred less, but a handful of them never outweighs a week of duty.
OPEN_ITEMS_PER_DUTY = 5
OPEN_WORK_WEEKS = 2


def _open_work(rota_ids: list[int], user_ids: list[int]) -> dict[int, list[engine.PastCount]]:
    counts: dict[int, list[engine.PastCount]] = defaultdict(list)
    for _receiver, answer in open_work_wanted.send(
        sender=Rota, rota_ids=rota_ids, user_ids=user_ids
    ):
        for (user_id, rota_id), items in (answer or {}).items():
            duties = int(items) // OPEN_ITEMS_PER_DUTY
            if duties > 0 and rota_id in rota_ids:
                counts[user_id].append(
                    engine.PastCount(str(rota_id), duties, weeks=OPEN_WORK_WEEKS)
                )
    return counts


HISTORY_WEEKS = 104
# Every 2-, 3-, ...-week shift pattern is phased from this Monday, so a slot's id never
# depends on the day the plan happened to run.
PHASE_ANCHOR = date(2024, 1, 1)


def _rota_rules(rota: Rota) -> engine.RotaRules:
    return engine.RotaRules(
        rota=str(rota.pk),
        kind=rota.kind,
        min_available_fraction=rota.min_available_fraction,
        min_rest=timedelta(hours=rota.min_rest_hours),
        one_per_organisation=rota.one_per_organisation,
        min_coverage_hours=rota.min_coverage_hours,
        history_half_life_weeks=rota.history_half_life_weeks,
        lead_requires_shadow=rota.lead_requires_shadow,
    )


def _first_aligned_handoff(rota: Rota, now: datetime) -> datetime:
    """The start of the shift running at `now` (or the next one), phased from PHASE_ANCHOR."""
    zone = rota.handoff_zone
    today = utc_to_local_date(now, zone)
    day = today - timedelta(days=(today.weekday() - rota.handoff_weekday) % 7)
    anchor = PHASE_ANCHOR + timedelta(days=(rota.handoff_weekday - PHASE_ANCHOR.weekday()) % 7)
    day -= timedelta(weeks=((day - anchor).days // 7) % rota.shift_weeks)
    if engine.local_to_utc(day, rota.handoff_time, zone) > now:
        day -= timedelta(weeks=rota.shift_weeks)
    return engine.local_to_utc(day, rota.handoff_time, zone)


def releases_from_cadence(rota: Rota, today: date, until: date) -> list[Release]:
    """Create the cadence's missing releases up to `until` (idempotent); return them all."""
    if rota.kind != RotaKind.RELEASE:
        return []
    if rota.release_every_weeks and rota.release_weekday is not None:
        last = rota.releases.order_by("-date").first()
        if last is not None:
            first = last.date + timedelta(weeks=rota.release_every_weeks)
        else:
            first = today + timedelta(days=(rota.release_weekday - today.weekday()) % 7)
            first += timedelta(days=rota.release_window_days)
        for day in engine.cadence_dates(first, rota.release_every_weeks, until):
            Release.objects.get_or_create(
                rota=rota,
                version=day.strftime("%Y.%m.%d"),
                defaults={"date": day, "from_cadence": True},
            )
    return list(rota.releases.filter(date__gte=today, date__lte=until).order_by("date"))


def rota_slots(rota: Rota, now: datetime) -> tuple[list[engine.Slot], dict[str, Release]]:
    horizon_end = now + timedelta(weeks=rota.horizon_weeks)
    if rota.kind == RotaKind.RELEASE:
        today = now.date()
        slots, releases = [], {}
        for release in releases_from_cadence(rota, today, horizon_end.date()):
            slot = engine.release_slot(
                str(rota.pk),
                release.version,
                release.date,
                rota.release_window_days,
                rota.handoff_time,
                rota.handoff_zone,
                rota.seat_roles,
            )
            if slot.end > now:
                slots.append(slot)
                releases[slot.id] = release
        return slots, releases
    slots = engine.weekly_slots(
        str(rota.pk),
        rota.handoff_weekday,
        rota.handoff_time,
        rota.handoff_zone,
        _first_aligned_handoff(rota, now),
        horizon_end,
        rota.seat_roles,
        weeks=rota.shift_weeks,
    )
    return list(slots), {}


def _person(
    person: PersonAvailability,
    rotas: dict[int, Rota],
    memberships: list[Membership],
    history: list[engine.PastDuty],
    start: datetime,
    setting: tuple[Any, ...],
) -> engine.Person:
    # A member counts from the day they joined (no debt for duties before that), but may take
    # any slot of this plan, the one already running included.
    joined = min((m.joined_at for m in memberships), default=None)
    share, per_quarter, every_weeks, most, in_weeks, rest_hours = setting
    return engine.Person(
        id=str(person.user_id),
        zone=person.time_zone,
        organisation=person.organisation,
        # The engine reads `end <= start` as overnight, which is what ends_next_day stores.
        windows=tuple(engine.Window(w.weekday, w.start, w.end) for w in person.windows),
        unavailable=tuple(engine.Interval(a, b) for a, b in person.unavailable),
        eligibility=tuple(
            engine.Eligibility(
                rota=str(m.rota_id),
                roles=frozenset(m.roles or rotas[m.rota_id].roles),
                min_weeks_between=m.min_weeks_between,
                max_duties=m.max_duties,
            )
            for m in memberships
            if not m.paused and m.rota_id in rotas
        ),
        history=tuple(history),
        joined=min(joined, start) if joined else None,
        share=engine.SHARES.get(share, 1.0),
        max_per_quarter=per_quarter,
        limits=engine.PersonLimits(
            min_weeks_between=every_weeks or 0,
            max_duties=most if most and in_weeks else None,
            per_weeks=in_weeks if most and in_weeks else 0,
            min_rest=timedelta(hours=rest_hours or 0),
        ),
    )


def _person_check(person: engine.Person) -> None:
    """Raise for data the engine cannot plan with: an unknown zone, an empty or inverted
    interval."""
    ZoneInfo(person.zone)
    for interval in person.unavailable:
        if not interval.start < interval.end:
            raise ValueError(f"an unavailable interval ends before it starts: {interval}")


def _first_reason(explanation: str) -> str:
    """The reason a duty was first given, from an explanation stored before reasons were kept
    apart: its first part, unless that only said the duty was kept from an earlier plan."""
    first = explanation.split(" Your fair share", 1)[0].strip()
    if not first or "kept from the previous plan" in first:
        return ""
    return first


def community_rota_ids(rota_id: int) -> list[int]:
    """The rota and every rota sharing people with it, directly or through others (a
    community is planned in one engine run, so limits across rotas hold), in id order."""
    found = {rota_id}
    frontier = {rota_id}
    while frontier:
        users = Membership.objects.filter(rota_id__in=frontier).values("user_id")
        reached = set(
            Membership.objects.filter(user_id__in=users)
            .exclude(rota_id__in=found)
            .values_list("rota_id", flat=True)
        )
        found |= reached
        frontier = reached
    return sorted(found)


def problem_for_rota(
    rota: Rota, now: datetime
) -> tuple[engine.Problem, dict[str, Release], list[dict[str, object]]]:
    """The engine's problem for one rota alone (see `problem_for_community`)."""
    return problem_for_community([rota], now)


def problem_for_community(
    rotas: list[Rota], now: datetime
) -> tuple[engine.Problem, dict[str, Release], list[dict[str, object]]]:
    """The engine's problem for rotas planned together, their releases by slot, and the
    people left out."""
    by_id = {r.pk: r for r in rotas}
    slots: list[engine.Slot] = []
    releases: dict[str, Release] = {}
    freeze_until: dict[str, datetime] = {}
    for rota in rotas:
        rota_slot_list, rota_releases = rota_slots(rota, now)
        slots.extend(rota_slot_list)
        releases.update(rota_releases)
        freeze_until[str(rota.pk)] = now + timedelta(weeks=rota.freeze_weeks)
    horizon_end = max((s.end for s in slots), default=now)
    first_start = min((s.start for s in slots), default=now)
    slot_ids = {s.id for s in slots}

    current = list(
        Assignment.objects.active()
        .filter(shift__rota__in=by_id, shift__key__in=slot_ids)
        .select_related("shift")
    )
    frozen, previous = [], []
    for a in current:
        item = engine.Assignment(
            a.shift.key, str(a.person_id), a.role, a.first_reason or _first_reason(a.explanation)
        )
        keep = (
            a.shift.starts_at < freeze_until[str(a.shift.rota_id)]
            or a.source != AssignmentSource.PLANNED
        )
        (frozen if keep else previous).append(item)

    memberships = list(Membership.objects.filter(rota__in=by_id).order_by("joined_at", "pk"))
    user_ids = {m.user_id for m in memberships} | {a.person_id for a in current}
    availability = availability_for_users(user_ids, first_start, horizon_end)
    settings = {
        pk: tuple(rest)
        for pk, *rest in User.objects.filter(pk__in=user_ids).values_list("pk", *DUTY_LIMIT_FIELDS)
    }
    by_user: dict[int, list[Membership]] = defaultdict(list)
    for m in memberships:
        by_user[m.user_id].append(m)

    history_start = now - timedelta(weeks=HISTORY_WEEKS)
    history: dict[int, list[engine.PastDuty]] = defaultdict(list)
    past = (
        Assignment.objects.active()
        .filter(person_id__in=user_ids, shift__rota__in=by_id, shift__starts_at__gte=history_start)
        .exclude(shift__key__in=slot_ids)
        .filter(shift__starts_at__lt=now)
        .values_list("person_id", "shift__rota_id", "role", "shift__starts_at", "shift__ends_at")
    )
    for person_id, rota_id, role, starts_at, ends_at in past:
        history[person_id].append(engine.PastDuty(str(rota_id), starts_at, ends_at, role))

    open_work = _open_work(sorted(by_id), sorted(availability))
    people, skipped = [], []
    for uid in sorted(availability):
        person = availability[uid]
        try:
            if person.problem:
                raise ValueError(person.problem)
            built = _person(
                person,
                by_id,
                by_user.get(uid, []),
                history.get(uid, []),
                first_start,
                settings.get(uid, ("full", None, None, None, None, None)),
            )
            if uid in open_work:
                built = replace(built, past_counts=(*built.past_counts, *open_work[uid]))
            _person_check(built)
        except (ValueError, OverflowError, LookupError) as exc:
            # One person's broken data must not stop the plan of everyone else: they take no
            # new duty (their frozen ones stay where they are) and the run names them.
            names = ", ".join(str(r.pk) for r in rotas)
            logger.warning("planning rotas %s leaves out person %s: %s", names, uid, exc)
            skipped.append({"person": uid, "reason": str(exc)[:300]})
            built = engine.Person(
                id=str(uid),
                zone="UTC",
                organisation=person.organisation,
                windows=(),
                unavailable=(),
                eligibility=(),
            )
        people.append(built)
    problem = engine.Problem(
        rotas=tuple(_rota_rules(r) for r in rotas),
        people=tuple(people),
        slots=tuple(slots),
        frozen=tuple(frozen),
        previous=tuple(previous),
        seed=min(by_id),
        now=now,
    )
    return problem, releases, skipped
