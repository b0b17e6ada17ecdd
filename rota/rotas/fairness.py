"""Reads for the fairness report: per person, organisation and region, with pictures.

Every number comes from the planner's metrics of the rota's latest applied plan (stored on its
PlanRun), so the report shows what the planner balanced, not a second opinion. The pictures
are SVG drawn here on the server, each with a text alternative, and a CSV carries the same
numbers.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Max, Min, Q
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from accounts.models import User
from rota.rotas.models import Assignment, Membership, PlanRun, PlanRunStatus, Rota, Shift

REGIONS = ("APAC", "EMEA", "Americas")


def region_of(zone: str, at: datetime) -> str:
    """A zone's region by its UTC offset at `at`: west of UTC-2 the Americas, up to UTC+5
    Europe, the Middle East and Africa, from UTC+5 (India on) Asia-Pacific."""
    try:
        offset = at.astimezone(ZoneInfo(zone)).utcoffset() or timedelta(0)
    except (ValueError, LookupError):
        return "EMEA"
    hours = offset.total_seconds() / 3600
    if hours < -2:
        return "Americas"
    if hours < 5:
        return "EMEA"
    return "APAC"


@dataclass(frozen=True)
class PersonFairness:
    person_id: int
    name: str
    organisation: str
    zone: str
    region: str
    duties: int
    load: float
    fair_share: float
    deviation: float
    last_duty: datetime | None
    next_duty: datetime | None
    share: str


@dataclass(frozen=True)
class GroupFairness:
    name: str
    duties: int
    share: float
    expected_share: float

    @property
    def deviation(self) -> float:
        return round(self.share - self.expected_share, 4)


@dataclass
class FairnessReport:
    rota: Rota
    run: PlanRun | None
    people: list[PersonFairness] = field(default_factory=list)
    organisations: list[GroupFairness] = field(default_factory=list)
    regions: list[GroupFairness] = field(default_factory=list)
    weeks: list[Shift] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


def _share_text(membership: Membership | None, user: User | None) -> str:
    if membership is None:
        return "not a member"
    parts = []
    if user is not None:
        parts.append(user.get_duty_share_display().lower())
        if user.max_duties_per_quarter is not None:
            parts.append(f"at most {user.max_duties_per_quarter} duties a quarter")
    parts.append(f"at most one duty every {membership.min_weeks_between} weeks")
    if membership.max_duties is not None:
        parts.append(f"at most {membership.max_duties} in the horizon")
    if membership.paused:
        parts.append("paused")
    return ", ".join(parts)


def fairness_report(rota: Rota, now: datetime) -> FairnessReport:
    """The fairness of the rota's latest applied plan, over that plan's horizon. Organisation
    shares are the planner's, over the rota's whole community (the rotas that share people)."""
    run = (
        PlanRun.objects.filter(rota=rota, status=PlanRunStatus.APPLIED)
        .order_by("-started_at", "-pk")
        .first()
    )
    report = FairnessReport(rota, run)
    if run is None:
        return report
    metrics = run.metrics or {}
    # A plan covers the rota's whole community: report the people of this rota (its members
    # and whoever holds one of its duties), with the planner's numbers for each.
    memberships = {m.user_id: m for m in Membership.objects.filter(rota=rota)}
    ours = set(memberships) | set(
        Assignment.objects.active().filter(shift__rota=rota).values_list("person_id", flat=True)
    )
    rows = [
        p
        for p in metrics.get("people", [])
        if str(p.get("person_id", "")).isdigit() and int(p["person_id"]) in ours
    ]
    ids = [int(p["person_id"]) for p in rows]
    users = {
        u.pk: u
        for u in User.objects.filter(pk__in=ids).only(
            "username",
            "display_name",
            "first_name",
            "last_name",
            "organisation",
            "time_zone",
            "duty_share",
            "max_duties_per_quarter",
        )
    }
    duties = {
        row["person_id"]: row
        for row in Assignment.objects.active()
        .filter(shift__rota=rota, person_id__in=ids)
        .values("person_id")
        .annotate(
            last=Max("shift__starts_at", filter=Q(shift__starts_at__lt=now)),
            next=Min("shift__starts_at", filter=Q(shift__starts_at__gte=now)),
        )
    }
    for row in rows:
        pid = int(row["person_id"])
        user = users.get(pid)
        zone = user.time_zone if user else "UTC"
        report.people.append(
            PersonFairness(
                person_id=pid,
                name=user.name if user else "A former volunteer",
                organisation=user.organisation if user else "",
                zone=zone,
                region=region_of(zone, now),
                duties=int(row.get("duties", 0)),
                load=float(row.get("load", 0.0)),
                fair_share=float(row.get("fair_share", 0.0)),
                deviation=float(row.get("deviation", 0.0)),
                last_duty=duties.get(pid, {}).get("last"),
                next_duty=duties.get(pid, {}).get("next"),
                share=_share_text(memberships.get(pid), user),
            )
        )
    report.people.sort(key=lambda p: (p.deviation, p.name))
    report.organisations = [
        GroupFairness(
            str(o["organisation"]),
            int(o["duties"]),
            float(o["share"]),
            float(o["expected_share"]),
        )
        for o in metrics.get("organisations", [])
    ]
    report.regions = _regions(report.people)
    slot_ids = [s["slot_id"] for s in metrics.get("slots", [])]
    report.weeks = list(Shift.objects.filter(rota=rota, key__in=slot_ids).order_by("starts_at"))
    report.summary = {
        key: metrics.get(key)
        for key in (
            "worst_deviation",
            "spread",
            "gini",
            "min_coverage_hours",
            "mean_coverage_hours",
            "worst_organisation_deviation",
            "unfilled",
            "hard_violations",
        )
    }
    return report


def _regions(people: list[PersonFairness]) -> list[GroupFairness]:
    """A region's share of the (decayed) load against its share of everyone's fair share,
    the same measure the planner uses for organisations."""
    total_load = sum(p.load for p in people) or 1.0
    total_share = sum(p.fair_share for p in people) or 1.0
    found = []
    for region in REGIONS:
        members = [p for p in people if p.region == region]
        found.append(
            GroupFairness(
                region,
                sum(p.duties for p in members),
                round(sum(p.load for p in members) / total_load, 4),
                round(sum(p.fair_share for p in members) / total_share, 4),
            )
        )
    return found


def fairness_csv(report: FairnessReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["kind", "name", "organisation", "zone", "region", "duties", "load", "fair_share",
         "deviation", "last_duty", "next_duty"]
    )  # fmt: skip
    for p in report.people:
        writer.writerow(
            ["person", _csv_safe(p.name), _csv_safe(p.organisation), p.zone, p.region, p.duties,
             p.load, p.fair_share, p.deviation,
             p.last_duty.isoformat() if p.last_duty else "",
             p.next_duty.isoformat() if p.next_duty else ""]
        )  # fmt: skip
    for kind, groups in (("organisation", report.organisations), ("region", report.regions)):
        for g in groups:
            writer.writerow(
                [kind, _csv_safe(g.name), "", "", "", g.duties, g.share, g.expected_share,
                 g.deviation, "", ""]
            )  # fmt: skip
    return out.getvalue()


def _csv_safe(text: str) -> str:
    """A spreadsheet runs a cell that starts with = + - @ as a formula: quote it."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# --- pictures ------------------------------------------------------------------------------

