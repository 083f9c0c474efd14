"""Frontmatter dates → timezone-aware datetimes, and their human form. Pure."""
from __future__ import annotations

import email.utils
import re
from datetime import MAXYEAR, MINYEAR, UTC, date, datetime, time, timedelta, timezone, tzinfo

_FORMATS = (
    "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y",
    "%d %B %Y %H:%M", "%d %b %Y %H:%M", "%B %d, %Y %H:%M", "%b %d, %Y %H:%M",
    "%Y/%m/%d", "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S", "%d.%m.%Y", "%d.%m.%Y %H:%M",
    "%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z",
)


def parse_date(value: object, zone: tzinfo) -> datetime:
    """A frontmatter date (string, date or datetime) as an aware datetime; naive values take `zone`.

    Raises ValueError (or TypeError for a non-date value) with a message fit for the writer."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
    elif isinstance(value, str):
        parsed = _parse_text(value.strip())
    else:
        raise TypeError(f"expected a date such as 2020-10-23 or 2020-10-23T03:55:00+01:00, got {value!r}")
    if not MINYEAR < parsed.year < MAXYEAR:  # converting to UTC or another zone could leave the calendar
        raise ValueError(f"year {parsed.year} is out of range; use a year from {MINYEAR + 1} to {MAXYEAR - 1}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed


_TIME_OF_DAY = re.compile(r"\d:\d\d")


def has_time(value: object) -> bool:
    """Whether a frontmatter date says a time of day (`2020-10-23` and `23 October 2020` do not)."""
    if isinstance(value, datetime):
        return True
    if isinstance(value, date):
        return False
    return isinstance(value, str) and bool(_TIME_OF_DAY.search(value))


def _parse_text(text: str) -> datetime:
    if not text:
        raise ValueError("the date is empty")
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        pass
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        parsed = _lenient(text)
    if parsed is None:
        raise ValueError(
            f"cannot read the date {text!r}; write it as 2020-10-23, 2020-10-23 03:55 or 2020-10-23T03:55:00+01:00"
        )
    return parsed


_LENIENT = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
                      r"(?:\s+\d{4})?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?")
"""What Jekyll (Ruby's Time.parse) reads besides ISO: one-digit months and days, a space before the offset,
fractions of a second, a stray repeated year (`2023-01-29 18:30:22 2023 -0800`), UTC or GMT spelled out."""


def _lenient(text: str) -> datetime | None:
    found = _LENIENT.fullmatch(text)
    if not found:
        return None
    year, month, day, hour, minute, second, zone = found.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None
    if zone in ("Z", "UTC", "GMT"):
        return moment.replace(tzinfo=UTC)
    if zone:
        digits = zone.replace(":", "")
        offset = timedelta(hours=int(digits[1:3]), minutes=int(digits[3:5]))
        return moment.replace(tzinfo=timezone(-offset if digits[0] == "-" else offset))
    return moment


def zone_name(moment: datetime, site_zone: tzinfo | None = None) -> str:
    """A short zone label: the zone's abbreviation (BST, EST) — the site zone's when the offset matches it —,
    GMT for +00:00, else UTC+03:00."""
    offset = moment.utcoffset() or timedelta()
    if site_zone is not None and moment.astimezone(site_zone).utcoffset() == offset:
        moment = moment.astimezone(site_zone)
    name = moment.tzname() or ""
    if name and not name.startswith("UTC") and name[0] not in "+-":
        return name
    if offset == timedelta():
        return "GMT"
    sign = "+" if offset >= timedelta() else "-"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def format_date(moment: datetime, pattern: str, site_zone: tzinfo | None = None) -> str:
    """strftime with `%Z` shown as `zone_name`, `%-d` as the day without a leading zero (on every platform)
    and English month names regardless of locale."""
    if "%Z" in pattern:  # the zone's name costs more than the rest of the formatting
        pattern = pattern.replace("%Z", zone_name(moment, site_zone).replace("%", "%%"))
    pattern = pattern.replace("%-d", str(moment.day))
    pattern = pattern.replace("%B", _MONTHS[moment.month - 1]).replace("%b", _MONTHS[moment.month - 1][:3])
    pattern = pattern.replace("%A", _DAYS[moment.weekday()]).replace("%a", _DAYS[moment.weekday()][:3])
    return moment.strftime(pattern)


def iso(moment: datetime) -> str:
    """RFC 3339 form, as `<time datetime>` and Atom want it."""
    return moment.isoformat(timespec="seconds")


def utc_iso(moment: datetime) -> str:
    """RFC 3339 in UTC with `Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
