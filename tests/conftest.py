"""Shared fixtures: the default site built once per test session."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from confsite.pipeline import build

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
#: A moment before every deadline of the default conference.
BEFORE_DEADLINE = dt.datetime(2019, 3, 1, 12, 0, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture(scope="session")
def default_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the default content once, judged before its registration deadline."""
    out = tmp_path_factory.mktemp("default") / "site"
    build(CONTENT, out, BEFORE_DEADLINE)
    return out