ROW = 20
LABEL = 170
BAR = 360


def load_chart_svg(people: list[PersonFairness]) -> SafeString:
    """Each person's load (bar) against their fair share (a tick)."""
    if not people:
        return SafeString("")
    scale = max(max(p.load, p.fair_share) for p in people) or 1.0
    height = ROW * len(people) + 10
    rows = format_html_join(
        "",
        '<g transform="translate(0,{})"><text x="{}" y="14" text-anchor="end">{}</text>'
        '<rect x="{}" y="3" width="{}" height="13" class="{}"><title>{}: load {}, fair share {}'
        '</title></rect><line x1="{}" x2="{}" y1="0" y2="19" class="fair-share"/></g>',
        (
            (
                ROW * i,
                LABEL - 6,
                p.name,
                LABEL,
                round(BAR * p.load / scale, 1),
                "over" if p.deviation > 1 else "under" if p.deviation < -1 else "even",
                p.name,
                round(p.load, 2),
                round(p.fair_share, 2),
                round(LABEL + BAR * p.fair_share / scale, 1),
                round(LABEL + BAR * p.fair_share / scale, 1),
            )
            for i, p in enumerate(people)
        ),
    )
    return format_html(
        '<svg class="chart" role="img" aria-labelledby="load-title load-desc" viewBox="0 0 {} {}" '
        'xmlns="http://www.w3.org/2000/svg"><title id="load-title">Load against fair share'
        '</title><desc id="load-desc">One bar per person: the duties they carry (recent ones '
        "weighted more); the line marks their fair share. The table below has the numbers."
        "</desc>{}</svg>",
        LABEL + BAR + 20,
        height,
        rows,
    )


