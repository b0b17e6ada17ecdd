"""Running a periodic task as beat would, at a chosen instant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import time_machine


def run_at(task: Callable[[], str], when: datetime) -> str:
    with time_machine.travel(when, tick=False):
        return task()
