"""HTML answers to plain text; the guards of links and CSV cells."""

import pytest

from pqcheck.text import csv_safe, csv_unquote, html_to_text, looks_like_html, safe_url


def test_paragraphs_stay_apart():
    html = "<p>First holistic needs assessment.</p><p> </p><p>The latest public figures.</p>"
    assert html_to_text(html) == "First holistic needs assessment.\n\nThe latest public figures."


def test_table_rows_become_lines():
    html = (
        "<p>Figures:</p><table><tbody><tr><td><p>Year</p></td><td><p>Number</p></td></tr>\n"
        "<tr><td><p>2018</p></td><td><p>507</p></td></tr></tbody></table><p>Source: HO.</p>"
    )
    assert html_to_text(html) == "Figures:\n\nYear | Number\n2018 | 507\n\nSource: HO."


def test_scripts_and_styles_are_dropped_and_links_keep_their_text():
    html = '<p>See <a href="https://x" target="_blank">the report</a>.</p><script>alert(1)</script><style>p{}</style>'
    assert html_to_text(html) == "See the report."


def test_lists_and_line_breaks():
    assert html_to_text("<ul><li>one</li><li>two<br>three</li></ul>") == "- one\n- two\nthree"


def test_plain_text_passes_through():
    text = "The information is not held centrally.  It could only be obtained at disproportionate cost."
    assert not looks_like_html(text)
    assert (
        html_to_text(text)
        == "The information is not held centrally. It could only be obtained at disproportionate cost."
    )
    assert html_to_text("fewer than 5 < 10 cases") == "fewer than 5 < 10 cases"
    assert html_to_text(None) is None


def test_source_line_breaks_are_not_text():
    html = "<p>Dear FOI team,<br>\n  I would like\n  to know</p>\n<pre>a\n b</pre>"
    assert html_to_text(html) == "Dear FOI team,\nI would like to know\n\na\nb"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (" https://example.org/a?b=1 ", "https://example.org/a?b=1"),
        ("HTTP://example.org", "HTTP://example.org"),
        ("javascript:alert(1)", None),
        ("data:text/html,<script>", None),
        ("file:///etc/passwd", None),
        ("https:///no-host", None),
        ("http://[::1", None),  # not a URL urlsplit can read
        ("", None),
        (None, None),
        (42, None),
    ],
)
def test_only_http_urls_with_a_host_are_links(url, expected):
    assert safe_url(url) == expected


@pytest.mark.parametrize(
    "value", ["=SUM(A1)", "+44", "-1", "@cmd", "\tx", "\rx", "'=quoted", "'plain", "''", "'", "plain", "", "a=b"]
)
def test_csv_cells_never_start_a_formula_and_read_back_exactly(value):
    cell = csv_safe(value)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell == value or cell == "'" + value
    assert csv_unquote(cell) == value


def test_csv_guard_leaves_numbers_and_none_alone():
    assert csv_safe(-1.5) == -1.5 and csv_safe(None) is None and csv_unquote(None) is None
