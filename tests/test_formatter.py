"""Dates, times and quotations as the pages write them, per language (i18n)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import yaml
from markupsafe import Markup

from confsite.i18n import Formatter, MemoFormatter, nest_quotes, quoted_fields
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


def test_the_placeholders_an_interface_string_quotes_are_found_with_their_marks() -> None:
    assert quoted_fields("Podium in „{session}“") == {"session": ("„", "“")}
    assert quoted_fields("Panel in “{session}”") == {"session": ("“", "”")}
    assert quoted_fields("«{a}» and ‘{b}’ of {c}") == {"a": ("«", "»"), "b": ("‘", "’")}
    assert quoted_fields("{part}: {status}") == {}
    assert quoted_fields("„{a}“ {") == {}  # (a string that does not parse is left alone)


@pytest.mark.parametrize(
    ("value", "outer", "nested"),
    [
        (
            "Abschlusspodium „Ausblick Kommunen innovativ“",
            ("„", "“"),
            "Abschlusspodium ‚Ausblick Kommunen innovativ‘",
        ),
        ("„A“ und „B“", ("„", "“"), "‚A‘ und ‚B‘"),
        ("Closing panel ‘Outlook’", ("“", "”"), "Closing panel ‘Outlook’"),
        ("Closing panel “Outlook”", ("“", "”"), "Closing panel ‘Outlook’"),
        ("the ‘workshop’s plan’ and ‘more’", ("‘", "’"), "the “workshop’s plan” and “more”"),
        ("Le «débat»", ("«", "»"), "Le ‹débat›"),
        ("no quotation, but a “ mark", ("“", "”"), "no quotation, but a “ mark"),
    ],
)
def test_quotations_in_a_quoted_value_get_the_marks_that_nest(
    value: str, outer: tuple[str, str], nested: str
) -> None:
    assert nest_quotes(value, outer) == nested


def test_nested_quotations_keep_markup_as_markup() -> None:
    value = Markup('<span lang="de">Podium „Ausblick“</span>')
    nested = nest_quotes(value, ("„", "“"))
    assert isinstance(nested, Markup) and nested == Markup('<span lang="de">Podium ‚Ausblick‘</span>')
