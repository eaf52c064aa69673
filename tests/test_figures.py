"""find_figures: disclosed numbers in table rows and sentences; dates, references and labels never."""

from __future__ import annotations

import pytest

from pqcheck.figures import Figure, find_figures


def texts(text: str) -> list[str]:
    return [figure.text for figure in find_figures(text)]


def test_figures_in_a_pipe_table_have_the_row_as_context_and_the_header():
    text = "Table 1\nCategory | 2016 | 2017 | 2018\nDetained in an IRC | 1,234 | 987 | 507\nReleased | <5 | 12 | 0"

    figures = find_figures(text)

    assert [f.text for f in figures] == ["1,234", "987", "507", "<5", "12", "0"]
    assert all(f.kind == "table" for f in figures)
    assert figures[0].context == "Detained in an IRC | 1,234 | 987 | 507"
    assert figures[3].context == "Released | <5 | 12 | 0"
    assert {f.header for f in figures} == {"Category | 2016 | 2017 | 2018"}
    assert figures[0].value == 1234.0


def test_figures_in_whitespace_aligned_columns_are_table_rows():
    text = "Centre            2018     2019\nBrook House        507      479\nDungavel           45       12.5%\n"

    figures = find_figures(text)

    assert [(f.text, f.kind) for f in figures] == [
        ("507", "table"),
        ("479", "table"),
        ("45", "table"),
        ("12.5%", "table"),
    ]
    assert figures[0].context == "Brook House | 507 | 479"
    assert figures[0].header == "Centre | 2018 | 2019"


def test_figures_in_sentences_have_their_sentence_as_context_across_wrapped_lines():
    text = (
        "We are now in a position to provide a full reply. Of the 507 people in question,\n"
        "479 received the positive reasonable grounds decision during a detention period. The rest\n"
        "did not."
    )

    figures = find_figures(text)

    assert [(f.text, f.kind) for f in figures] == [("507", "sentence"), ("479", "sentence")]
    expected = (
        "Of the 507 people in question, 479 received the positive reasonable grounds decision during a "
        "detention period."
    )
    assert figures[0].context == expected
    assert figures[1].context == expected


def test_offsets_point_at_the_figure_text():
    text = "In 2018, spending was £4.3 million; 12.5% of cases (fewer than 5) were reviewed."

    figures = find_figures(text)

    assert [text[f.start : f.end] for f in figures] == [f.text for f in figures]
    assert [f.text for f in figures] == ["£4.3 million", "12.5%", "fewer than 5"]


@pytest.mark.parametrize(
    ("text", "value", "unit", "qualifier"),
    [
        ("A total of 1,234 people.", 1234.0, None, None),
        ("Exactly 507 people.", 507.0, None, None),
        ("A rate of 12.5%.", 12.5, "%", None),
        ("A rate of 12.5 per cent.", 12.5, "%", None),
        ("It cost £4.3 million.", 4_300_000.0, "£", None),
        ("It cost £2bn.", 2_000_000_000.0, "£", None),
        ("It cost £12,500.50.", 12_500.5, "£", None),
        ("The number was fewer than 5.", 5.0, None, "<"),
        ("The number was <5.", 5.0, None, "<"),
        ("The number was less than 10.", 10.0, None, "<"),
        ("More than 300 were removed.", 300.0, None, ">"),
        ("Approximately 1,200 staff.", 1200.0, None, "~"),
        ("Removed | 507¹", 507.0, None, None),
    ],
)
def test_values_units_and_qualifiers(text, value, unit, qualifier):
    [figure] = find_figures(text)

    assert (figure.value, figure.unit, figure.qualifier) == (value, unit, qualifier)
    assert figure.suppressed is (qualifier == "<")


def test_suppressed_small_number_keeps_its_wording():
    [figure] = find_figures("Voluntary removals | fewer than 5")

    assert figure == Figure(
        value=5.0,
        text="fewer than 5",
        start=21,
        end=33,
        kind="table",
        context="Voluntary removals | fewer than 5",
        qualifier="<",
    )


