"""Who speaks for the government, read from Hansard's attribution (pqcheck.speakers)."""

import pytest

from pqcheck.speakers import speaks_in_office


@pytest.mark.parametrize(
    ("attributed_to", "date", "expected"),
    [
        ("The Minister for Immigration (Caroline Nokes)", "2019-07-17", True),
        ("The Parliamentary Under-Secretary of State for the Home Department (Victoria Atkins)", "2019-05-01", True),
        ("The Secretary of State for Work and Pensions (Amber Rudd)", "2019-05-01", True),
        ("The Prime Minister", "2019-05-01", True),
        # a member named with a constituency speaks from the benches, whatever the party
        ("Ms Diane Abbott (Hackney North and Stoke Newington) (Lab)", "2019-07-17", False),
        ("Sir Edward Leigh (Gainsborough) (Con)", "2019-07-17", False),
        # peers: crossbench and spiritual never; a party out of government on the day never
        ("Lord Alton of Liverpool (CB)", "2019-07-18", False),
        ("The Lord Bishop of Durham", "2019-07-18", False),
        ("Lord Rosser (Lab)", "2019-07-18", False),
        ("Lord Kennedy of Southwark (Lab Co-op)", "2019-07-18", False),
        ("Lord Paddick (LD)", "2019-07-18", False),
        # a peer of a governing party may be the minister: cannot tell
        ("Baroness Williams of Trafford (Con)", "2019-07-18", None),
        ("Lord Paddick (LD)", "2012-03-01", None),
        ("Lord Hanson of Flint (Lab)", "2025-01-15", None),
        ("The Earl of Courtown (Con)", "2019-07-18", None),
        # nothing to go on
        (None, "2019-07-18", None),
        ("", None, None),
        ("Caroline Nokes", "2019-07-17", None),
        ("Lord Rosser (Lab)", None, None),
    ],
)
def test_the_attribution_says_whether_the_speaker_spoke_for_the_government(attributed_to, date, expected):
    assert speaks_in_office(attributed_to, date) is expected
