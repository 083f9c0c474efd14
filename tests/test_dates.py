"""sitegen.dates: frontmatter dates → aware datetimes, and their display form."""
from __future__ import annotations

import locale
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from sitegen.dates import format_date, has_time, iso, parse_date, utc_iso, zone_name

LONDON = ZoneInfo("Europe/London")


def tz(hours: int, minutes: int = 0) -> timezone:
    return timezone(timedelta(hours=hours, minutes=minutes))


# --- parse_date ----------------------------------------------------------------------------------------------


def test_iso_with_offset_keeps_the_offset():
    parsed = parse_date("2020-10-23T03:55:00+03:00", LONDON)
    assert parsed == datetime(2020, 10, 23, 3, 55, tzinfo=tz(3))
    assert parsed.utcoffset() == timedelta(hours=3)
    assert (parsed.hour, parsed.minute) == (3, 55)


def test_iso_with_z_is_utc():
    parsed = parse_date("2020-10-23T03:55:00Z", LONDON)
    assert parsed == datetime(2020, 10, 23, 3, 55, tzinfo=UTC)
    assert parsed.utcoffset() == timedelta(0)


def test_naive_iso_takes_the_site_zone():
    summer = parse_date("2020-10-23T03:55:00", LONDON)
    assert summer.tzinfo is LONDON
    assert summer.utcoffset() == timedelta(hours=1)
    winter = parse_date("2020-01-23T03:55:00", LONDON)
    assert winter.utcoffset() == timedelta(0)


def test_date_and_time_with_space_and_no_seconds():
    parsed = parse_date("2020-10-23 03:55", LONDON)
    assert parsed == datetime(2020, 10, 23, 3, 55, tzinfo=LONDON)
    assert parsed.utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize("text", ["23 October 2020", "October 23, 2020", "23 Oct 2020", "Oct 23, 2020",
                                  "October 23 2020", "2020/10/23", "23.10.2020", "2020-10-23", " 2020-10-23 "])
def test_day_only_forms_are_midnight_in_the_site_zone(text):
    parsed = parse_date(text, LONDON)
    assert parsed == datetime(2020, 10, 23, tzinfo=LONDON)
    assert parsed.tzinfo is LONDON


@pytest.mark.parametrize("text", ["23 October 2020 03:55", "2020/10/23 03:55", "23.10.2020 03:55"])
def test_human_forms_with_time(text):
    assert parse_date(text, LONDON) == datetime(2020, 10, 23, 3, 55, tzinfo=LONDON)


def test_rfc_2822():
    assert parse_date("Fri, 23 Oct 2020 03:55:00 +0100", LONDON) == datetime(2020, 10, 23, 3, 55, tzinfo=tz(1))


def test_yaml_date_object():
    parsed = parse_date(date(2020, 10, 23), LONDON)
    assert parsed == datetime(2020, 10, 23, tzinfo=LONDON)
    assert parsed.tzinfo is LONDON


def test_yaml_naive_datetime_object_takes_the_zone():
    parsed = parse_date(datetime(2020, 10, 23, 3, 55), LONDON)
    assert parsed.tzinfo is LONDON
    assert parsed.utcoffset() == timedelta(hours=1)


def test_yaml_aware_datetime_object_is_kept():
    moment = datetime(2020, 10, 23, 3, 55, tzinfo=tz(-5))
    assert parse_date(moment, LONDON) is moment


GARBAGE_HELP = "write it as 2020-10-23, 2020-10-23 03:55 or 2020-10-23T03:55:00+01:00"


@pytest.mark.parametrize("text", ["garbage", "2020-13-45", "yesterday", "23 Octember 2020"])
def test_garbage_text_raises_a_helpful_message(text):
    with pytest.raises(ValueError) as info:
        parse_date(text, LONDON)
    assert str(info.value) == f"cannot read the date {text!r}; {GARBAGE_HELP}"


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_text(text):
    with pytest.raises(ValueError, match=r"^the date is empty$"):
        parse_date(text, LONDON)


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31T23:59:00-12:00", date(1, 1, 1),
                                   datetime(9999, 12, 31, tzinfo=UTC)])
def test_years_at_the_edge_of_the_calendar_are_refused(value):
    """Moving such a date to UTC or the site zone would overflow Python's calendar."""
    with pytest.raises(ValueError, match=r"^year (1|9999) is out of range; use a year from 2 to 9998$"):
        parse_date(value, ZoneInfo("Pacific/Kiritimati"))


@pytest.mark.parametrize("value", [12, None, ["2020-10-23"], 3.5])
def test_wrong_kind_of_value(value):
    with pytest.raises(TypeError) as info:
        parse_date(value, LONDON)
    assert str(info.value) == f"expected a date such as 2020-10-23 or 2020-10-23T03:55:00+01:00, got {value!r}"


# --- has_time ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    ("2020-10-23", False),
    ("23 October 2020", False),
    ("October 23, 2020", False),
    ("2020-10-23 03:55", True),
    ("2020-10-23T03:55:00+01:00", True),
    ("2020-10-23T03:55:00Z", True),
    ("Fri, 23 Oct 2020 03:55:00 +0100", True),
    (date(2020, 10, 23), False),
    (datetime(2020, 10, 23), True),
    (datetime(2020, 10, 23, 3, 55, tzinfo=UTC), True),
    (None, False),
    (20201023, False),
])
def test_has_time(value, expected):
    assert has_time(value) is expected


# --- zone names and format_date ----------------------------------------------------------------------------

PATTERN = "%H:%M %Z %d %B %Y"