@pytest.mark.parametrize(
    "text",
    [
        # dates and years
        "The reply was sent on 24 April 2019.",
        "It is dated 24/04/2019.",
        "It was logged on 2019-04-24.",
        "The figures cover April 2019.",
        "In 2018 the policy changed.",
        "Detained on 31-Dec-2018 and 31-Dec-[2018].",
        "Period | 2019/20 | 2020/21",
        "Year | 2016 | 2017 | 2018",
        "Between 2016 and 2018 the data changed; 2016-2018 and 2019-20 too.",
        "The Freedom of Information Act 2000 and the Immigration Act 1971 apply.",
        # reference numbers
        "Re: Freedom of Information request - 52658",
        "FOI 52658",
        "Our ref: 54439",
        "Please quote reference 60222 in any reply.",
        "Your case ref 57067 has been closed.",
        "Our ref: FOI/52658.",
        # postcodes, addresses, phone numbers
        "Home Office, Direct Communications Unit, Solihull B91 3QJ",
        "2 Marsham Street, London SW1P 4DF",
        "Call 020 7035 4848, 0300 123 1234 or +44 (0)20 7035 4848.",
        "Tel: 01625 545 745",
        # sections of the Act and other labels
        "We rely on section 12(1) of the Act.",
        "Some information is exempt under s.40(2) and s. 43(2).",
        "See sections 27, 31 and 40 of the Act.",
        "Table 1 and Annex B set this out; see also Tables 1 and 2.",
        "See page 3, paragraph 4 and question 2.",
        "Page 3 of 5",
        "Tier 4 and Level 3 apply.",
        # times and list markers
        "The meeting was at 10:30, or 2pm, or 10.30am.",
        "1. Please provide the number of people.\n2) Please also say when.\n(3) And where.",
        "3.1 The Department holds the information.",
        "7",
        # other non-figures
        "COVID-19 cases, HL14852, Q1 and the 3rd attempt.",
        "Children aged 16 to 17 and those aged 18-24 or 65 years old.",
        "See https://www.whatdotheyknow.com/request/558039 or foi52658@example.gov.uk.",
        "The range was 10-20.",
        "The cost limit is £600, which represents 24 hours of work at £25 per hour.",
        "We aim to respond within 20 working days; you have 2 months to ask for an internal review.",
        "Figures are rounded to the nearest 10; * denotes fewer than 5.",
        "In the 12 months to June 2019 and over the last 3 years the rate fell.",
        "Numbers in words, such as five hundred and seven, are out of scope.",
    ],
)
def test_non_figures_are_not_reported(text):
    assert find_figures(text) == []


def test_exclusions_next_to_a_figure_leave_only_the_figure():
    text = (
        "On 24 April 2019 (FOI 52658, our ref: 54439) we said that under section 12(1), as at 31 December 2018, "
        "507 people had been detained at 10:30 in SW1P 4DF."
    )

    assert texts(text) == ["507"]


def test_a_reference_number_is_not_a_figure_anywhere_else_in_the_text():
    text = "FOI 52658\n52658 Esslemont AP\nWe hold 52658 records."

    assert texts(text) == []


def test_row_labels_are_not_figures_but_counts_are():
    text = "Age band | Men | Women\n18-24 | 45 | 12\n65+ | 3 | 1\n2018 | 507 | 479"

    assert texts(text) == ["45", "12", "3", "1", "507", "479"]


def test_a_year_like_count_in_a_data_row_is_kept():
    assert texts("Year | Detained | Released\n2016 | 2,017 | 45\nTotal | 2017 | 1,250") == [
        "2,017",
        "45",
        "2017",
        "1,250",
    ]


HOME_OFFICE_REPLY = """\
Home Office
Direct Communications Unit
2 Marsham Street
London SW1P 4DF
Tel: 020 7035 4848
www.gov.uk/home-office

Ms M Esslemont
request-558039-xxxxxxxx@whatdotheyknow.com
FOI Reference: 52658
Date: 24 April 2019

Dear Ms Esslemont,

Re: Freedom of Information request - 52658

Thank you for your email of 4 March 2019, in which you asked for information about the detention of
potential victims of trafficking. Your request has been handled as a request for information under
section 1(1) of the Freedom of Information Act 2000.

We are sorry for the delay in responding. We are now in a position to provide a full reply.

1. The number of people with a positive Conclusive Grounds decision detained in an IRC on 31 December 2018.

The information you requested is given in Table 1 below.

Table 1: People with a positive Conclusive Grounds decision detained in an IRC on 31-Dec-2018
Nationality | Detained
Albania | 38
Vietnam | 21
Other | fewer than 5
Total | 64

2. The number of asylum applicants with a positive Conclusive Grounds decision, and how many were refused.

Of the 1,124 asylum applicants with a positive Conclusive Grounds decision in 2018, 507 had their
claim refused, which is 45.1% of the total. The notes to Table 2 are at Annex B.

Annex B
Notes
1. The figures are provisional management information. They have not been assured to the standard of
Official Statistics and may be subject to change.
2. Figures of fewer than 5 are suppressed to protect the identity of individuals.

Some of the information you requested is exempt under section 40(2) of the Act, and we have not
disclosed it. The cost limit for central government is £600, which represents 24 hours of work at
£25 per hour.

If you are dissatisfied with this response you may request an independent internal review of our
handling of your request by submitting a complaint within two months to foirequests@homeoffice.gov.uk,
quoting reference 52658. If you ask for an internal review, it would be helpful if you could say why
you are dissatisfied with the response. As part of any internal review the Department's handling of
your information request will be reassessed by staff who were not involved in providing you with
this response. If you remain dissatisfied after this internal review, you would have a right of
complaint to the Information Commissioner as established by section 50 of the Freedom of
Information Act 2000.

Yours sincerely,

Immigration Enforcement Secretariat
Page 1 of 2
"""


