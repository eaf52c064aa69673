"""The Hansard API: spoken contributions found by search, their full text read from the debate.

Shapes and quirks are in ``../shared/reference/hansard-api.md`` (§4 search, §7 debates, §8 URLs,
§10 quirks), summarised in docs/sources.md. What this module does about them:

- the search is paged with ``skip``/``take`` until ``TotalResultCount``, and every contribution
  is yielded once (by ``ContributionExtId``, compared without case), since the total and the
  order may shift between pages;
- a date window the API answers with HTTP 500 (after the client's retries), on its first page or
  a later one, is split in halves and each half searched from the start, down to a single day; a
  day that still fails is a gap, reported to ``on_gap`` and skipped; each page says where the
  search would resume after it (:class:`SearchPage`), so a caller can save a checkpoint;
- the search's ``ContributionTextFull`` may be empty or cut, so each debate is read once
  (``/debates/debate/{id}.json``) for the text of its contributions, its title and its
  department (the nearest ``hs_6bDepartment`` node above it in the ``Navigator``); a debate
  that is gone (404) leaves the search's own text;
- values of the wrong kind are read as missing, never trusted: the reference marks many of
  them UNCERTAIN.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

from ..errors import UpstreamError
from ..http import HttpClient, build_url
from ..records import Contribution, now_iso
from ..text import html_to_text, without_surrogates

API_BASE = "https://hansard-api.parliament.uk"
SITE = "https://hansard.parliament.uk"
SEARCH_PATH = "/search/contributions/Spoken.json"
DEBATE_PATH = "/debates/debate/{}.json"
PAGE_SIZE = 100
HOUSES = ("Commons", "Lords")
DEPARTMENT_TAG = "hs_6bDepartment"
FIRST_DAY = date(1803, 1, 1)  # Hansard's first sitting: an open window is split from here
DEBATES_KEPT = 64  # debates kept in memory while a search is read (one debate holds many matches)
_SLUG_DROP = re.compile(r"[^\w\s-]")
_ASKED = re.compile(
    r"\bTo ask (?:the )?"
    r"((?:Secretary of State for|Minister for|Chancellor of)\s[^,?.;]+?)(?=,|\s(?:if|whether|what|how|when|to)\s)"
)


@dataclass(frozen=True)
class HansardQuery:
    """What to search spoken contributions for; every field maps to one ``queryParameters.*``."""

    search: str
    house: str | None = None
    member: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def params(self, start: date | None, end: date | None, skip: int, take: int) -> dict[str, Any]:
        """The search's query parameters for one window and page, prefixed as the spec declares."""
        values = {
            "searchTerm": self.search,
            "house": self.house,
            "memberId": self.member,
            "startDate": start and start.isoformat(),
            "endDate": end and end.isoformat(),
            "orderBy": "SittingDateAsc",
            "skip": skip,
            "take": take,
        }
        return {f"queryParameters.{k}": v for k, v in values.items() if v is not None}

    def to_json(self) -> str:
        """The query as canonical JSON: what a sync is keyed on."""
        values = {k: v.isoformat() if isinstance(v, date) else v for k, v in asdict(self).items()}
        return json.dumps(values, sort_keys=True)


def slug(title: str | None) -> str:
    """A debate title as hansard.parliament.uk spells it in links: punctuation other than hyphens
    dropped, each word and hyphen part capitalised, joined ("Modern-day Slavery" ->
    ``Modern-DaySlavery``); ``link`` when there is no title (the site reads the id)."""
    words = _SLUG_DROP.sub("", title or "").split()
    joined = "".join("-".join(part[:1].upper() + part[1:] for part in word.split("-")) for word in words)
    return joined or "link"


def contribution_url(house: str | None, day: str | None, debate_ext_id: str | None, title: str | None, ext_id: str):
    """The citable hansard.parliament.uk link of a contribution, or None without a house, day or debate."""
    if not (house and day and debate_ext_id):
        return None
    return f"{SITE}/{house}/{day}/debates/{debate_ext_id}/{slug(title)}#contribution-{ext_id}"


def text_of(value: Any) -> str | None:
    """A string value, or None for anything else (or an empty string)."""
    return value if isinstance(value, str) and value.strip() else None


