"""Signals accounts sends so that other apps can react without accounts knowing them.

availability_changed is sent (after the change is saved, inside the same transaction) when a
person's time zone, working hours, holidays setting or time off change. Receivers that enqueue
work must do so with transaction.on_commit.
"""

from django.dispatch import Signal

# providing_args: user (accounts.User), reason (str)
availability_changed = Signal()
