"""Years, periods and partial dates read from text.

- :func:`find_period` and :func:`period_of`: the first period a question asks about ("in 2019",
  "between 2015 and 2018", "since April 2016", "in 2018-19 and 2019-20", "in each of the last five
  years") as written, and its first and last day (a financial year runs April to March, an academic
  or school year September to August; a relative period has no days).
- :func:`years_in`: the years a text is about, as a set (``2016 to 2018``, ``2019/20``, ``since
  2015``, ``the last five years`` counted back from a reference year); years of Acts are not.
- :func:`parse_date_span`: a record's date as written (``2015-06-12``, ``12 June 2015``,
  ``2015-06``, ``June 2015``, ``2016``, ``2015/16``) as a :class:`DateSpan`: its first and last day
  and its precision (day, month, year or financial year).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime

from .text import ascii_int

MONTHS = (  # spelled out: calendar.month_name follows the locale
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_DIGIT = re.compile(r"[0-9]")

_MONTH = "|".join(MONTHS)
_YEAR = r"(?:19|20)[0-9]{2}"
_FY = rf"{_YEAR}\s?[-/–]\s?(?:{_YEAR}|[0-9]{{2}})(?![0-9])"
_DAY = rf"[0-9]{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTH})\s+{_YEAR}"
_MONTH_YEAR = rf"(?:{_MONTH})\s+{_YEAR}"
# The lookahead (the first letters of a digit or a month) only saves time: the lookbehind first
# made the regex try every position in full.
_POINT_RE = re.compile(rf"(?=[0-9jfmasond])(?<![\d/-])(?:{_DAY}|{_MONTH_YEAR}|{_FY}|{_YEAR})(?![\d/])")
_ENUM = r"(?:\(\s*(?:[a-z]|[ivx]{1,4}|\d{1,2})\s*\)\s*)?"
_KIND = r"(?:financial|academic|calendar|tax|school|fiscal)"
# What comes just before a point (matched against the lower-cased text before it)
_BEFORE_RANGE = re.compile(rf"\b(?:between|from)\s+{_ENUM}$")
_BEFORE_SINCE = re.compile(
    rf"\bsince\s+(?:the\s+(?:start|beginning)\s+of\s+)?(?:the\s+)?(?:{_KIND}\s+years?\s+)?{_ENUM}$"
)
_BEFORE_IN = re.compile(
    rf"\b(?:in|during|for)\s+(?:(?:each|every)\s+(?:month|quarter|week)\s+of\s+)?(?:the\s+)?(?:{_KIND}\s+years?\s+)?"
    rf"{_ENUM}$"
)
# What joins two points
_JOIN_RANGE = re.compile(rf"\s*,?\s*(?:and|to|until|till|-|–)\s+{_ENUM}")
_JOIN_TO = re.compile(rf"\s+(?:to|until|-|–)\s+{_ENUM}")
_JOIN_LIST = re.compile(rf"\s*(?:,|and|or)\s*(?:and\s+)?{_ENUM}")
_AFTER_KIND = re.compile(rf"\s+{_KIND}\s+years?\b")
# "in each year" and the like, before a period: removed from the subject with it
_LEAD = re.compile(
    r"(?:(?:in|for|during)\s+(?:each|every)\s+(?:(?:financial|calendar|academic)\s+)?(?:year|month|quarter|week)\s+"
    r"|(?:in|for)\s+(?:each\s+of\s+)?the\s+(?:\w+\s+)?(?:years?|months?)\s+)$"
)
_RELATIVE = re.compile(
    r"(?:(?:in|over|during|for)\s+)?(?:(?:each|every)\s+(?:of\s+)?)?(?:the\s+)?(?:last|past|previous|preceding)\s+"
    r"(?:(?:\w+|\d+)\s+){0,3}?(?:(?:financial|calendar|academic)\s+)?(?:years?|months?|weeks?|days?|quarters?|"
    r"decades?)\b|(?:in|for)\s+the\s+(?:most\s+recent|latest)\s+(?:\w+\s+){0,2}?(?:year|period|quarter|month)s?\s+"
    r"for\s+which\s+(?:figures|data|information|statistics)\s+(?:are|is)\s+available"
)
_RELATIVE_GATES = ("last ", "past ", "previous ", "preceding ", "most recent", "latest ")


@dataclass
class Period:
    """A period found in a text: where it is, what kind it is, and its points ("2015", "2018-19")."""

    start: int  # in the text, including a lead such as "in each year"
    end: int
    core_start: int  # the period as reported: "since 2015"
    kind: str  # range, since, list, relative
    points: list[str]


def find_period(text: str) -> Period | None:
    """The first period expression in ``text`` (a question without its preamble)."""
    low = text.lower()
    points = [(m.start(), m.end()) for m in _POINT_RE.finditer(low)] if _DIGIT.search(low) else []
    found: Period | None = None
    for i, (start, end) in enumerate(points):
        before = low[max(0, start - 80) : start]
        following = points[i + 1] if i + 1 < len(points) else None
        m = _BEFORE_RANGE.search(before)
        if m is not None and following and _JOIN_RANGE.fullmatch(low, end, following[0]):
            found = Period(start - len(before) + m.start(), following[1], 0, "range", [])
            found.points = [low[start:end], low[following[0] : following[1]]]
        elif following and _JOIN_TO.fullmatch(low, end, following[0]):
            found = Period(start, following[1], 0, "range", [low[start:end], low[following[0] : following[1]]])
        elif (m := _BEFORE_SINCE.search(before)) is not None:
            found = Period(start - len(before) + m.start(), end, 0, "since", [low[start:end]])
        elif (m := _BEFORE_IN.search(before)) is not None:
            found = Period(start - len(before) + m.start(), end, 0, "list", [low[start:end]])
            for later_start, later_end in points[i + 1 :]:
                if not _JOIN_LIST.fullmatch(low, found.end, later_start):
                    break
                found.end = later_end
                found.points.append(low[later_start:later_end])
        else:
            continue
        kind = _AFTER_KIND.match(low, found.end)
        if kind is not None:
            found.end = kind.end()
        break
    relative = min((low.find(g) for g in _RELATIVE_GATES if g in low), default=-1)
    if relative >= 0 and (found is None or relative < found.start):
        m = _RELATIVE.search(low, max(0, relative - 40))
        if m is not None and (found is None or m.start() < found.start):
            found = Period(m.start(), m.end(), 0, "relative", [])
    if found is None:
        return None
    found.core_start = found.start
    lead = _LEAD.search(low, max(0, found.start - 60), found.start)
    if lead is not None:
        found.start = lead.start()
    return found


def _point_bounds(point: str, context: str) -> tuple[str, str]:
    """First and last day of a period point: a year, a financial or academic year, a month, a day."""
    point = point.strip()
    m = re.fullmatch(rf"([0-9]{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})\s+({_YEAR})", point, re.I)
    if m:
        year, month, day = int(m.group(3)), MONTHS.index(m.group(2).lower()) + 1, int(m.group(1))
        if 1 <= day <= calendar.monthrange(year, month)[1]:
            return f"{year:04d}-{month:02d}-{day:02d}", f"{year:04d}-{month:02d}-{day:02d}"
        point = f"{m.group(2)} {m.group(3)}"  # no such day (31 February): the month
    m = re.fullmatch(rf"({_MONTH})\s+({_YEAR})", point, re.I)
    if m:
        year, month = int(m.group(2)), MONTHS.index(m.group(1).lower()) + 1
        return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"
    m = re.fullmatch(rf"({_YEAR})\s?[-/–]\s?({_YEAR}|[0-9]{{2}})", point)
    if m:
        first = int(m.group(1))
        second = int(m.group(2)) if len(m.group(2)) == 4 else first // 100 * 100 + int(m.group(2))
        if second == first + 1:
            if "academic" in context.lower() or "school" in context.lower():
                return f"{first}-09-01", f"{second}-08-31"
            return f"{first}-04-01", f"{second}-03-31"
        return f"{first}-01-01", f"{second}-12-31"
    year = int(point)
    return f"{year}-01-01", f"{year}-12-31"


def period_of(text: str, found: Period | None) -> tuple[str | None, str | None, str | None]:
    """``found`` (in ``text``) as (text as written, first day, last day), days as YYYY-MM-DD or None
    when they cannot be derived (the end of "since 2015", a relative period)."""
    if found is None:
        return None, None, None
    core = text[found.core_start : found.end].strip()
    if found.kind == "relative":
        return core, None, None
    if found.kind == "range":
        return core, _point_bounds(found.points[0], core)[0], _point_bounds(found.points[1], core)[1]
    if found.kind == "since":
        return core, _point_bounds(found.points[0], core)[0], None
    bounds = [_point_bounds(p, core) for p in found.points]
    return core, min(b[0] for b in bounds), max(b[1] for b in bounds)


_ANY_YEAR = re.compile(r"(?:19|20)[0-9][0-9]")
# one pass over a text: the alternatives are tried left to right at each position, so the years of
# an Act or of a range are not also read as single years
_YEARS = re.compile(
    r"(?P<legal>\b(?:Act|Acts|Regulations|Order|Rules|Measure|Convention)\s+(?:19|20)[0-9][0-9]\b)"
    r"|(?P<range>(?<![\w.,])(?P<r1>(?:19|20)[0-9][0-9])\s*(?:-|–|—|/|to)\s*(?P<r2>(?:19|20)?[0-9][0-9])(?![\w%]))"
    r"|(?P<since>\bsince\s+(?P<s1>(?:19|20)[0-9][0-9])\b)"
    r"|(?P<last>\b(?:last|past|previous)\s+(?P<n>\w+)\s+(?:calendar\s+|financial\s+)?years\b)"
    r"|(?P<year>(?<![\w£$€.,/-])(?P<y>(?:19[5-9]|20[0-5])[0-9])(?![\w%]))",
    re.IGNORECASE,
)
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}


def years_in(text: str | None, reference_year: int | None = None) -> set[int]:
    """Years a text is about: ``2018``, ``2016 to 2018``, ``2019/20``, ``since 2015`` and ``the last
    five years`` (counted back from ``reference_year``); years of Acts and Regulations are not."""
    if not text or not (_ANY_YEAR.search(text) or (reference_year and "years" in text)):
        return set()
    found: set[int] = set()
    for m in _YEARS.finditer(text):
        kind = m.lastgroup
        if kind == "year":
            found.add(int(m.group("y")))
        elif kind == "range":
            first, last = int(m.group("r1")), m.group("r2")
            end = int(last) if len(last) == 4 else first // 100 * 100 + int(last)
            if first <= end <= first + 30:
                found.update(range(first, end + 1))
        elif kind == "since":
            start = int(m.group("s1"))
            found.add(start)
            if reference_year and start <= reference_year:
                found.update(range(start, reference_year + 1))
        elif kind == "last" and reference_year:
            word = m.group("n").lower()
            n = ascii_int(word, max_digits=2) or _NUMBER_WORDS.get(word)
            if n and n <= 30:
                found.update(range(reference_year - n, reference_year))
    return found


# --- a record's date, with its precision -------------------------------------------------------

PRECISIONS = ("day", "month", "year", "financial_year")
DAY_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y")
_ISO_MONTH = re.compile(r"(?P<y>[0-9]{4})-(?P<m>[0-9]{2})")
_NAMED_MONTH = re.compile(r"(?P<m>[a-z]{3,9})\.?,?\s+(?P<y>[0-9]{4})", re.IGNORECASE)
_NUMERIC_MONTH = re.compile(r"(?P<m>[0-9]{1,2})/(?P<y>[0-9]{4})")
_YEAR_ONLY = re.compile(r"(?P<y>[0-9]{4})")
_FINANCIAL_YEAR = re.compile(
    r"(?:(?:fy|financial\s+year|fiscal\s+year)\s*)?(?P<y>[0-9]{4})\s*(?P<sep>[-/–])\s*(?P<z>[0-9]{2}|[0-9]{4})"
    r"(?:\s+financial\s+year)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateSpan:
    """A date as precisely as it is known: its first and last day (YYYY-MM-DD) and its precision,
    one of ``PRECISIONS`` (a financial year runs 1 April to 31 March)."""

    start: str
    end: str
    precision: str


def parse_date_span(value: str | None) -> DateSpan | None:
    """The date a record gives, with its precision: a day (``2015-06-12``, ``12/06/2015``, ``12 June
    2015``, an ISO timestamp), a month (``2015-06``, ``June 2015``, ``06/2015``), a year (``2016``) or
    a financial year (``2015/16``, ``2015-16``, ``2015/2016``, ``FY 2015-16``). None for an empty
    value; ``ValueError`` with the reason for one that cannot be read. ``2011-12`` is December 2011
    (ISO), ``2011/12`` the financial year."""
    text = " ".join((value or "").split())
    if not text:
        return None
    for reader in (_day_span, _month_span, _financial_year_span, _year_span):
        span = reader(text)
        if span is not None:
            return span
    raise ValueError(f"date '{text[:40]}' not understood (use YYYY-MM-DD, YYYY-MM, YYYY or YYYY/YY)")


def _day_span(text: str) -> DateSpan | None:
    """A whole day, from the common written forms or an ISO timestamp."""
    found = None
    for fmt in DAY_FORMATS:
        try:
            found = datetime.strptime(text, fmt).date()
            break
        except ValueError:
            continue
    if found is None and len(text) > 10 and text[10] in "T ":
        try:
            found = datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        except ValueError:
            return None
    return None if found is None else DateSpan(found.isoformat(), found.isoformat(), "day")


def _month_span(text: str) -> DateSpan | None:
    """A month: ``2015-06`` (ISO), ``June 2015``, ``Jun 2015`` or ``06/2015``."""
    for pattern in (_ISO_MONTH, _NAMED_MONTH, _NUMERIC_MONTH):
        m = pattern.fullmatch(text)
        if m is None:
            continue
        month = _month_number(m.group("m"))
        year = int(m.group("y"))
        if month is None or not _plausible(year):
            return None
        last = calendar.monthrange(year, month)[1]
        return DateSpan(f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{last:02d}", "month")
    return None


def _month_number(written: str) -> int | None:
    """1-12 for a month written as digits, its name or the name's first three letters (or more)."""
    if written.isdigit():
        number = int(written)
        return number if 1 <= number <= 12 else None
    low = written.lower()
    return next((i for i, name in enumerate(MONTHS, 1) if len(low) >= 3 and name.startswith(low)), None)