def coverage_heatmap_svg(weeks: list[Shift]) -> SafeString:
    """Weeks down, UTC hours of the day across; a filled cell is an hour someone on duty works."""
    if not weeks:
        return SafeString("")
    cell, left = 14, 90
    cells = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" class="{}"/>',
        (
            (left + hour * cell, 16 + row * cell, cell - 1, cell - 1,
             "on" if hour in set(shift.covered_hours or []) else "off")
            for row, shift in enumerate(weeks)
            for hour in range(24)
        ),
    )  # fmt: skip
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end">{}</text>',
        (
            (left - 4, 16 + row * cell + 11, _week_label(shift))
            for row, shift in enumerate(weeks)
        ),
    )  # fmt: skip
    hours = format_html_join(
        "",
        '<text x="{}" y="11" text-anchor="middle">{}</text>',
        ((left + h * cell + cell // 2, f"{h:02d}") for h in range(0, 24, 3)),
    )
    return format_html(
        '<svg class="chart heatmap" role="img" aria-labelledby="heat-title heat-desc" '
        'viewBox="0 0 {} {}" xmlns="http://www.w3.org/2000/svg"><title id="heat-title">'
        'Coverage by week and UTC hour</title><desc id="heat-desc">One row per shift, one '
        "column per UTC hour; filled cells are hours inside the working hours of someone on "
        "duty. Each row's label gives the number of covered hours.</desc>{}{}{}</svg>",
        left + 24 * cell + 4,
        16 + len(weeks) * cell + 4,
        hours,
        labels,
        cells,
    )


def _week_label(shift: Shift) -> str:
    return f"{shift.starts_at:%d %b} ({len(shift.covered_hours or [])} h)"


def organisation_chart_svg(groups: list[GroupFairness], label: str) -> SafeString:
    """Each group's share of the load (bar) against its share of available people (tick)."""
    if not groups:
        return SafeString("")
    rows = format_html_join(
        "",
        '<g transform="translate(0,{})"><text x="{}" y="14" text-anchor="end">{}</text>'
        '<rect x="{}" y="3" width="{}" height="13" class="even"><title>{}: {}% of duties, {}% '
        'expected</title></rect><line x1="{}" x2="{}" y1="0" y2="19" class="fair-share"/></g>',
        (
            (
                ROW * i,
                LABEL - 6,
                g.name,
                LABEL,
                round(BAR * g.share, 1),
                g.name,
                round(100 * g.share, 1),
                round(100 * g.expected_share, 1),
                round(LABEL + BAR * g.expected_share, 1),
                round(LABEL + BAR * g.expected_share, 1),
            )
            for i, g in enumerate(groups)
        ),
    )
    return format_html(
        '<svg class="chart" role="img" aria-label="{}: share of duties (bar) against share of '
        'available people (line)" viewBox="0 0 {} {}" xmlns="http://www.w3.org/2000/svg">{}'
        "</svg>",
        label,
        LABEL + BAR + 20,
        ROW * len(groups) + 10,
        rows,
    )
