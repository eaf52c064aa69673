"""pqcheck.periods: the years a text is about, the period a text names with its first and last day, and a
record's date with its precision."""

import pytest

from pqcheck.periods import describe_span, find_period, parse_date_span, period_of, years_in


def test_years_in():
    assert years_in("Immigration detention 2016 to 2018") == {2016, 2017, 2018}
    assert years_in("in 2019/20, under the Modern Slavery Act 2015") == {2019, 2020}
    assert years_in("in each year since 2015", 2018) == {2015, 2016, 2017, 2018}
    assert years_in("in each of the last three years", 2019) == {2016, 2017, 2018}
    assert years_in("cost £2019 and 12,2019") == set()


def test_period_of_the_first_period_found():
    text = "how many people were detained in the financial years 2018-19 and 2019-20, by region"
    assert period_of(text, find_period(text)) == (
        "in the financial years 2018-19 and 2019-20",
        "2018-04-01",
        "2020-03-31",
    )
    assert period_of("no period here", find_period("no period here")) == (None, None, None)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2015-06-12", ("2015-06-12", "2015-06-12", "day")),
        ("12/06/2015", ("2015-06-12", "2015-06-12", "day")),
        ("12 June 2015", ("2015-06-12", "2015-06-12", "day")),
        ("12 Jun 2015", ("2015-06-12", "2015-06-12", "day")),
        ("2015-06-12T10:18:19+01:00", ("2015-06-12", "2015-06-12", "day")),
        ("2015-06", ("2015-06-01", "2015-06-30", "month")),
        ("June 2015", ("2015-06-01", "2015-06-30", "month")),
        ("Sept 2015", ("2015-09-01", "2015-09-30", "month")),
        ("02/2016", ("2016-02-01", "2016-02-29", "month")),
        ("2016", ("2016-01-01", "2016-12-31", "year")),
        ("2015/16", ("2015-04-01", "2016-03-31", "financial_year")),
        ("2015-16", ("2015-04-01", "2016-03-31", "financial_year")),
        ("2015/2016", ("2015-04-01", "2016-03-31", "financial_year")),
        ("FY 2015-16", ("2015-04-01", "2016-03-31", "financial_year")),
        ("2015-16 financial year", ("2015-04-01", "2016-03-31", "financial_year")),
        ("2011-12", ("2011-12-01", "2011-12-31", "month")),  # ISO first: December 2011
        ("2011/12", ("2011-04-01", "2012-03-31", "financial_year")),
        ("  2016 ", ("2016-01-01", "2016-12-31", "year")),
    ],
)
def test_a_date_is_read_with_its_precision(written, expected):
    span = parse_date_span(written)
    assert (span.start, span.end, span.precision) == expected


@pytest.mark.parametrize("written", ["last spring", "2015-13", "2015/17", "31 February 2015", "1850", "June"])
def test_a_date_that_cannot_be_read_says_so_in_one_line(written):
    with pytest.raises(ValueError, match=r"^date '.*' not understood \(use YYYY-MM-DD, YYYY-MM, YYYY or YYYY/YY\)$"):
        parse_date_span(written)


def test_no_date_is_none():
    assert parse_date_span(None) is None and parse_date_span("  ") is None


@pytest.mark.parametrize(
    ("start", "precision", "shown"),
    [
        ("2015-06-12", "day", "2015-06-12"),
        ("2015-06-01", "month", "June 2015"),
        ("2016-01-01", "year", "2016"),
        ("2015-04-01", "financial_year", "2015/16"),
        ("2019-04-01", None, "2019-04-01"),
        (None, "month", None),
    ],
)
def test_a_stored_date_is_shown_as_precisely_as_it_is_known(start, precision, shown):
    assert describe_span(start, precision) == shown