def test_home_office_reply_gives_exactly_the_disclosed_figures():
    figures = find_figures(HOME_OFFICE_REPLY)

    assert [(f.text, f.kind) for f in figures] == [
        ("38", "table"),
        ("21", "table"),
        ("fewer than 5", "table"),
        ("64", "table"),
        ("1,124", "sentence"),
        ("507", "sentence"),
        ("45.1%", "sentence"),
    ]
    by_text = {f.text: f for f in figures}
    assert by_text["38"].context == "Albania | 38"
    assert by_text["38"].header == "Nationality | Detained"
    assert by_text["fewer than 5"].suppressed
    assert by_text["507"].context == (
        "Of the 1,124 asylum applicants with a positive Conclusive Grounds decision in 2018, 507 had their "
        "claim refused, which is 45.1% of the total."
    )
    assert all(HOME_OFFICE_REPLY[f.start : f.end] == f.text for f in figures)


def test_empty_and_digit_free_text():
    assert find_figures("") == []
    assert find_figures("No figures here at all.") == []


# pieces that between them start a match of every pattern whose digits are never figures
_PIECES = [
    "24 April 2019",
    "April 24th, 2019",
    "Apr-19",
    "Sept 2020",
    "SEPT. 3",
    "24/04/2019",
    "2019-04-24",
    "04/2019",
    "2019/20",
    "Act 1971",
    "xAct 1971",
    "Regulations 2004",
    "10:30am",
    "12:30 ",
    "at 9:15:20.",
    "2 pm",
    "1300 hrs",
    "10.30 hrs",
    "020 7035 4848",
    "+44 (0)20 7035 4848",
    "(020) 7946 0018",
    "0044 20 7946 0018",
    "x0044 20 79",
    "Tel: 01234 567890",
    "telephone 0300 123 1234",
    "phone 0123456",
    "section 12(1)",
    "276ADE(1)",
    "aged 18 to 24",
    "ages of 7",
    "age 5",
    "18-24 years",
    "65 years old",
    "under 18 years",
    "over-65 years",
    "the last 3 years",
    "past 3 DAYS",
    "12 months to June",
    "5 YEARS SINCE",
    "2 Marsham Street",
    "40 Wellesley Road",
    "Street",
    "\n1. ",
    "\n2) x",
    "\n(3)",
    "\n3.1 x",
    "\nPage 3 of 5\n",
    "\n- 3 -\n",
    "Table 1",
    "page 5",
    "Figure 2",
    "ſection 4",
    "KEY STAGE 2",
    "İtem 3",
    "a1",
    "_5",
    "é5",
    "٣٤ April",
    "Jan 5th",
    "JANUARY 12",
    "MayApril 3",
    "Orders 2001",
    "www.x.com/12",
    "a@b.co 12",
    "FOI 52658",
    "FoIA 123",
    "our ref: 4567",
    "Your Reference 12",
    "case 5",
    "Case Ref 57067",
    "request number 12/3",
    "CTS 2020/1",
    "DECS-1234",
    "İCO 555",
    "decision notice 12",
    "UIN 12345",
    "ſs. 4",
    "freedom of information request 1234",
    "Ref: 123",
    "£4.3 million",
    "1,234",
    "12.5%",
    "fewer than 5",
    "1st",
    "12/13/14",
    "  ",
    "\n",
    "\t",
    " ",
    " ",
    "(",
    ")",
    "-",
    "x",
    "A",
    "a",
]


def test_the_patterns_written_for_speed_find_what_their_sources_find():
    import random
    import re

    from pqcheck import figures

    rng = random.Random(7)
    samples = [
        "".join(rng.choice([*_PIECES, str(rng.randint(0, 3000))]) for _ in range(rng.randint(1, 25)))
        for _ in range(4000)
    ]
    pairs = [*zip(figures._BLOCK_SOURCES, figures._BLOCK, strict=True)]
    pairs.append((figures.REFERENCE_SOURCE, (None, figures._REFERENCE_FAST)))
    for source, (needs, fast) in pairs:
        slow, found = re.compile(source), 0
        for text in samples:
            expected = [(m.span(), m.groupdict()) for m in slow.finditer(text)]
            if needs is not None and not needs(text):
                assert expected == [], (source, text)
                continue
            assert [(m.span(), m.groupdict()) for m in fast.finditer(text)] == expected, (source, text)
            found += len(expected)
        assert found, f"no sample text has a match of {source}"


def test_the_characters_that_match_a_letter_case_insensitively_are_known():
    import re
    import sys

    from pqcheck.figures import _FOLDS

    any_letter = re.compile("(?i)[a-z]")
    others = [chr(c) for c in range(128, sys.maxunicode + 1) if any_letter.match(chr(c))]
    for letter in "abcdefghijklmnopqrstuvwxyz":
        assert {ch for ch in others if re.match(f"(?i){letter}", ch)} == set(_FOLDS.get(letter, "")), letter
