"""rota.github answers rotas' questions about work people carry outside the plan (see
rota.rotas.open_work): their open review requests on the repositories a rota reviews.

A reviewer drowning in requests is preferred less by the next plan, as the reviewer choice and
its cap already do; a reviewer taking over is told in their hand-off note what waits."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.dispatch import receiver

from rota.github.models import RequestState, ReviewRequest
from rota.github.selectors import handoff_open_work
from rota.rotas.open_work import OpenWorkSection, open_work_listed, open_work_wanted


@receiver(open_work_wanted, dispatch_uid="github_open_review_requests")
def open_review_requests(
    sender: Any, rota_ids: list[int], user_ids: list[int], **kwargs: Any
) -> dict[tuple[int, int], int]:
    rows = (
        ReviewRequest.objects.filter(
            state=RequestState.OPEN,
            person_id__in=user_ids,
            repository__review_rota_id__in=rota_ids,
        )
        .values("person_id", "repository__review_rota_id")
        .annotate(n=Count("id"))
    )
    return {(row["person_id"], row["repository__review_rota_id"]): row["n"] for row in rows}


@receiver(open_work_listed, dispatch_uid="github_handoff_open_work")
def handoff_review_work(
    sender: Any, assignment: Any, now: Any, **kwargs: Any
) -> list[OpenWorkSection]:
    """For the hand-off note: what is waiting on the reviewer taking over."""
    return handoff_open_work(assignment, now)
