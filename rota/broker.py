"""The embedded broker of `make run`: kombu's filesystem transport, with whole messages only.

kombu's filesystem transport creates a message file and then writes it, so a worker polling
the folder can move the file away while it is still empty and die on the empty JSON
(kombu 5.x, `filesystem.Channel._put`). Here a message is written under a name the reader
skips and renamed into place, which POSIX makes atomic: a reader sees all of it or nothing.
Production and CI use Redis; this only keeps a developer's worker alive.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic
from typing import Any

from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

ALIAS = "rotafs"


class Channel(filesystem.Channel):
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.part")
        try:
            with open(partial, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise filesystem.ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel


def register() -> None:
    TRANSPORT_ALIASES.setdefault(ALIAS, f"{__name__}:Transport")