def number_of(value: Any) -> int | None:
    """A positive whole number (an int or its digits), or None: ``MemberId`` 0 means no member."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        value = int(value)
    return value if type(value) is int and 0 < value < 2**63 else None


def sitting_day(value: Any) -> str | None:
    """``"2019-07-17T00:00:00"`` -> ``"2019-07-17"``; None for anything that is not a date."""
    text = text_of(value)
    try:
        return date.fromisoformat(text[:10]).isoformat() if text else None
    except ValueError:
        return None


def department_of(debate: dict[str, Any], debate_ext_id: str | None) -> str | None:
    """The answering department a debate sits under: the nearest ``hs_6bDepartment`` node above the
    debate's own node in its ``Navigator`` (or the only department node, if the debate has none),
    else the office its question is put to ("To ask the Secretary of State for the Home Department
    if he will make a statement on ...": an urgent question has no department node)."""
    return navigator_department(debate, debate_ext_id) or asked_of(debate)


def asked_of(debate: dict[str, Any]) -> str | None:
    """The office the first question of a debate is put to, as written ("Secretary of State for the
    Home Department"), or None."""
    for item in (debate.get("Items") or [])[:3]:
        text = html_to_text(text_of(item.get("Value")) if isinstance(item, dict) else None) or ""
        if found := _ASKED.search(text[:1000]):
            return found.group(1).strip()
    return None


def navigator_department(debate: dict[str, Any], debate_ext_id: str | None) -> str | None:
    """The department of a debate in its ``Navigator``, or None."""
    nodes = [n for n in debate.get("Navigator") or [] if isinstance(n, dict)]
    departments = [n for n in nodes if (text_of(n.get("HRSTag")) or "").lower() == DEPARTMENT_TAG.lower()]
    by_id = {n.get("Id"): n for n in nodes if n.get("Id") is not None}
    wanted = (debate_ext_id or "").upper()
    node = next((n for n in nodes if (text_of(n.get("ExternalId")) or "").upper() == wanted), None)
    for _ in range(len(nodes)):  # a ParentId chain that loops ends here
        if node is None:
            break
        if node in departments:
            return text_of(node.get("Title"))
        node = by_id.get(node.get("ParentId"))
    return text_of(departments[0].get("Title")) if len(departments) == 1 else None


def debate_items(debate: Any) -> Iterator[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]:
    """(item, its debate's ``Overview``, its debate) for every contribution of a ``Debate`` and of
    its ``ChildDebates``, without recursion."""
    stack = [debate]
    while stack:
        current = stack.pop()
        if not isinstance(current, dict):
            continue
        overview = current.get("Overview") if isinstance(current.get("Overview"), dict) else {}
        for item in current.get("Items") or []:
            contributed = isinstance(item, dict) and item.get("ItemType", "Contribution") == "Contribution"
            if contributed and text_of(item.get("ExternalId")):
                yield item, overview, current
        stack.extend(reversed([c for c in current.get("ChildDebates") or [] if isinstance(c, dict)]))


def contribution(
    search_item: dict[str, Any] | None,
    debate_item: dict[str, Any] | None = None,
    overview: dict[str, Any] | None = None,
    *,
    department: str | None = None,
    source_url: str | None = None,
    fetched_at: str | None = None,
) -> Contribution | None:
    """A contribution from a search item, a debate item (with its debate's overview), or both; None
    without an id or any text."""
    found, said, seen = search_item or {}, debate_item or {}, overview or {}
    ext_id = text_of(found.get("ContributionExtId")) or text_of(said.get("ExternalId"))
    html = text_of(said.get("Value")) or text_of(found.get("ContributionTextFull"))
    text = html_to_text(html) if html else None
    if not ext_id or not text:
        return None
    house = text_of(found.get("House")) or text_of(seen.get("House"))
    day = sitting_day(found.get("SittingDate")) or sitting_day(seen.get("Date"))
    title = text_of(seen.get("Title")) or text_of(found.get("DebateSection"))
    debate_ext_id = text_of(found.get("DebateSectionExtId")) or text_of(seen.get("ExtId"))
    raw = {k: v for k, v in (("search", search_item), ("debate_item", debate_item)) if v is not None}
    return Contribution(
        ext_id=ext_id,
        house=house,
        date=day,
        text=text,
        member_id=number_of(said.get("MemberId")) or number_of(found.get("MemberId")),
        member_name=text_of(found.get("MemberName")),
        attributed_to=text_of(said.get("AttributedTo")) or text_of(found.get("AttributedTo")),
        debate_title=title,
        debate_ext_id=debate_ext_id,
        section=text_of(found.get("Section")) or text_of(seen.get("Location")),
        department=department,
        html=html,
        url=contribution_url(house, day, debate_ext_id, title, ext_id.upper()),
        source_url=source_url,
        fetched_at=fetched_at or now_iso(),
        raw=raw,
    )


def search_results(payload: Any, where: str) -> tuple[list[dict[str, Any]], int]:
    """The items and ``TotalResultCount`` of a search response, or :class:`UpstreamError`."""
    if not isinstance(payload, dict) or not isinstance(payload.get("Results"), list):
        message = text_of(payload.get("Message")) if isinstance(payload, dict) else None
        raise UpstreamError(f"unexpected reply from {where}: {message or 'no Results list'}")
    total = payload.get("TotalResultCount")
    items = [item for item in payload["Results"] if isinstance(item, dict)]
    return items, total if type(total) is int and total >= 0 else len(items)


Window = tuple[date | None, date | None]


@dataclass
class SearchPage:
    """One page of search items, and where the search resumes after it: the windows as split so
    far, the window and the skip within it (past the last window when the search is done)."""

    items: list[dict[str, Any]]
    url: str
    windows: list[Window]
    next_window: int
    next_skip: int


def halves(window: Window, today: date) -> list[Window] | None:
    """The two halves of a window (an open end read as the first sitting or today), or None for a
    single day."""
    low, high = window[0] or FIRST_DAY, window[1] or today
    if low >= high:
        return None
    middle = low + timedelta(days=(high - low).days // 2)
    return [(low, middle), (middle + timedelta(days=1), high)]


def search_pages(
    client: HttpClient,
    query: HansardQuery,
    windows: list[Window],
    *,
    start: int = 0,
    skip: int = 0,
    base: str = API_BASE,
    take: int = PAGE_SIZE,
    on_gap: Callable[[str], None] = lambda message: None,
) -> Iterator[SearchPage]:
    """Each page of search items for the windows, from window ``start`` at ``skip``. A window the
    API answers with HTTP 500 (on any page) is replaced by its halves, searched from the start (what
    was read of it comes again and is deduplicated); a single day that still fails goes to
    ``on_gap`` and is skipped."""
    windows = list(windows)
    url = f"{base}{SEARCH_PATH}"
    index = start
    while index < len(windows):
        low, high = windows[index]
        params = query.params(low, high, skip, take)
        try:
            payload = without_surrogates(client.get_json(url, params))
        except UpstreamError as exc:
            if exc.last_status != 500:
                raise
            split = halves(windows[index], date.fromisoformat(now_iso()[:10]))
            if split is None:
                read = f" after {skip:,} results" if skip else ""
                on_gap(f"{low or high}: the search failed for this day{read} ({exc}); skipped")
                index, skip = index + 1, 0
            else:
                windows[index : index + 1] = split
                skip = 0
            continue
        page_url = build_url(url, params)
        items, total = search_results(payload, page_url)
        skip += len(items)
        if not items or skip >= total:
            index, skip = index + 1, 0
        yield SearchPage(items, page_url, list(windows), index, skip)


def read_debate(client: HttpClient, debate_ext_id: str, base: str = API_BASE) -> tuple[dict[str, Any] | None, str]:
    """A debate's ``Debate`` payload and its URL; None when the API no longer has it (404)."""
    url = f"{base}{DEBATE_PATH.format(quote(debate_ext_id, safe=''))}"  # an id is data: never a path
    try:
        payload = without_surrogates(client.get_json(url))
    except UpstreamError as exc:
        if exc.status == 404:
            return None, url
        raise
    if not isinstance(payload, dict):
        raise UpstreamError(f"unexpected reply from {url}: not a Debate object")
    return payload, url


def fetch_contributions(
    client: HttpClient,
    query: HansardQuery,
    windows: list[Window] | None = None,
    *,
    start: int = 0,
    skip: int = 0,
    base: str = API_BASE,
    take: int = PAGE_SIZE,
    wanted: Callable[[list[str]], set[str]] = set,
    on_gap: Callable[[str], None] = lambda message: None,
) -> Iterator[tuple[list[Contribution], SearchPage]]:
    """The contributions the search finds (in ``windows``, else the query's dates), one list per
    search page with the page, each read in full from its debate. ``wanted`` is given a page's new
    ids (upper case) and returns those still to be read (the caller leaves out what it has
    stored); the others are not yielded and their debates not asked for."""
    seen: set[str] = set()
    debates: dict[str, tuple[dict[str, Any] | None, str, str]] = {}
    windows = [(query.date_from, query.date_to)] if windows is None else windows
    for found in search_pages(client, query, windows, start=start, skip=skip, base=base, take=take, on_gap=on_gap):
        fresh = {}
        for item in found.items:
            ext_id = (text_of(item.get("ContributionExtId")) or "").upper()
            if ext_id and ext_id not in seen:
                seen.add(ext_id)
                fresh[ext_id] = item
        todo = wanted(list(fresh)) if fresh else set()
        page = []
        for ext_id, item in fresh.items():
            if ext_id not in todo:
                continue
            debate_id = text_of(item.get("DebateSectionExtId"))
            if debate_id and debate_id.upper() not in debates:
                if len(debates) >= DEBATES_KEPT:
                    debates.pop(next(iter(debates)))
                debate, url = read_debate(client, debate_id, base)
                debates[debate_id.upper()] = (debate, url, now_iso())
            debate, url, fetched_at = debates.get((debate_id or "").upper(), (None, found.url, now_iso()))
            record = _from_debate(item, debate, debate_id, url, fetched_at) if debate else None
            record = record or contribution(item, source_url=found.url)
            if record is not None:
                page.append(record)
        yield page, found


def _from_debate(
    item: dict[str, Any], debate: dict[str, Any], debate_id: str | None, url: str, fetched_at: str
) -> Contribution | None:
    """The contribution of a search item read from its debate, or None if the debate lacks it."""
    wanted = (text_of(item.get("ContributionExtId")) or "").upper()
    for said, overview, section in debate_items(debate):
        if said["ExternalId"].upper() == wanted:
            own_id = text_of(overview.get("ExtId")) or debate_id
            department = department_of(section, own_id) or department_of(debate, own_id)
            return contribution(item, said, overview, department=department, source_url=url, fetched_at=fetched_at)
    return None
