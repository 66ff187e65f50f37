"""Dates and times as the pages write them, per language (i18n.Formatter)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import yaml

from confsite.i18n import Formatter, MemoFormatter
from conftest import ROOT

BERLIN = ZoneInfo("Europe/Berlin")


def formatter(lang: str, memo: bool = False) -> Formatter:
    strings = yaml.safe_load((ROOT / "templates" / "i18n" / f"{lang}.yaml").read_text(encoding="utf-8"))
    return (MemoFormatter if memo else Formatter)(strings, BERLIN)


@pytest.mark.parametrize("memo", [False, True], ids=["formatter", "memo"])
@pytest.mark.parametrize(
    ("lang", "one_day", "two_days", "three_days"),
    [
        (
            "de",
            "Dienstag, 2. April 2019",
            "Dienstag, 2. April 2019 und Mittwoch, 3. April 2019",
            "Dienstag, 2. April 2019\u2009–\u2009Donnerstag, 4. April 2019",
        ),
        (
            "en",
            "Tuesday, 2 April 2019",
            "Tuesday, 2 April 2019 and Wednesday, 3 April 2019",
            "Tuesday, 2 April 2019\u2009–\u2009Thursday, 4 April 2019",
        ),
    ],
)
def test_a_range_of_days_names_one_day_once_and_two_days_both(
    lang: str, one_day: str, two_days: str, three_days: str, memo: bool
) -> None:
    fmt = formatter(lang, memo)
    first = dt.datetime(2019, 4, 2, 9, 30, tzinfo=BERLIN)
    assert fmt.date_range(first, first.replace(hour=18)) == one_day
    assert fmt.date_range(dt.date(2019, 4, 2), dt.date(2019, 4, 2)) == one_day
    assert fmt.date_range(first, dt.datetime(2019, 4, 3, 17, tzinfo=BERLIN)) == two_days
    assert fmt.date_range(dt.date(2019, 4, 2), dt.date(2019, 4, 4)) == three_days


def test_a_range_of_days_counts_the_days_of_the_conference_timezone() -> None:
    fmt = formatter("en")
    # 23:30 UTC on 2 April is half past one on 3 April in Wuppertal
    late = dt.datetime(2019, 4, 2, 23, 30, tzinfo=dt.UTC)
    assert fmt.date_range(late, late + dt.timedelta(hours=1)) == "Wednesday, 3 April 2019"
    with pytest.raises(ValueError, match="comes before"):
        fmt.date_range(dt.date(2019, 4, 3), dt.date(2019, 4, 2))