def test_format_gmt_for_zero_offset():
    assert format_date(datetime(2020, 10, 23, 3, 55, tzinfo=UTC), PATTERN, LONDON) == "03:55 GMT 23 October 2020"
    assert format_date(datetime(2020, 10, 23, 3, 55, tzinfo=UTC), PATTERN) == "03:55 GMT 23 October 2020"


def test_format_bst_when_offset_matches_the_site_zone_in_summer():
    moment = datetime(2020, 7, 5, 12, 0, tzinfo=tz(1))
    assert format_date(moment, PATTERN, LONDON) == "12:00 BST 05 July 2020"


def test_format_does_not_convert_the_time_to_the_site_zone():
    moment = datetime(2020, 7, 5, 12, 0, tzinfo=tz(3))
    assert format_date(moment, PATTERN, LONDON) == "12:00 UTC+03:00 05 July 2020"


def test_format_plus_one_in_winter_is_not_bst():
    moment = datetime(2020, 1, 5, 12, 0, tzinfo=tz(1))
    assert format_date(moment, "%Z", LONDON) == "UTC+01:00"


def test_format_without_site_zone_uses_utc_offsets():
    assert format_date(datetime(2020, 7, 5, 12, 0, tzinfo=tz(1)), "%Z") == "UTC+01:00"


@pytest.mark.parametrize(("offset", "label"), [
    (tz(3), "UTC+03:00"), (tz(-5, -30), "UTC-05:30"), (tz(5, 45), "UTC+05:45"), (tz(0), "GMT"),
])
def test_zone_name_offsets(offset, label):
    assert zone_name(datetime(2020, 7, 5, 12, 0, tzinfo=offset), LONDON) == label


def test_zone_name_keeps_a_named_zones_abbreviation():
    assert zone_name(datetime(2020, 7, 5, 12, 0, tzinfo=ZoneInfo("America/New_York")), LONDON) == "EDT"


def test_zone_name_replaces_numeric_abbreviations():
    # tzdata spells some zones' abbreviations as numbers ("-03"); those are shown as UTC offsets.
    assert zone_name(datetime(2020, 7, 5, 12, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))) == "UTC-03:00"


def test_zone_name_uses_site_zone_abbreviation_for_matching_offset():
    moscow = ZoneInfo("Europe/Moscow")
    assert zone_name(datetime(2020, 7, 5, 12, 0, tzinfo=tz(3)), moscow) == "MSK"


ALL_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December"]


@pytest.mark.parametrize("month", range(1, 13))
def test_english_month_names(month):
    moment = datetime(2021, month, 1, tzinfo=UTC)
    assert format_date(moment, "%B|%b", None) == f"{ALL_MONTHS[month - 1]}|{ALL_MONTHS[month - 1][:3]}"


def test_english_day_names():
    moment = datetime(2020, 10, 23, tzinfo=UTC)  # a Friday
    assert format_date(moment, "%A %a %d", None) == "Friday Fri 23"


def test_english_names_under_another_locale():
    old = locale.setlocale(locale.LC_TIME)
    for name in ("de_DE.UTF-8", "fr_FR.UTF-8", "de_DE", "fr_FR"):
        try:
            locale.setlocale(locale.LC_TIME, name)
            break
        except locale.Error:
            continue
    else:
        pytest.skip("no non-English locale installed")
    try:
        assert format_date(datetime(2020, 3, 2, tzinfo=UTC), "%A %d %B %Y", None) == "Monday 02 March 2020"
    finally:
        locale.setlocale(locale.LC_TIME, old)


def test_percent_signs_in_pattern_survive():
    assert format_date(datetime(2020, 10, 23, tzinfo=UTC), "100%% %Z", None) == "100% GMT"


# --- iso / utc_iso -----------------------------------------------------------------------------------------


def test_iso_keeps_offset_and_drops_microseconds():
    assert iso(datetime(2020, 7, 5, 12, 0, 1, 500, tzinfo=tz(3))) == "2020-07-05T12:00:01+03:00"


def test_utc_iso():
    assert utc_iso(datetime(2020, 7, 5, 12, 0, tzinfo=tz(3))) == "2020-07-05T09:00:00Z"
    assert utc_iso(datetime(2020, 7, 5, 0, 30, tzinfo=LONDON)) == "2020-07-04T23:30:00Z"


@pytest.mark.parametrize(("text", "expected"), [
    ("2023-01-29 18:30:22 2023 -0800", datetime(2023, 1, 29, 18, 30, 22, tzinfo=tz(-8))),  # Jekyll's release posts
    ("2015-5-3", datetime(2015, 5, 3, tzinfo=UTC)),
    ("2015-05-21 12:00:00.000000 +00:00", datetime(2015, 5, 21, 12, tzinfo=UTC)),
    ("2016-03-04 9:05:00 -0530", datetime(2016, 3, 4, 9, 5, tzinfo=tz(-5, -30))),
    ("2015-05-21 12:00 UTC", datetime(2015, 5, 21, 12, tzinfo=UTC)),
])
def test_lenient_dates_jekyll_reads(text, expected):
    assert parse_date(text, UTC) == expected


def test_lenient_dates_still_refuse_impossible_days():
    with pytest.raises(ValueError, match="cannot read the date '2015-2-30 10:00 -0800'"):
        parse_date("2015-2-30 10:00 -0800", UTC)


def test_day_without_leading_zero_in_the_default_formats():
    from sitegen.config import SiteConfig
    moment = datetime(2024, 7, 8, 9, 5, tzinfo=UTC)
    assert format_date(moment, SiteConfig().day_format) == "8 July 2024"
    assert format_date(moment, SiteConfig().date_format) == "09:05 GMT 8 July 2024"
