"""rota.github answers the planner's question about work people carry outside the plan:
their open review requests on the repositories a rota reviews (see
rota.rotas.planning.problem.open_work_wanted). A reviewer drowning in requests is preferred
less by the next plan, as the reviewer choice and its cap already do."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.dispatch import receiver

from rota.github.models import RequestState, ReviewRequest
from rota.rotas.planning.problem import open_work_wanted


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
