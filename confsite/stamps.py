"""Reproducible timestamps: the moment written into generated files."""

from __future__ import annotations

import datetime as dt
import logging
import os

log = logging.getLogger(__name__)


def source_date() -> dt.datetime | None:
    """Return SOURCE_DATE_EPOCH as an aware moment, or None when it is unset or invalid."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return None
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    except (ValueError, OverflowError, OSError):
        log.warning("ignoring SOURCE_DATE_EPOCH=%r: not a number of seconds", epoch)
        return None
