"""Writes: a rota's releases and settings, by its managers, without the admin.

Each checks that the actor manages the rota, validates like the model and the database do,
writes all or nothing, and leaves a line in the audit log. Saving a release or a rota asks for
a re-plan through the signals in rota.rotas.signals (an outbox row in the same transaction),
so a moved release moves its duty.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User
from rota.rotas.models import ManagerAction, ManagerActionKind, Release, Rota, RotaKind
from rota.rotas.publishing import rota_manager_check

MAX_RELEASES_AT_ONCE = 52


def release_versions(
    pattern: str, first: date, every_weeks: int, count: int, start: int
) -> list[tuple[str, date]]:
    """The versions and dates of a cadence: `pattern` may use {n} (a running number from
    `start`) and {date} (the release date, e.g. {date:%Y.%m})."""
    if "{n" not in pattern and "{date" not in pattern:
        raise ValidationError({"pattern": "Use {n} or {date:...} so each version differs."})
    found = []
    for index in range(count):
        day = first + timedelta(weeks=every_weeks * index)
        try:
            version = pattern.format(n=start + index, date=day)
        except (KeyError, IndexError, ValueError) as exc:
            raise ValidationError({"pattern": f"This pattern cannot be filled in: {exc}."}) from exc
        found.append((version.strip(), day))
    return found


@transaction.atomic
def releases_add(
    actor: User,
    rota: Rota,
    releases: list[tuple[str, date]],
    *,
    reason: str = "",
) -> list[Release]:
    rota_manager_check(actor, rota)
    if rota.kind != RotaKind.RELEASE:
        raise ValidationError("Only a release rota has releases.")
    if not releases or len(releases) > MAX_RELEASES_AT_ONCE:
        raise ValidationError({"count": f"Add between 1 and {MAX_RELEASES_AT_ONCE} releases."})
    taken = set(Release.objects.filter(rota=rota).values_list("version", flat=True))
    created = []
    for version, day in releases:
        if version in taken:
            raise ValidationError({"version": f"{rota.name} already has a release {version}."})
        taken.add(version)
        release = Release(rota=rota, version=version, date=day)
        release.full_clean()
        release.save()
        created.append(release)
    names = ", ".join(r.version for r in created)
    _log(actor, rota, ManagerActionKind.RELEASE_ADD, f"Added {names}", reason)
    return created


def _release_of(actor: User, release_id: int) -> Release:
    release = Release.objects.select_related("rota").filter(pk=release_id).first()
    if release is None:
        raise PermissionDenied("No such release.")
    rota_manager_check(actor, release.rota)
    return release


@transaction.atomic
def release_move(actor: User, release_id: int, new_date: date, *, reason: str = "") -> Release:
    release = _release_of(actor, release_id)
    old = release.date
    release.date = new_date
    release.full_clean()
    release.save(update_fields=["date"])
    _log(
        actor,
        release.rota,
        ManagerActionKind.RELEASE_MOVE,
        f"Moved {release.version} from {old:%d %b %Y} to {new_date:%d %b %Y}",
        reason,
    )
    return release


@transaction.atomic
def release_cancel(actor: User, release_id: int, *, reason: str = "") -> None:
    release = _release_of(actor, release_id)
    rota, version = release.rota, release.version
    release.delete()  # its shift goes stale: the re-plan takes the planned people off it
    _log(actor, rota, ManagerActionKind.RELEASE_CANCEL, f"Cancelled {version}", reason)


@transaction.atomic
def rota_create(actor: User, rota: Rota) -> Rota:
    """Staff create rotas (they become its first manager); managers then run them."""
    if not actor.is_staff:
        raise PermissionDenied("Only staff create rotas.")
    rota.full_clean()
    rota.save()
    rota.managers.add(actor)
    _log(actor, rota, ManagerActionKind.ROTA_CREATE, f"Created {rota.name}", "")
    return rota


@transaction.atomic
def rota_settings_save(actor: User, rota: Rota, changed: list[str]) -> Rota:
    rota_manager_check(actor, rota)
    rota.full_clean()
    rota.save()
    if changed:
        _log(actor, rota, ManagerActionKind.ROTA_CHANGE, f"Changed {', '.join(changed)}"[:300], "")
    return rota


def _log(actor: User, rota: Rota, kind: str, summary: str, reason: str, **details: Any) -> None:
    ManagerAction.objects.create(
        rota=rota, actor=actor, kind=kind, summary=summary[:300], reason=reason, details=details
    )
