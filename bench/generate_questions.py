"""Generate synthetic written questions in the exact shapes of the Parliament list endpoint.

The records follow ``/work/shared/reference/parliament-api.md`` sections 1.3-1.8:

- every ``value`` has the 30 ``QuestionsViewModel`` keys, always present, in API order;
- ``questionText`` is cut silently at exactly 255 characters (about 30% of records);
- ``answerText`` is plain text; long answers are cut to 255 characters plus ``"..."`` (about
  60% of answers); paragraphs are sometimes run together with no space, as HTML stripping does;
- holding answers (current, and holding-then-substantive with ``dateHoldingAnswer`` kept),
  corrected answers (``answerIsCorrection``, ``dateAnswerCorrected``, ``correctingMemberId``),
  grouped questions (symmetric ``groupedQuestions`` and ``groupedQuestionsDates``, one shared
  answer), unanswered questions (null answer fields, ``""`` for ``originalAnswerText`` and
  ``comparableAnswerText``), Commons and Lords (``HL1234`` uins);
- member objects (8 keys) on about half of the "pages" (``expandMember=true``), null elsewhere.

Simplifications, documented so nobody reads them as facts: answering-body ids and names follow
the reference's list (section 3.3) with the renames it names (DCMS 10->217, BEIS 201->214/215/216,
DIT 202->214, MHCLG 7->211->7); bodies that existed before the earliest id the reference knows
(FCO, BIS, DCLG) reuse the later id and name. Members, constituencies and texts are invented.
``--html-share`` turns a share of the answered records into detail-endpoint shape (HTML
``answerText``, untruncated ``questionText``) for measuring the HTML path; the default is 0.

The output is reproducible: the same ``--n``, ``--seed`` and options give byte-identical files.

    python -m bench.generate_questions --n 100000 --seed 42 --format jsonl -o questions.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pqcheck.sources.parliament import QUESTION_KEYS

LIST_TEXT_LIMIT = 255
START, END = date(2014, 1, 1), date(2025, 12, 31)
LABOUR_GOVERNMENT_FROM = date(2024, 7, 5)
HIS_MAJESTY_FROM = date(2022, 9, 8)

VALUE_KEYS = QUESTION_KEYS  # the 30 keys of QuestionsViewModel, in API order
MEMBER_KEYS = (
    "id",
    "listAs",
    "name",
    "party",
    "partyColour",
    "partyAbbreviation",
    "memberFrom",
    "thumbnailUrl",
)

REFUSAL = "The information requested is not held centrally and could only be obtained at disproportionate cost."
REFUSAL_VARIANTS = (
    REFUSAL,
    REFUSAL,
    REFUSAL,
    "The information requested is not held centrally and could be obtained only at disproportionate cost.",
    "The Department does not hold this information centrally, and it could only be obtained at disproportionate cost.",
)
HOLDING = (
    "{the_body} has indicated that it will not be possible to answer this question within the "
    "usual time period. An answer is being prepared and will be provided as soon as it is "
    "available."
)

# Logical departments: key, share of questions, Commons-only, eras.
# An era is (valid until, exclusive; None = open), body id, body name, how Commons addresses it.
DHSC = "Department of Health and Social Care"
FCDO = "Foreign, Commonwealth and Development Office"
MHCLG = "Ministry of Housing, Communities and Local Government"
BEIS = "Department for Business, Energy and Industrial Strategy"
BEIS_ADDRESS = "the Secretary of State for Business, Energy and Industrial Strategy"
DBT = "Department for Business and Trade"
REORG = "2023-02-07"
DEPARTMENTS: list[tuple[str, float, bool, list[tuple[str | None, int, str, str]]]] = [
    ("home", 8, False, [(None, 1, "Home Office", "the Secretary of State for the Home Department")]),
    (
        "health",
        12,
        False,
        [
            ("2018-01-09", 17, DHSC, "the Secretary of State for Health"),
            (None, 17, DHSC, "the Secretary of State for Health and Social Care"),
        ],
    ),
    (
        "foreign",
        8,
        False,
        [
            ("2020-09-02", 208, FCDO, "the Secretary of State for Foreign and Commonwealth Affairs"),
            (None, 208, FCDO, "the Secretary of State for Foreign, Commonwealth and Development Affairs"),
        ],
    ),
    ("treasury", 6, False, [(None, 14, "Treasury", "the Chancellor of the Exchequer")]),
    (
        "education",
        7,
        False,
        [(None, 60, "Department for Education", "the Secretary of State for Education")],
    ),
    (
        "work",
        6,
        False,
        [(None, 29, "Department for Work and Pensions", "the Secretary of State for Work and Pensions")],
    ),
    ("defence", 5, False, [(None, 11, "Ministry of Defence", "the Secretary of State for Defence")]),
    (
        "transport",
        5,
        False,
        [(None, 27, "Department for Transport", "the Secretary of State for Transport")],
    ),
    ("justice", 5, False, [(None, 54, "Ministry of Justice", "the Secretary of State for Justice")]),
    (
        "environment",
        5,
        False,
        [
            (
                None,
                13,
                "Department for Environment, Food and Rural Affairs",
                "the Secretary of State for Environment, Food and Rural Affairs",
            )
        ],
    ),
    (
        "cabinet",
        4,
        False,
        [
            (
                "2024-07-05",
                53,
                "Cabinet Office",
                "the Chancellor of the Duchy of Lancaster and Minister for the Cabinet Office",
            ),
            (None, 53, "Cabinet Office", "the Chancellor of the Duchy of Lancaster"),
        ],
    ),
    (
        "housing",
        5,
        False,
        [
            ("2021-09-19", 7, MHCLG, "the Secretary of State for Housing, Communities and Local Government"),
            (
                "2024-07-08",
                211,
                "Department for Levelling Up, Housing and Communities",
                "the Secretary of State for Levelling Up, Housing and Communities",
            ),
            (
                None,
                7,
                MHCLG,
                "the Deputy Prime Minister and Secretary of State for Housing, Communities and Local Government",
            ),
        ],
    ),
    (
        "business",
        4,
        False,
        [(REORG, 201, BEIS, BEIS_ADDRESS), (None, 214, DBT, "the Secretary of State for Business and Trade")],
    ),
    (
        "energy",
        3,
        False,
        [
            (REORG, 201, BEIS, BEIS_ADDRESS),
            (
                None,
                215,
                "Department for Energy Security and Net Zero",
                "the Secretary of State for Energy Security and Net Zero",
            ),
        ],
    ),
    (
        "science",
        2,
        False,
        [
            (REORG, 201, BEIS, BEIS_ADDRESS),
            (
                None,
                216,
                "Department for Science, Innovation and Technology",
                "the Secretary of State for Science, Innovation and Technology",
            ),
        ],
    ),
    (
        "trade",
        2,
        False,
        [
            ("2016-07-14", 201, BEIS, BEIS_ADDRESS),
            (
                REORG,
                202,
                "Department for International Trade",
                "the Secretary of State for International Trade",
            ),
            (None, 214, DBT, "the Secretary of State for Business and Trade"),
        ],
    ),
    (
        "culture",
        3,
        False,
        [
            (
                REORG,
                10,
                "Department for Digital, Culture, Media and Sport",
                "the Secretary of State for Digital, Culture, Media and Sport",
            ),
            (
                None,
                217,
                "Department for Culture, Media and Sport",
                "the Secretary of State for Culture, Media and Sport",
            ),
        ],
    ),
    ("scotland", 0.6, False, [(None, 2, "Scotland Office", "the Secretary of State for Scotland")]),
    ("wales", 0.4, False, [(None, 28, "Wales Office", "the Secretary of State for Wales")]),
    (
        "ni",
        0.6,
        False,
        [(None, 21, "Northern Ireland Office", "the Secretary of State for Northern Ireland")],
    ),
    ("women", 0.8, False, [(None, 31, "Women and Equalities", "the Minister for Women and Equalities")]),
    ("attorney", 0.5, False, [(None, 88, "Attorney General", "the Attorney General")]),
    ("pm", 0.2, True, [(None, 23, "Prime Minister", "the Prime Minister")]),
    ("leader", 0.3, True, [(None, 34, "Leader of the House", "the Leader of the House")]),
    (
        "church",
        0.3,
        True,
        [
            (
                None,
                9,
                "Church Commissioners",
                "the Member for South West Bedfordshire, representing the Church Commissioners",
            )
        ],
    ),
    (
        "commission",
        0.3,
        True,
        [
            (
                None,
                18,
                "House of Commons Commission",
                "the hon. Member for Broxbourne, representing the House of Commons Commission",
            )
        ],
    ),
    (
        "electoral",
        0.15,
        True,
        [
            (
                None,
                36,
                "Speaker's Committee on the Electoral Commission",
                "the hon. Member for Houghton and Sunderland South, representing the Speaker's "
                "Committee on the Electoral Commission",
            )
        ],
    ),
]

# (heading, phrase) pairs per department; headings follow the API's "Subject: Aspect" style.
TOPICS: dict[str, list[tuple[str, str]]] = {
    "home": [
        ("Asylum: Hotels", "the use of hotels to accommodate asylum seekers"),
        ("Police: Recruitment", "the recruitment and retention of police officers"),
        ("Immigration: Applications", "waiting times for immigration and nationality applications"),
        ("Knives: Crime", "levels of knife crime among young people"),
        ("Fraud", "the prevalence of online fraud and scams"),
        ("Visas: Overseas Students", "the number of visas issued to overseas students"),
        ("Passports: Delays", "delays in the processing of passport applications"),
        ("Small Boats", "the number of people crossing the English Channel in small boats"),
    ],
    "health": [
        ("Carers: Coronavirus", "support for unpaid carers during the covid-19 outbreak"),
        ("General Practitioners: Recruitment", "the number of general practitioners in training"),
        ("NHS: Waiting Lists", "waiting times for elective treatment in the NHS"),
        ("Dental Services", "access to NHS dental services"),
        ("Mental Health Services: Children", "waiting times for child and adolescent mental health services"),
        ("Ambulance Services: Response Times", "ambulance response times for category 2 calls"),
        ("Social Care: Staff", "vacancy rates in the adult social care workforce"),
        ("Cancer: Diagnosis", "the time taken to diagnose cancer after an urgent referral"),
        ("Coronavirus: Vaccination", "the roll-out of covid-19 vaccines to priority groups"),
    ],
    "foreign": [
        ("Ukraine: Military Aid", "the provision of military and humanitarian aid to Ukraine"),
        ("Development Aid", "the level of official development assistance"),
        ("Iran: Detainees", "British nationals detained in Iran"),
        ("Gaza: Humanitarian Aid", "humanitarian access to Gaza"),
        ("Hong Kong: Human Rights", "the human rights situation in Hong Kong"),
        ("Sudan: Conflict Resolution", "efforts to secure a ceasefire in Sudan"),
        ("Zimbabwe: Foreign Relations", "the UK's bilateral relationship with Zimbabwe"),
    ],
    "treasury": [
        ("Income Tax: Thresholds", "the freezing of income tax personal allowances"),
        ("Fuel Duty", "the level of fuel duty"),
        ("Public Sector: Pay", "public sector pay awards"),
        ("Business Rates", "the effect of business rates on high street retailers"),
        ("Loan Charge", "the effect of the loan charge on affected taxpayers"),
        ("VAT: Energy", "the rate of VAT on domestic energy bills"),
    ],
    "education": [
        ("Schools: Finance", "funding for schools through the Dedicated Schools Grant"),
        ("Special Educational Needs", "provision for children with special educational needs and disabilities"),
        ("Teachers: Recruitment", "the recruitment and retention of teachers"),
        ("Childcare", "the availability of funded early years childcare places"),
        ("Free School Meals", "eligibility for free school meals"),
        ("Schools: Buildings", "reinforced autoclaved aerated concrete in school buildings"),
        ("Apprentices", "the number of apprenticeship starts"),
    ],
    "work": [
        ("Universal Credit", "the five-week wait for a first payment of universal credit"),
        ("Personal Independence Payment", "the time taken to process personal independence payment claims"),
        ("State Pensions: Women", "the communication of changes to the state pension age for women"),
        ("Child Maintenance Service", "arrears owed through the Child Maintenance Service"),
        ("Carer's Allowance", "overpayments of carer's allowance"),
        ("Jobcentres", "the closure of jobcentres"),
    ],
    "defence": [
        ("Type 32 Frigates: Design and Procurement", "the design and procurement timetable for the Type 32 frigate"),
        ("Armed Forces: Recruitment", "recruitment to the armed forces"),
        ("Military Bases", "the future use of military bases"),
        ("Veterans: Mental Health", "mental health support for veterans"),
        ("Ajax Vehicles", "the cost of the Ajax armoured vehicle programme"),
        ("Service Family Accommodation", "the condition of service family accommodation"),
    ],
    "transport": [
        ("Railways: Fares", "the level of rail fares"),
        ("Bus Services: Rural Areas", "the provision of bus services in rural areas"),
        ("Driving Tests", "waiting times for practical driving tests"),
        ("High Speed 2 Railway Line", "the cost of the High Speed 2 railway line"),
        ("Roads: Potholes", "funding for local authorities to repair potholes"),
        ("Electric Vehicles: Charging Points", "the number of public charging points for electric vehicles"),
    ],
    "justice": [
        ("Prisons: Overcrowding", "overcrowding in prisons"),
        ("Courts: Backlogs", "the backlog of cases in the Crown Court"),
        ("Legal Aid Scheme", "access to civil legal aid"),
        ("Probation: Staff", "staffing levels in the probation service"),
        ("Domestic Abuse: Victims", "support for victims of domestic abuse in the family courts"),
    ],
    "environment": [
        ("Water Companies: Sewage", "discharges of sewage by water companies"),
        ("Nature Conservation", "progress towards the Environment Act targets"),
        ("Dangerous Dogs: Sales", "the sale of prohibited dog breeds"),
        ("Farmers: Subsidies", "payments to farmers under the Sustainable Farming Incentive"),
        ("Flood Control", "investment in flood defences"),
        ("Drinking Water: Per- and Polyfluorinated Alkyl Substances", "levels of PFAS in drinking water"),
    ],
    "cabinet": [
        ("Civil Servants: Location", "the relocation of civil service roles out of London"),
        ("Infected Blood Inquiry", "compensation for people affected by infected blood"),
        ("Ministerial Policy Advisers", "the number of special advisers"),
        ("Government Procurement Card", "spending on government procurement cards"),
        ("Covid-19 Inquiry", "the cost of the covid-19 inquiry"),
    ],
    "housing": [
        ("Housing: Construction", "the number of new homes built"),
        ("Affordable Housing", "the supply of social and affordable housing"),
        ("Green Belt", "development on green belt land"),
        ("Homelessness", "the number of households in temporary accommodation"),
        ("Local Government Finance", "the financial sustainability of local authorities"),
        ("Leasehold", "the cost of ground rents for leaseholders"),
    ],
    "business": [
        ("Post Office: Horizon IT System", "compensation for postmasters affected by the Horizon IT system"),
        ("Minimum Wage", "the level of the national minimum wage"),
        ("Small Businesses: Finance", "access to finance for small businesses"),
        ("Insolvency", "the number of company insolvencies"),
    ],
    "energy": [
        ("Energy: Prices", "the level of the energy price cap"),
        ("Heat Pumps", "the number of heat pumps installed"),
        ("Offshore Wind Power", "the capacity of offshore wind generation"),
        ("Fuel Poverty", "the number of households in fuel poverty"),
    ],
    "science": [
        ("Broadband: Rural Areas", "the roll-out of gigabit-capable broadband in rural areas"),
        ("Artificial Intelligence", "the regulation of artificial intelligence"),
        ("Horizon Europe", "the UK's association to Horizon Europe"),
    ],
    "trade": [
        ("Trade Agreements", "the progress of negotiations on free trade agreements"),
        ("Exports: Small Businesses", "support for small businesses to export"),
        ("Foreign Investment in UK", "levels of foreign direct investment"),
    ],
    "culture": [
        ("Sports: Children", "opportunities for children to take part in sport"),
        ("BBC: Licence Fees", "the future of the BBC licence fee"),
        ("Gambling: Advertising", "the regulation of gambling advertising"),
        ("Museums and Galleries: Admissions", "free admission to national museums"),
        ("Music Venues", "the financial position of grassroots music venues"),
    ],
    "scotland": [
        ("Scotland: Economic Growth", "economic growth in Scotland"),
        ("Scotland: Devolution", "relations with the Scottish Government"),
    ],
    "wales": [
        ("Wales: Railways", "rail investment in Wales"),
        ("Wales: Economic Growth", "economic growth in Wales"),
    ],
    "ni": [
        ("Northern Ireland Executive", "the restoration of the Northern Ireland Executive"),
        ("Northern Ireland Protocol", "the operation of the Windsor Framework"),
    ],
    "women": [
        ("Gender Pay Gap", "the gender pay gap"),
        ("Equality Act 2010", "the definition of sex in the Equality Act 2010"),
    ],
    "attorney": [
        ("Crown Prosecution Service: Rape", "charging rates for rape offences"),
        ("Unduly Lenient Sentence Scheme", "the number of referrals under the Unduly Lenient Sentence scheme"),
    ],
    "pm": [("Engagements", "his official engagements"), ("Ministerial Code", "the Ministerial Code")],
    "leader": [
        ("Written Questions: Government Responses", "the timeliness of answers to written questions"),
        ("Parliament: Recess", "the dates of parliamentary recesses"),
    ],
    "church": [
        ("Church of England: Clergy", "the number of stipendiary clergy"),
        ("Churches: Repairs", "the repair of listed church buildings"),
    ],
    "commission": [
        ("Palace of Westminster: Restoration and Renewal", "the restoration and renewal of the Palace of Westminster"),
        ("Parliamentary Estate: Security", "security on the parliamentary estate"),
    ],
    "electoral": [
        ("Electoral Register", "the completeness of the electoral register"),
        ("Voter Identification", "the effect of voter identification requirements"),
    ],
}
DEPT_SELF = [
    ("Civil Servants", "the number of civil servants employed by {dept}"),
    ("Public Appointments", "appointments made by exception to fair, open and merit-based recruitment"),
    ("Written Questions", "the time taken by {dept} to answer written parliamentary questions"),
    ("Consultants", "spending by {dept} on external consultants"),
    ("Hospitality", "spending by {dept} on hospitality"),
]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "James Anne Marie Gareth Helen Nadine Barbara Julian Nadhim Sarah David Emma Richard Rachel "
    "John Louise Mark Catherine Andrew Alison Stephen Jessica Peter Rebecca Daniel Jo Tom Lucy "
    "Chris Kate Paul Fiona Robert Wendy Simon Caroline Ian Sally Neil Karen Matthew Liz Martin "
    "Angela Jonathan Margaret Ben Preet Imran Florence Tan Bell Rushanara Wes Yvette Kemi Priti "
    "Alberto Rishi Keir Dawn Angus Stewart Ruth Liam Marsha Munira Layla Jim"
)
SURNAMES = _words(
    "Murray Morris Thomas Whately Dorries Keeley Sturdy Zahawi Davies Jones Smith Brown Wilson "
    "Taylor Evans Roberts Walker Wright Robinson Thompson White Hughes Edwards Green Hall Wood "
    "Harris Lewis Martin Jackson Clarke Clark Turner Hill Scott Cooper Ward Morgan King Baker "
    "Harrison Morrison Patel Khan Ali Shah Begum Hussain Ahmed Campbell Stewart Anderson "
    "MacDonald Reid Fraser Hamilton Kennedy Doyle Byrne Flynn Quinn Owen Price Powell Lloyd "
    "Griffiths Rees Jenkins Bennett Mitchell Carter Phillips Parker Collins Bailey Russell "
    "Chapman Mason Ellis Shaw Fletcher Lowe Dhesi Streeting Cooper Badenoch Costa Starmer"
)
PLACES = _words(
    "Ashfield Barnsley Bassetlaw Bedford Blackpool Bolton Bootle Bradford Brentford Brighton "
    "Bristol Broxtowe Burnley Bury Cambridge Canterbury Carlisle Chelmsford Cheltenham Chester "
    "Chorley Colchester Coventry Crawley Croydon Darlington Derby Doncaster Dover Dudley Ealing "
    "Eastbourne Enfield Exeter Gateshead Gloucester Gosport Grantham Halifax Harrow Hastings "
    "Hendon Hexham Huddersfield Hull Ipswich Islington Keighley Kettering Knowsley Lancaster "
    "Leeds Leicester Lewes Lincoln Luton Macclesfield Maidstone Mansfield Newark Northampton "
    "Norwich Nottingham Oldham Oxford Peterborough Plymouth Portsmouth Preston Reading Redcar "
    "Rochdale Romford Salford Sheffield Shrewsbury Slough Southampton Stafford Stockport Stroud "
    "Sunderland Swindon Taunton Telford Thurrock Torbay Wakefield Walsall Warrington Watford "
    "Wigan Winchester Woking Worcester Worthing Wrexham York Ilton Mablethorpe"
)
DIRECTIONS = ("North", "South", "East", "West", "North West", "South East", "Central", "Mid")
STAKEHOLDERS = (
    "local authorities",
    "NHS England",
    "the devolved Administrations",
    "trade unions",
    "industry representatives",
    "the Local Government Association",
    "charities",
    "the Scottish Government",
    "her Cabinet colleagues",
    "the Chancellor of the Exchequer",
    "the Office for Budget Responsibility",
    "international partners",
)
BREAKDOWNS = (
    "region",
    "local authority",
    "parliamentary constituency",
    "age and sex",
    "ethnicity",
    "month",
    "financial year",
)
REPORTS = (
    "Foundations of Fairness",
    "State of the Nation",
    "Fit for the Future",
    "A Fairer Deal",
    "Building Back Better",
    "Left Behind",
    "The Cost of Inaction",
    "Time to Act",
)
ACTIONS = (
    "improve",
    "increase funding for",
    "reduce delays in",
    "review",
    "publish data on",
    "consult on changes to",
    "support local authorities with",
    "improve the monitoring of",
)
MONTHS = _words("January February March April May June July August September October November December")

# Party: (name, abbreviation, colour, Commons share, Lords share)
PARTIES = (
    ("Conservative", "Con", "0000ff", 45.0, 33.0),
    ("Labour", "Lab", "ff0000", 38.0, 24.0),
    ("Scottish National Party", "SNP", "fcf28f", 6.0, 0.0),
    ("Liberal Democrat", "LD", "f8a428", 5.0, 12.0),
    ("Democratic Unionist Party", "DUP", "000080", 1.5, 0.5),
    ("Plaid Cymru", "PC", "3f8428", 0.6, 0.2),
    ("Green Party", "Green", "78b82a", 0.4, 0.3),
    ("Independent", "Ind", "C0C0C0", 1.0, 0.0),
    ("Ulster Unionist Party", "UUP", "99CCFF", 0.3, 0.4),
    ("Alliance", "Alliance", "C0C0C0", 0.2, 0.0),
    ("Crossbench", "XB", "C0C0C0", 0.0, 24.0),
    ("Bishops", "Bshp", "C0C0C0", 0.0, 3.0),
    ("Non-affiliated", None, None, 0.0, 4.0),
)

COMMONS_SESSIONS = ("2015-05-18", "2017-06-13", "2019-12-17", "2024-07-17")
LORDS_SESSIONS = (
    "2014-06-04",
    "2015-05-27",
    "2016-05-18",
    "2017-06-21",
    "2019-10-14",
    "2019-12-19",
    "2021-05-11",
    "2022-05-10",
    "2023-11-07",
    "2024-07-17",
)


def iso(d: date | None) -> str | None:
    return None if d is None else f"{d.isoformat()}T00:00:00"


def weekday_on_or_after(d: date) -> date:
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def add_weekdays(d: date, n: int) -> date:
    while n > 0:
        d += timedelta(days=1)
        if d.weekday() < 5:
            n -= 1
    return d


def session_index(d: date, starts: tuple[str, ...]) -> int:
    key = d.isoformat()
    return sum(1 for s in starts if key >= s)


class Generator:
    """Builds ``n`` list-endpoint items from one seeded :class:`random.Random`."""

    def __init__(
        self,
        seed: int = 42,
        html_share: float = 0.0,
        expand_share: float = 0.5,
        page_size: int = 100,
    ):
        self.rng = random.Random(seed)
        self.html_share = html_share
        self.expand_share = expand_share
        self.page_size = page_size
        self.eras = {
            key: [(date.fromisoformat(u) if u else None, i, n, a) for u, i, n, a in eras]
            for key, _w, _c, eras in DEPARTMENTS
        }
        self.dept_keys = [d[0] for d in DEPARTMENTS]
        self.dept_weights = [d[1] for d in DEPARTMENTS]
        self.lords_keys = [d[0] for d in DEPARTMENTS if not d[2]]
        self.lords_weights = [d[1] for d in DEPARTMENTS if not d[2]]
        self._make_members()
        self._make_ministers()

    # -- people -----------------------------------------------------------------------------

    def _make_members(self) -> None:
        rng = self.rng
        ids = rng.sample(range(170, 5400), 1500)
        used_seats: set[str] = set()
        used_names: set[str] = set()
        self.members: dict[int, dict[str, Any]] = {}
        self.commons: list[int] = []
        self.lords: list[int] = []
        for n, member_id in enumerate(ids):
            lords = n >= 1000
            weights = [p[4] if lords else p[3] for p in PARTIES]
            party, abbreviation, colour, *_ = rng.choices(PARTIES, weights)[0]
            first, surname = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            if lords:
                name, list_as, seat = self._peer(party, first, surname)
            else:
                title = rng.choices(("", "Dr ", "Sir ", "Ms ", "Mrs ", "Dame "), (88, 4, 3, 2, 2, 1))[0]
                name, list_as = f"{title}{first} {surname}", f"{surname}, {title}{first}"
                seat = self._seat(used_seats)
            if name in used_names:  # draw again rather than show a doubled name
                first, surname = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
                if lords:
                    name, list_as, seat = self._peer(party, first, surname)
                else:
                    name, list_as = f"{first} {surname}", f"{surname}, {first}"
            used_names.add(name)
            self.members[member_id] = {
                "id": member_id,
                "listAs": list_as,
                "name": name,
                "party": party,
                "partyColour": colour,
                "partyAbbreviation": abbreviation,
                "memberFrom": seat,
                "thumbnailUrl": f"https://members-api.parliament.uk/api/Members/{member_id}/Thumbnail",
            }
            (self.lords if lords else self.commons).append(member_id)
        # a few prolific askers, a long tail of occasional ones
        self.commons_weights = [rng.paretovariate(1.3) for _ in self.commons]
        self.lords_weights_members = [rng.paretovariate(1.3) for _ in self.lords]

    def _peer(self, party: str, first: str, surname: str) -> tuple[str, str, str]:
        rng = self.rng
        place = rng.choice(PLACES)
        if party == "Bishops":
            return f"The Lord Bishop of {place}", f"{place}, Bp of", "Bishops"
        seat = rng.choices(("Life peer", "Excepted Hereditary"), (92, 8))[0]
        baroness = rng.random() < 0.3
        style, short = ("Baroness", "B.") if baroness else ("Lord", "L.")
        if rng.random() < 0.5:
            return f"{style} {surname} of {place}", f"{surname} of {place}, {short}", seat
        return f"{style} {surname}", f"{surname}, {short}", seat

    def _seat(self, used: set[str]) -> str:
        rng = self.rng
        while True:
            place = rng.choice(PLACES)
            shape = rng.random()
            if shape < 0.45:
                seat = place
            elif shape < 0.8:
                seat = f"{rng.choice(DIRECTIONS)} {place}"
            else:
                seat = f"{place} and {rng.choice(PLACES)}"
            if seat not in used:
                used.add(seat)
                return seat

    def _make_ministers(self) -> None:
        """Per department and government: a few Commons ministers and one or two in the Lords."""
        rng = self.rng
        self.ministers: dict[tuple[str, str], dict[str, list[int]]] = {}
        self.pronouns: dict[tuple[str, int], str] = {}
        for key in self.dept_keys:
            for government in ("Conservative", "Labour"):
                commons = [m for m in self.commons if self.members[m]["party"] == government]
                lords = [m for m in self.lords if self.members[m]["party"] == government]
                self.ministers[(key, government)] = {
                    "Commons": rng.sample(commons, 4),
                    "Lords": rng.sample(lords, 2),
                }
            for year in range(START.year, END.year + 1):
                self.pronouns[(key, year)] = rng.choices(("he", "she"), (65, 35))[0]

    # -- text -------------------------------------------------------------------------------

    def _topic(self, key: str, body_name: str) -> tuple[str, str]:
        rng = self.rng
        if rng.random() < 0.08:
            heading, phrase = rng.choice(DEPT_SELF)
            dept = "HM Treasury" if key == "treasury" else "the Department"
            return f"{body_name}: {heading}", phrase.format(dept=dept)
        return rng.choice(TOPICS[key])

    def _question(self, key: str, address: str, house: str, tabled: date, phrase: str) -> tuple[str, list[str], str]:
        """The full question text (not yet cut to the list limit)."""
        rng = self.rng
        if house == "Lords":
            crown = "His" if tabled >= HIS_MAJESTY_FROM else "Her"
            head = f"To ask {crown} Majesty's Government"
            s, has, poss = "they", "have", "their"
            dept_is, dept_has = "they are", "they have"
            sep = " "
        else:
            head = f"To ask {address}"
            s = self.pronouns[(key, tabled.year)]
            poss = "his" if s == "he" else "her"
            has = "has"
            dept_is, dept_has = f"{poss} Department is", f"{poss} Department has"
            sep = ", "
        topic2, topic3 = (t[1] for t in rng.sample(TOPICS[key], 2))
        years = rng.choice(("three", "five", "10", "last two"))
        templates = (
            f"what assessment {s} {has} made of {phrase}",
            f"what steps {dept_is} taking to {rng.choice(ACTIONS)} {phrase}",
            f"whether {s} plans to {rng.choice(ACTIONS)} {phrase}",
            f"what discussions {s} {has} had with {rng.choice(STAKEHOLDERS)} on {phrase}",
            f"what estimate {dept_has} made of the cost of {phrase}",
            f"how much funding {dept_has} allocated to {phrase} in each of the last {years} years",
            f"if {s} will publish the evidence base for {poss} policy on {phrase}",
            f"with reference to the report entitled {rng.choice(REPORTS)}, published on "
            f"{self._earlier(tabled)}, what assessment {s} {has} "
            f"made of the implications for {poss} policies of that report's findings on {phrase}",
            f"pursuant to the Answer of {self._earlier(tabled)} to Question "
            f"{rng.randint(1000, 199999)}, what progress {dept_has} made on {phrase}",
            f"what assessment {s} {has} made of the potential merits of steps to "
            f"{rng.choice(ACTIONS)} (a) {phrase}, (b) {topic2} and (c) {topic3}",
        )
        text = head + sep + rng.choice(templates)
        extensions = [
            f", broken down by {rng.choice(BREAKDOWNS)}",
            f" in (a) {rng.choice(PLACES)}, (b) {rng.choice(PLACES)} and (c) England",
            f"; and what plans {s} {has} to {rng.choice(ACTIONS)} {topic2}",
            f"; and what assessment {s} {has} made of the effect of that matter on {topic2}",
            f", and what discussions {s} {has} had with {rng.choice(STAKEHOLDERS)} on that matter",
            f" in each of the last {years} years",
        ]
        rng.shuffle(extensions)
        coda = "" if house == "Lords" else f"; and if {s} will make a statement"
        return text, extensions, coda

    def _question_text(self, *args: Any, cut: bool) -> tuple[str, str]:
        """(list text, full text). ``cut``: the full text exceeds 255 and the list shows 255."""
        rng = self.rng
        for _ in range(10):  # an uncut question needs a base short enough to show whole
            text, extensions, coda = self._question(*args)
            if cut or len(text) < LIST_TEXT_LIMIT - 1:
                break
        if cut:
            target = rng.randint(LIST_TEXT_LIMIT + 5, LIST_TEXT_LIMIT + 200)
            while len(text) < target:
                text += extensions[0]
                extensions = extensions[1:] + extensions[:1]
            full = text + (coda if rng.random() < 0.3 else "") + "."
            return full[:LIST_TEXT_LIMIT], full
        target = rng.randint(70, LIST_TEXT_LIMIT - 1)
        for ext in extensions:
            if len(text) + len(ext) + 1 > target:
                break
            text += ext
        if coda and len(text) + len(coda) + 1 < target:
            text += coda
        full = text + "."
        # a long base question cannot be shown whole by the list endpoint: it is cut too
        return full[:LIST_TEXT_LIMIT], full

    def _earlier(self, d: date) -> str:
        """A date before ``d``, written out as questions and answers do: "4 February 2021"."""
        e = d - timedelta(days=self.rng.randint(7, 400))
        return f"{e.day} {MONTHS[e.month - 1]} {e.year}"

    def _sentence(self, key: str, phrase: str, the_body: str, answered: date) -> str:
        rng = self.rng
        year = answered.year
        n = rng.randint(2, 950)
        stake = rng.choice(STAKEHOLDERS)
        templates = (
            f"The Government is committed to improving {phrase}.",
            f"{the_body} keeps {phrase} under regular review.",
            f"Information on {phrase} is published on GOV.UK.",
            f"In {year}, £{n} million was allocated to {phrase}.",
            f"We continue to work closely with {stake} to improve {phrase}.",
            f"Officials meet regularly with {stake} to discuss a range of issues, including {phrase}.",
            f"The latest available data on {phrase} is set out in the table below.",
            f"Figures for {year} will be published in due course.",
            f"As of the end of {rng.choice(MONTHS)} {year}, there were {n},{rng.randint(100, 999)} cases.",
            "It is the longstanding convention of government under successive administrations that "
            "we do not comment on matters relating to individual staff.",
            f"I refer the hon. Member to the answer given to Question UIN {rng.randint(1000, 99999)} "
            f"on {self._earlier(answered)}.",
            f"The Government will set out further details on {phrase} in due course.",
            f"This represents an increase of {rng.randint(1, 60)}% compared with {year - 1}.",
            f"{the_body} does not hold information on {phrase} in the format requested.",
            f"We recognise the importance of {phrase}, and {stake} have a key role to play.",
            f"Decisions on {phrase} are a matter for {stake}.",
        )
        return rng.choice(templates)

    def _answer_paragraphs(
        self, key: str, phrase: str, the_body: str, answered: date, long: bool, refusal: bool
    ) -> list[str]:
        rng = self.rng
        target = rng.randint(300, 2600) if long else rng.randint(40, LIST_TEXT_LIMIT - 1)
        paragraphs: list[str] = []
        length = 0
        if refusal:
            lead = rng.random() < 0.5
            if lead:
                paragraphs.append(self._sentence(key, phrase, the_body, answered))
            paragraphs.append(rng.choice(REFUSAL_VARIANTS))
            length = sum(len(p) + 1 for p in paragraphs)
        while length < target:
            count = rng.randint(1, 3)
            para = " ".join(self._sentence(key, phrase, the_body, answered) for _ in range(count))
            if not long and paragraphs and length + len(para) + 1 >= LIST_TEXT_LIMIT:
                break
            if not long and not paragraphs and len(para) >= LIST_TEXT_LIMIT:
                para = self._sentence(key, phrase, the_body, answered)
                if len(para) >= LIST_TEXT_LIMIT:
                    para = "The Government keeps this matter under review."
            paragraphs.append(para)
            length += len(para) + 1
        return paragraphs

    def _answer(self, key: str, phrase: str, the_body: str, answered: date, html: bool) -> str:
        year = answered.year
        """A substantive answer: list-shape plain text (maybe cut) or detail-shape HTML."""
        rng = self.rng
        refusal = rng.random() < 0.10
        long = rng.random() < 0.60
        paragraphs = self._answer_paragraphs(key, phrase, the_body, answered, long, refusal)
        if html:
            parts = [f"<p>{p}</p>" for p in paragraphs]
            if rng.random() < 0.15:
                rows = "".join(
                    f"<tr><td><p>{y}</p></td><td><p>{rng.randint(10, 99999):,}</p></td></tr>"
                    for y in range(year - rng.randint(2, 6), year)
                )
                parts.insert(
                    1, f"<table><tbody><tr><td><p>Year</p></td><td><p>Number</p></td></tr>{rows}</tbody></table>"
                )
            if rng.random() < 0.2:
                parts.append(
                    '<p>Further information is available <a href="https://www.gov.uk/government/'
                    f'statistics/{rng.randint(1000, 9999)}" target="_blank">on GOV.UK</a>.</p>'
                )
            if rng.random() < 0.1:
                parts.insert(1, "<p> </p>")
            return "".join(parts)
        joiner = "" if len(paragraphs) > 1 and rng.random() < 0.5 else " "
        text = joiner.join(paragraphs)
        if len(text) > LIST_TEXT_LIMIT:
            return text[:LIST_TEXT_LIMIT] + "..."
        return text

    # -- records ----------------------------------------------------------------------------

    def _era(self, key: str, d: date) -> tuple[int, str, str]:
        for until, body_id, name, address in self.eras[key]:
            if until is None or d < until:
                return body_id, name, address
        raise AssertionError(key)

    def _draft_group(self, size: int) -> list[dict[str, Any]]:
        """One question, or a group answered together: same asker, body and answer."""
        rng = self.rng
        span = (END - START).days
        tabled = weekday_on_or_after(START + timedelta(days=rng.randrange(span)))
        if tabled > END:
            tabled = END - timedelta(days=3)
        house = "Lords" if rng.random() < 0.2 else "Commons"
        if house == "Lords":
            key = rng.choices(self.lords_keys, self.lords_weights)[0]
            asker = rng.choices(self.lords, self.lords_weights_members)[0]
        else:
            key = rng.choices(self.dept_keys, self.dept_weights)[0]
            asker = rng.choices(self.commons, self.commons_weights)[0]
        body_id, body_name, address = self._era(key, tabled)
        heading, phrase = self._topic(key, body_name)
        government = "Labour" if tabled >= LABOUR_GOVERNMENT_FROM else "Conservative"
        ministers = self.ministers[(key, government)][house]
        the_body = body_name if body_name.startswith("The ") else f"The {body_name}"
        if body_name == "Treasury":
            the_body = "HM Treasury"

        recent = (END - tabled).days < 21
        withdrawn = rng.random() < 0.003
        named = house == "Commons" and rng.random() < 0.12
        if house == "Lords":
            for_answer = tabled + timedelta(days=14)
        else:
            for_answer = add_weekdays(tabled, rng.randint(3, 5) if named else 2)

        status = "answered"
        roll = rng.random()
        if withdrawn or rng.random() < (0.7 if recent else 0.03):
            status = "unanswered"
        elif roll < 0.02:
            status = "holding"
        elif roll < 0.08:
            status = "holding_then_answered"
        elif roll < 0.095:
            status = "corrected"
        delay = max(1, min(150, int(rng.lognormvariate(2.0, 0.8))))
        answered = weekday_on_or_after(tabled + timedelta(days=delay))
        holding_date = None
        if status in ("holding", "holding_then_answered"):
            holding_date = weekday_on_or_after(max(for_answer, add_weekdays(tabled, 3)))
            if status == "holding_then_answered":
                answered = weekday_on_or_after(holding_date + timedelta(days=rng.randint(5, 60)))
            else:
                answered = holding_date
        corrected_date = None
        if status == "corrected":
            corrected_date = weekday_on_or_after(answered + timedelta(days=rng.randint(3, 60)))
        if status != "unanswered" and max(answered, corrected_date or answered) > END:
            status, holding_date, corrected_date = "unanswered", None, None

        html = status != "unanswered" and rng.random() < self.html_share
        answerer = rng.choice(ministers) if status != "unanswered" else None
        corrector = None
        if status == "corrected":
            corrector = answerer if rng.random() < 0.8 else rng.choice(ministers)
        if status == "unanswered":
            answer = None
        elif status == "holding":
            answer = HOLDING.format(the_body=the_body)
            if html:
                answer = f"<p>{answer}</p>"
        else:
            answer = self._answer(key, phrase, the_body, answered, html)

        group_dates = [tabled] * size
        if size > 1 and rng.random() < 0.05:  # grouped questions can be tabled on other dates
            earlier = tabled - timedelta(days=rng.randint(1, 4))
            group_dates[rng.randrange(size)] = earlier if earlier.weekday() < 5 else tabled
        has_interest = rng.random() < 0.02
        drafts = []
        for n in range(size):
            cut = rng.random() < 0.30 and not html
            listed, full = self._question_text(key, address, house, group_dates[n], phrase, cut=cut)
            drafts.append(
                {
                    "house": house,
                    "asker": asker,
                    "has_interest": has_interest,
                    "tabled": group_dates[n],
                    "for_answer": for_answer,
                    "question": full if html else listed,
                    "body_id": body_id,
                    "body_name": body_name,
                    "withdrawn": withdrawn,
                    "named": named,
                    "status": status,
                    "answerer": answerer,
                    "corrector": corrector,
                    "answered": None if status == "unanswered" else answered,
                    "answer": answer,
                    "corrected": corrected_date,
                    "holding": holding_date,
                    "heading": heading,
                    "partners": [],
                    "order": rng.random(),
                }
            )
        for d in drafts:
            d["partners"] = [p for p in drafts if p is not d]
        return drafts

    def items(self, n: int) -> list[dict[str, Any]]:
        """``n`` list items ``{"value": ..., "links": [...]}`` in the API's default order."""
        rng = self.rng
        drafts: list[dict[str, Any]] = []
        while len(drafts) < n:
            size = 1
            if rng.random() < 0.08:
                size = rng.choices((2, 3, 4, 5, 6), (60, 20, 10, 6, 4))[0]
            drafts.extend(self._draft_group(min(size, n - len(drafts))))

        # ids and uins are handed out in tabling order; uins restart each Parliament/session
        drafts.sort(key=lambda d: (d["tabled"], d["order"]))
        next_id = 180_000
        counters: dict[tuple[str, int], int] = {}
        for d in drafts:
            next_id += rng.randint(1, 30)
            d["id"] = next_id
            if d["house"] == "Lords":
                session = ("Lords", session_index(d["tabled"], LORDS_SESSIONS))
                counters[session] = counters.get(session, rng.randint(1, 40)) + rng.randint(1, 4)
                d["uin"] = f"HL{counters[session]}"
            else:
                session = ("Commons", session_index(d["tabled"], COMMONS_SESSIONS))
                start = 150_000 if session[1] == 0 else rng.randint(1, 400)
                counters[session] = counters.get(session, start) + rng.randint(1, 9)
                d["uin"] = str(counters[session])

        # the list endpoint's default order: latest activity first
        def activity(d: dict[str, Any]) -> tuple[date, int]:
            dates = [d["tabled"], d["answered"], d["corrected"], d["holding"]]
            return max(x for x in dates if x), d["id"]

        drafts.sort(key=activity, reverse=True)
        items = []
        expand = False
        for position, d in enumerate(drafts):
            if position % self.page_size == 0:
                expand = rng.random() < self.expand_share
            items.append(self._item(d, expand))
        return items

    def _member(self, member_id: int | None, expand: bool) -> dict[str, Any] | None:
        if not expand or member_id is None:
            return None
        return dict(self.members[member_id])

    def _item(self, d: dict[str, Any], expand: bool) -> dict[str, Any]:
        answered = d["status"] != "unanswered"
        partners = sorted(d["partners"], key=lambda p: p["uin"])
        values = (
            d["id"],
            d["asker"],
            self._member(d["asker"], expand),
            d["house"],
            d["has_interest"],
            iso(d["tabled"]),
            iso(d["for_answer"]),
            d["uin"],
            d["question"],
            d["body_id"],
            d["body_name"],
            d["withdrawn"],
            d["named"],
            [p["uin"] for p in partners],
            (d["status"] == "holding") if answered else None,
            (d["status"] == "corrected") if answered else None,
            d["answerer"],
            self._member(d["answerer"], expand),
            d["corrector"],
            self._member(d["corrector"], expand),
            iso(d["answered"]),
            d["answer"],
            "",
            "",
            iso(d["corrected"]),
            iso(d["holding"]),
            0,
            d["heading"],
            [],
            [{"questionUin": p["uin"], "dateTabled": iso(p["tabled"])} for p in partners],
        )
        value = dict(zip(VALUE_KEYS, values, strict=True))
        return {"value": value, "links": [{"rel": "self", "href": f"/Questions/{d['id']}", "method": "GET"}]}


