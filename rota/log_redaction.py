"""Keep secrets out of logs: a feed URL carries its token, and a 404 or an access log line
would otherwise write it to every log collector that sees the server's output."""

from __future__ import annotations

import logging
import re

# /feeds/me/<token>.ics and /feeds/rota/<slug>/<token>.ics (and any future /feeds/.../<token>)
FEED_TOKEN = re.compile(r"(/feeds/(?:[^\s/?]+/)*?)[A-Za-z0-9_-]{20,}(\.ics)?")


def feed_tokens_redacted(text: str) -> str:
    return FEED_TOKEN.sub(r"\1<token>\2", text)


class FeedTokenRedaction(logging.Filter):
    """Rewrites the formatted message of every record with feed tokens masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        redacted = feed_tokens_redacted(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
