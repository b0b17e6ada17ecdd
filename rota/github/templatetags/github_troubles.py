"""The managers' dashboard shows failed GitHub work through this tag, so the rotas app (whose
template it is) never imports github."""

from __future__ import annotations

from typing import Any

from django import template

from rota.github.selectors import reviewer_troubles_for

register = template.Library()


@register.inclusion_tag("github/_troubles.html")
def github_troubles(overviews: list[Any]) -> dict[str, Any]:
    return reviewer_troubles_for([o.rota for o in overviews])
