"""pqcheck.periods: the years a text is about, and the period a text names with its first and last day."""

from pqcheck.periods import find_period, period_of, years_in


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
