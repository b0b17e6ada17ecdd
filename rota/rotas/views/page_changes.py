"""Post/Redirect/Get for the pages that re-plan a person's duties: the change list survives the
redirect in the session and is shown once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

# A successful save keeps "what changed in your upcoming duties" here and answers 303, so
# refreshing the page it lands on does not post the form again.
CHANGES_SESSION_KEY = "rota.changes"


class HttpResponseSeeOther(HttpResponseRedirect):
    status_code = 303


def changes_keep_and_redirect(
    request: HttpRequest, page: str, changes: list[dict[str, Any]] | None
) -> HttpResponse:
    """Keep the change list for the next GET of `page` and redirect there.

    None means the re-plan could not run (the page says so), hence the wrapping dict. The
    session is JSON, so each change's datetime travels as an ISO string.
    """
    request.session[CHANGES_SESSION_KEY] = {
        "page": page,
        "changes": None
        if changes is None
        else [{**c, "starts_at": c["starts_at"].isoformat()} for c in changes],
    }
    return HttpResponseSeeOther(reverse(page))


def changes_pop(request: HttpRequest, page: str) -> dict[str, Any]:
    """The template context for the change list kept for `page`: shown once, then gone."""
    kept = request.session.pop(CHANGES_SESSION_KEY, None)
    if not isinstance(kept, dict) or kept.get("page") != page:
        return {"saved": False, "changes": None}
    changes = kept.get("changes")
    if changes is not None:
        changes = [{**c, "starts_at": datetime.fromisoformat(c["starts_at"])} for c in changes]
    return {"saved": True, "changes": changes}
