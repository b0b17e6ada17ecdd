"""The managers' dashboard shows notices that could not be sent through this tag, so the
rotas app (whose template it is) never imports notifications."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from rota.notifications.selectors import notices_failed_for

register = template.Library()


@register.inclusion_tag("notifications/_failed_notices.html")
def notices_failed(overviews: list[Any], me: Any) -> dict[str, Any]:
    rotas = [o.rota for o in overviews]
    return {"troubles": notices_failed_for(rotas, timezone.now()), "me": me}
