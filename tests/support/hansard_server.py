"""A fake Hansard API for end-to-end tests, built from the shapes of the shared reference
(``hansard-api.md`` §4 and §7; standard library only).

:class:`FakeHansardAPI` serves, on 127.0.0.1 and an ephemeral port, from a background thread:

- ``GET /search/contributions/Spoken.json``: ``SearchContributionsQueryResult`` pages of
  ``SearchReferencesItem`` (all 19 fields), filtered on ``queryParameters.searchTerm`` (every word,
  in the text), ``.house``, ``.memberId``, ``.startDate``/``.endDate`` (inclusive), ordered by
  sitting date, paged with ``.skip``/``.take``;
- ``GET /debates/debate/{id}.json``: the ``Debate`` (Overview, Navigator, Items) whose items are
  the contributions of that debate, with HTML text; a 404 ``{"Message"}`` for an unknown id.

Quirks it can play (reference §10): pages of at most ``max_take`` results; ``bad_day`` with
``max_window_days``: a search whose window holds that day and spans more days than that gets an
HTTP 500 with an ASP.NET ``{"Message"}`` body (only on the pages from ``bad_from_skip`` on, when
it is set: a later page fails, the first does not); ``stop_at``: the search request of that number
(from 1) gets an HTTP 400, as a run that stops there; ``duplicate``: a contribution's id listed twice
in the results (the total counts both).
Every request is recorded in :attr:`FakeHansardAPI.requests` as (path, params, status).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

SEARCH_PATH = "/search/contributions/spoken.json"
DEBATE_PREFIX = "/debates/debate/"
PREFIX = "queryParameters."


def make_contribution(
    number: int,
    *,
    day: date,
    debate: str,
    title: str,
    text: str,
    house: str = "Commons",
    member_id: int = 4101,
    member_name: str = "Alex Morgan",
    attributed_to: str | None = None,
) -> dict[str, Any]:
    """A ``SearchReferencesItem`` with every field of the spec, its ``ContributionTextFull`` the text."""
    return {
        "MemberName": member_name,
        "MemberId": member_id,
        "AttributedTo": attributed_to or f"{member_name} (Northbridge) (Lab)",
        "ItemId": 9_000_000 + number,
        "ContributionExtId": f"{number:08X}-6C44-400C-8ABD-112BDCDAE98B",
        "ContributionText": " " + text[:200],
        "ContributionTextFull": text,
        "HRSTag": "hs_Para",
        "HansardSection": "hs_Para",
        "Timecode": f"{day.isoformat()}T11:{number % 60:02d}:00",
        "DebateSection": title,
        "DebateSectionId": 4_949_000 + sum(map(ord, debate)),
        "DebateSectionExtId": debate,
        "SittingDate": f"{day.isoformat()}T00:00:00",
        "Section": "Commons Chamber" if house == "Commons" else "Lords Chamber",
        "House": house,
        "OrderInDebateSection": number,
        "DebateSectionOrder": 1,
        "Rank": 1,
    }


def debate_payload(items: list[dict[str, Any]], department: str | None = None) -> dict[str, Any]:
    """The ``Debate`` of the search items of one debate: its Overview, a Navigator (Commons Chamber >
    Oral Answers > the department > the debate, when a department is given) and its Items as HTML."""
    first = items[0]
    ext_id, house = first["DebateSectionExtId"], first["House"]
    chamber = {"Id": 1, "Title": f"{house} Chamber", "ParentId": None, "ExternalId": "3827400e-4d69-4c77"}
    navigator = [{**chamber, "SortOrder": 1, "HRSTag": None, "HansardSection": None, "Timecode": None}]
    parent = 1
    if department:
        navigator += [
            {
                "Id": 2,
                "Title": "Oral Answers to Questions",
                "ParentId": 1,
                "ExternalId": "39416357-AAAA",
                "HRSTag": None,
            },
            {"Id": 3, "Title": department, "ParentId": 2, "ExternalId": "1E65EA07-BBBB", "HRSTag": "hs_6bDepartment"},
        ]
        parent = 3
    navigator.append({"Id": 4, "Title": first["DebateSection"], "ParentId": parent, "ExternalId": ext_id.lower()})
    return {
        "Overview": {
            "Id": first["DebateSectionId"],
            "ExtId": ext_id,
            "Title": first["DebateSection"],
            "HRSTag": "hs_8Question",
            "Date": first["SittingDate"],
            "Location": first["Section"],
            "House": house,
            "Source": 2,
            "VolumeNo": 663,
            "ContentLastUpdated": first["SittingDate"],
            "DebateTypeId": 1,
            "SectionType": 1,
            "NextDebateExtId": None,
            "NextDebateTitle": None,
            "PreviousDebateExtId": None,
            "PreviousDebateTitle": None,
        },
        "Navigator": navigator,
        "Items": [
            {"ItemType": "Timestamp", "ItemId": 1, "Value": "11:30:00", "ExternalId": None},
            *(
                {
                    "ItemType": "Contribution",
                    "ItemId": item["ItemId"],
                    "MemberId": item["MemberId"],
                    "AttributedTo": item["AttributedTo"],
                    "Value": f"<p>{item['ContributionTextFull']}</p><p>(Full text from the debate.)</p>",
                    "OrderInSection": item["OrderInDebateSection"],
                    "Timecode": item["Timecode"],
                    "ExternalId": item["ContributionExtId"].lower(),
                    "HRSTag": "hs_Para",
                    "HansardSection": None,
                    "UIN": None,
                    "IsReiteration": False,
                }
                for item in items
            ),
        ],
        "ChildDebates": [],
    }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.server.api.handle(self)  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:
        pass


class FakeHansardAPI:
    """The fake Hansard API; use as a context manager (``with ... as api``)."""

    def __init__(self, contributions: Iterable[dict[str, Any]], departments: dict[str, str] | None = None):
        self.contributions = sorted(contributions, key=lambda c: (c["SittingDate"], c["OrderInDebateSection"]))
        self.departments = departments or {}  # debate ext id -> department title in its Navigator
        self.bad_day: date | None = None
        self.max_window_days = 7
        self.bad_from_skip = 0  # the 500 of bad_day on pages from this skip on
        self.stop_at: int | None = None  # the number of the search request answered with a 400
        self.duplicate: str | None = None  # a ContributionExtId listed twice in the results
        self.max_take = 10  # the most results a page holds, whatever ``take`` asks for
        self.requests: list[tuple[str, dict[str, str], int]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def __enter__(self) -> FakeHansardAPI:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.api = self  # type: ignore[attr-defined]
        self._server = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None, "the server is not running"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def searches(self) -> list[dict[str, str]]:
        """The parameters of every search request, with ``status``."""
        return [{**params, "status": str(status)} for path, params, status in self.requests if path == SEARCH_PATH]

    def debate_reads(self) -> list[str]:
        """The ids of the debates read (lower case), in order."""
        return [
            path[len(DEBATE_PREFIX) : -len(".json")] for path, _, _ in self.requests if path.startswith(DEBATE_PREFIX)
        ]

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        split = urlsplit(handler.path)
        path = unquote(split.path).lower()
        params = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        if path == SEARCH_PATH:
            status, payload = self._search(params)
        elif path.startswith(DEBATE_PREFIX) and path.endswith(".json"):
            status, payload = self._debate(path[len(DEBATE_PREFIX) : -len(".json")])
        else:
            status, payload = 404, {"Message": f"No HTTP resource was found that matches {handler.path}"}
        with self._lock:
            self.requests.append((path, params, status))
        body = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _search(self, params: dict[str, str]) -> tuple[int, Any]:
        get = lambda name: params.get(PREFIX + name) or None  # noqa: E731
        start, end = get("startDate"), get("endDate")
        with self._lock:
            number = 1 + sum(path == SEARCH_PATH for path, _, _ in self.requests)
        if number == self.stop_at:
            return 400, {"Message": "The request is invalid."}
        if self.bad_day and start and end and int(get("skip") or 0) >= self.bad_from_skip:
            low, high = date.fromisoformat(start), date.fromisoformat(end)
            if low <= self.bad_day <= high and (high - low) > timedelta(days=self.max_window_days - 1):
                return 500, {"Message": "An error has occurred."}
        words = (get("searchTerm") or "").lower().split()
        found = [
            c
            for c in self.contributions
            if all(w in c["ContributionTextFull"].lower() for w in words)
            and (not get("house") or c["House"].lower() == get("house").lower())
            and (not get("memberId") or str(c["MemberId"]) == get("memberId"))
            and (not start or c["SittingDate"][:10] >= start)
            and (not end or c["SittingDate"][:10] <= end)
        ]
        doubled = [c2 for c in found for c2 in ([c, c] if c["ContributionExtId"] == self.duplicate else [c])]
        skip, take = int(get("skip") or 0), min(int(get("take") or len(doubled)), self.max_take)
        return 200, {
            "SearchTerms": words,
            "SpokenResultCount": len(doubled),
            "WrittenResultCount": 0,
            "CorrectionsResultCount": 0,
            "DivisionsResultCount": 0,
            "Results": doubled[skip : skip + take],
            "TotalResultCount": len(doubled),
        }

    def _debate(self, ext_id: str) -> tuple[int, Any]:
        items = [c for c in self.contributions if c["DebateSectionExtId"].lower() == ext_id.lower()]
        if not items:
            return 404, {"Message": "Debate not found"}
        return 200, debate_payload(items, self.departments.get(items[0]["DebateSectionExtId"]))


def detention_world() -> list[dict[str, Any]]:
    """Thirty contributions on immigration detention over June and July 2019, in five debates, the
    urgent question of 17 July 2019 (asked, and answered by the minister), and one on buses."""
    found = []
    for number in range(1, 31):
        debate_no = number % 5
        day = date(2019, 6, 3) + timedelta(days=debate_no * 11)
        debate = f"{debate_no:08X}-5602-4D10-A120-8EB6BC04DDD6"
        text = f"Contribution {number} on immigration detention of victims of modern slavery: {number * 7} people."
        found.append(
            make_contribution(number, day=day, debate=debate, title=f"Detention Debate {debate_no}", text=text)
        )
    found.append(
        make_contribution(
            98,
            day=date(2019, 7, 17),
            debate="9861C238-5602-4D10-A120-8EB6BC04DDD6",
            title="Immigration Detention: Victims of Modern Slavery",
            text="(Urgent Question): To ask the Secretary of State for the Home Department if he will make a "
            "statement on immigration detention and victims of modern slavery.",
            member_id=172,
            member_name="Diane Abbott",
            attributed_to="Ms Diane Abbott (Hackney North and Stoke Newington) (Lab)",
        )
    )
    found.append(
        make_contribution(
            99,
            day=date(2019, 7, 17),
            debate="9861C238-5602-4D10-A120-8EB6BC04DDD6",
            title="Immigration Detention: Victims of Modern Slavery",
            text="We did know of 507 individuals who had been detained, in immigration detention, in 2018.",
            member_id=4201,
            member_name="Caroline Nokes",
            attributed_to="The Minister for Immigration (Caroline Nokes)",
        )
    )
    found.append(
        make_contribution(200, day=date(2019, 6, 20), debate="AAAA0000-0000", title="Buses", text="Rural buses.")
    )
    return found
