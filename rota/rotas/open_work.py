"""Work people carry outside the plan, asked of whoever knows it.

rotas defines the questions and never imports the answerers (rota.github answers both with
review requests on the repositories a rota reviews):

- `open_work_wanted` (asked when a plan is read): a receiver gets `rota_ids` and `user_ids` and
  returns {(user_id, rota_id): number of open items};
- `open_work_listed` (asked when a duty starts, for its hand-off note): a receiver gets
  `assignment` (an Assignment with its shift and rota) and `now`, and returns a list of
  `OpenWorkSection`s, each listing the items the person taking over should know of.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.dispatch import Signal

if TYPE_CHECKING:
    from rota.rotas.models import Assignment

logger = logging.getLogger(__name__)

open_work_wanted = Signal()
open_work_listed = Signal()


@dataclass(frozen=True)
class OpenWorkItem:
    title: str
    url: str
    since: datetime
    # Whom it waits on, when it is not the reader ("" when it is theirs or nobody's).
    holder: str = ""


@dataclass(frozen=True)
class OpenWorkSection:
    heading: str
    items: list[OpenWorkItem] = field(default_factory=list)
    # Items beyond those listed, so a long queue is summed up rather than cut off silently.
    more: int = 0


def open_work_for(assignment: Assignment, now: datetime) -> list[OpenWorkSection]:
    """What is waiting for the person taking over this duty, from every answerer.

    An answerer that fails costs its own section only: the hand-off note still goes out."""
    sections: list[OpenWorkSection] = []
    for receiver, answer in open_work_listed.send_robust(
        sender=type(assignment), assignment=assignment, now=now
    ):
        if isinstance(answer, Exception):
            logger.error("open work from %r failed", receiver, exc_info=answer)
            continue
        sections.extend(s for s in answer or [] if s.items)
    return sections