def _financial_year_span(text: str) -> DateSpan | None:
    """A financial year, 1 April to 31 March: ``2015/16``, ``2015-16``, ``2015/2016``, ``FY 2015-16``."""
    m = _FINANCIAL_YEAR.fullmatch(text)
    if m is None:
        return None
    first, second = int(m.group("y")), m.group("z")
    following = int(second) if len(second) == 4 else first // 100 * 100 + int(second)
    if following != first + 1 or not _plausible(first):
        return None
    return DateSpan(f"{first:04d}-04-01", f"{following:04d}-03-31", "financial_year")


def _year_span(text: str) -> DateSpan | None:
    """A calendar year: ``2016``."""
    m = _YEAR_ONLY.fullmatch(text)
    if m is None or not _plausible(int(m.group("y"))):
        return None
    return DateSpan(f"{m.group('y')}-01-01", f"{m.group('y')}-12-31", "year")


def _plausible(year: int) -> bool:
    """A year a record of pqcheck's can be dated in (1900 to 2099)."""
    return 1900 <= year <= 2099


def describe_span(start: str | None, precision: str | None) -> str | None:
    """A stored date as its precision allows: ``2015-06-12``, ``June 2015``, ``2016``, ``2015/16``."""
    if not start:
        return None
    try:
        first = date.fromisoformat(start[:10])
    except ValueError:
        return start
    if precision == "month":
        return f"{MONTHS[first.month - 1].title()} {first.year}"
    if precision == "year":
        return str(first.year)
    if precision == "financial_year":
        return f"{first.year}/{(first.year + 1) % 100:02d}"
    return first.isoformat()