def summary(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Shares of the quirks that matter, for a quick check of a generated file."""
    values = [i["value"] for i in items]
    answered = [v for v in values if v["answerText"] is not None]
    count = Counter()
    for v in values:
        count["lords"] += v["house"] == "Lords"
        count["question_cut"] += len(v["questionText"]) == LIST_TEXT_LIMIT
        count["unanswered"] += v["answerText"] is None
        count["holding"] += bool(v["answerIsHolding"])
        count["holding_then_answered"] += bool(v["dateHoldingAnswer"]) and not v["answerIsHolding"]
        count["corrected"] += bool(v["answerIsCorrection"])
        count["grouped"] += bool(v["groupedQuestions"])
        count["member_objects"] += v["askingMember"] is not None
        text = v["answerText"] or ""
        count["answer_cut"] += text.endswith("...")
        count["refusal"] += "disproportionate cost" in text
        count["html_answer"] += text.startswith("<")
    n = len(values) or 1
    shares = {k: round(count[k] / n, 3) for k in sorted(count)}
    shares["answer_cut_of_answered"] = round(count["answer_cut"] / (len(answered) or 1), 3)
    shares["refusal_of_answered"] = round(count["refusal"] / (len(answered) or 1), 3)
    shares["bodies"] = len({v["answeringBodyId"] for v in values})
    return {"records": len(values), "shares": shares}


def generate(n: int, seed: int = 42, html_share: float = 0.0, expand_share: float = 0.5) -> list[dict[str, Any]]:
    return Generator(seed=seed, html_share=html_share, expand_share=expand_share).items(n)


def write(items: list[dict[str, Any]], path: Path, fmt: str) -> None:
    """Write compact UTF-8 JSON like the API: JSON Lines of items, or one list response."""
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="\n") as out:
        if fmt == "jsonl":
            for item in items:
                out.write(dumps(item))
                out.write("\n")
        else:
            out.write(f'{{"totalResults":{len(items)},"results":[')
            for n, item in enumerate(items):
                if n:
                    out.write(",")
                out.write(dumps(item))
            out.write("]}")
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="number of records (default 100000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--format", choices=("jsonl", "list"), default="jsonl")
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument(
        "--html-share",
        type=float,
        default=0.0,
        help="share of answered records in detail-endpoint shape (HTML answers); default 0",
    )
    parser.add_argument("--expand-share", type=float, default=0.5, help="share of pages with member objects")
    parser.add_argument("--quiet", action="store_true", help="do not print the summary on stderr")
    args = parser.parse_args(argv)
    items = generate(args.n, args.seed, args.html_share, args.expand_share)
    write(items, args.output, args.format)
    if not args.quiet:
        print(json.dumps(summary(items), indent=1), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
