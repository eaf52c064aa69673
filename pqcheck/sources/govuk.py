"""GOV.UK FOI releases: found with the Search API, read with the Content API, attachments downloaded.

See ``shared/reference/foi-sources.md`` §2 and §5. The Search API
(``/api/search.json?filter_content_store_document_type=foi_release``) lists releases; it does
not index the text of PDF or spreadsheet attachments, so the figures are only in the files.
Each result's ``link`` is a base path; ``/api/content<link>`` gives the release with
``details.body`` (HTML) and ``details.attachments`` (``file``, ``html`` or ``external``). File
attachments live on assets.publishing.service.gov.uk and are downloaded into the file cache;
HTML attachments are GOV.UK pages of their own (``html_publication``) and are read through the
Content API too; ``external`` attachments (links to other sites) are not fetched and stay only in
the release's raw JSON. GOV.UK allows 10 requests per second per client (:data:`MAX_RATE`).

Like the other fetchers this one yields records (:class:`~pqcheck.records.FoiRequest`) and never
touches the database; :func:`pqcheck.foi.ingest` saves them.
"""

from __future__ import annotations

import logging
import mimetypes
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bs4 import BeautifulSoup

from ..cache import FileCache
from ..errors import BadInput, UpstreamError
from ..http import HttpClient
from ..records import FoiDocument, FoiRequest, now_iso
from ..text import html_to_text

log = logging.getLogger(__name__)

GOVUK_BASE = "https://www.gov.uk"
SEARCH_PATH = "/api/search.json"
CONTENT_PATH = "/api/content"
DOCUMENT_TYPE = "foi_release"
PAGE_SIZE = 100
MAX_PAGE_SIZE = 1500  # the Search API's own limit on ``count``
MAX_RATE = 10.0  # requests per second per client that GOV.UK allows
ORDER = "-public_timestamp"  # without it the order is "most viewed", which shifts between pages
SEARCH_FIELDS = ("title", "description", "link", "public_timestamp", "organisations", "content_store_document_type")
ORGANISATION_PREFIXES = ("/government/organisations/", "/courts-tribunals/")
GONE_STATUSES = frozenset({404, 410})

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")
_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,8}$")

IsKnown = Callable[[str], str | None]


def _unknown(url: str) -> str | None:
    return None


@dataclass(frozen=True)
class GovukQuery:
    """Which FOI releases to ask the Search API for.

    ``organisations`` are GOV.UK slugs (``home-office``); several mean any of them. ``query`` is
    matched against titles and descriptions only. The dates bound ``public_timestamp``.
    """

    organisations: tuple[str, ...] = ()
    query: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def public_timestamp_filter(date_from: date | None, date_to: date | None) -> str | None:
    """``from:YYYY-MM-DD,to:YYYY-MM-DD`` with either side left out, or None for no bound."""
    parts = [f"{name}:{day.isoformat()}" for name, day in (("from", date_from), ("to", date_to)) if day]
    return ",".join(parts) or None


def search_params(q: GovukQuery, start: int, count: int = PAGE_SIZE) -> dict[str, Any]:
    """Query parameters of one Search API page; list values become repeated keys."""
    params: dict[str, Any] = {"filter_content_store_document_type": DOCUMENT_TYPE}
    if q.organisations:
        params["filter_organisations"] = list(q.organisations)
    if q.query and q.query.strip():
        params["q"] = q.query.strip()
    stamp = public_timestamp_filter(q.date_from, q.date_to)
    if stamp:
        params["filter_public_timestamp"] = stamp
    params.update(order=ORDER, count=count, start=start, fields=list(SEARCH_FIELDS))
    return params


def search_releases(
    client: HttpClient, query: GovukQuery, *, base: str = GOVUK_BASE, count: int = PAGE_SIZE
) -> Iterator[dict[str, Any]]:
    """Search results for ``query``, paged with ``start``/``count`` until ``total``, each link once.

    Newer releases arriving while we page push older ones onto the next page, so a link seen
    on an earlier page is skipped. An HTTP 422 (a parameter the API does not accept) becomes an
    :class:`UpstreamError` that says so.
    """
    if not 1 <= count <= MAX_PAGE_SIZE:
        raise ValueError(f"count must be between 1 and {MAX_PAGE_SIZE}")
    url = f"{base.rstrip('/')}{SEARCH_PATH}"
    seen: set[str] = set()
    start = 0
    while True:
        try:
            page = client.get_json(url, search_params(query, start, count))
        except UpstreamError as exc:
            if exc.status == 422:
                raise UpstreamError(
                    f"GOV.UK search refused the query as invalid (HTTP 422; check the organisation slugs, "
                    f"dates and search words): {exc}",
                    status=422,
                ) from exc
            raise
        results, total = _search_page(page, url)
        for result in results:
            link = result.get("link")
            if not isinstance(link, str) or not link.startswith("/"):
                log.warning("skipping a search result without a GOV.UK base path: %r", link)
                continue
            if link not in seen:
                seen.add(link)
                yield result
        start += len(results)
        if not results or start >= total:
            return


def _search_page(page: Any, url: str) -> tuple[list[dict[str, Any]], int]:
    if not isinstance(page, dict) or not isinstance(page.get("results"), list) or "total" not in page:
        raise UpstreamError(f"unexpected reply from {url}: expected 'results' and 'total'")
    results = [r for r in page["results"] if isinstance(r, dict)]
    try:
        total = int(page["total"])
    except (TypeError, ValueError, OverflowError) as exc:  # None, "many", 1e400
        raise UpstreamError(f"unexpected reply from {url}: 'total' is not a number") from exc
    return results, total


def fetch_govuk_releases(
    client: HttpClient,
    query: GovukQuery,
    cache: FileCache,
    *,
    base: str = GOVUK_BASE,
    is_known: IsKnown = _unknown,
    count: int = PAGE_SIZE,
) -> Iterator[FoiRequest]:
    """FOI releases matching ``query``, each with its body text and attachments.

    ``is_known(url)`` returns the SHA-256 of a file already stored for that URL: its download is
    skipped when the cache still holds the file. A release whose content item is gone (404/410)
    between the search and the read is skipped with a warning; an attachment that cannot be
    downloaded (a 4xx) becomes a document with ``error`` set. External links are not fetched and
    give no document. Other failures (network down, 5xx after retries) stop the run.
    """
    base = base.rstrip("/")
    seen: set[str] = set()
    for result in search_releases(client, query, base=base, count=count):
        release = fetch_release(client, result["link"], cache, base=base, is_known=is_known, result=result)
        if release is None or release.source_id in seen:
            continue
        seen.add(release.source_id)
        yield release


def content_url(path: str, base: str = GOVUK_BASE) -> str:
    return f"{base.rstrip('/')}{CONTENT_PATH}{path}"


def fetch_release(
    client: HttpClient,
    link: str,
    cache: FileCache,
    *,
    base: str = GOVUK_BASE,
    is_known: IsKnown = _unknown,
    result: dict[str, Any] | None = None,
) -> FoiRequest | None:
    """One release by base path, with its documents; None if GOV.UK no longer has it."""
    base = base.rstrip("/")
    url = content_url(link, base)
    try:
        content = client.get_json(url)
    except UpstreamError as exc:
        if exc.status in GONE_STATUSES:
            log.warning("skipping %s: %s", link, exc)
            return None
        raise
    if not isinstance(content, dict) or not isinstance(content.get("base_path"), str):
        raise UpstreamError(f"unexpected reply from {url}: not a content item with a 'base_path'")
    release = release_from_content(content, base=base, source_url=url, result=result)
    release.documents.extend(_attachment_documents(client, content, cache, base, is_known, release.date_responded))
    return release


def release_from_content(
    content: dict[str, Any],
    *,
    base: str = GOVUK_BASE,
    source_url: str | None = None,
    result: dict[str, Any] | None = None,
) -> FoiRequest:
    """The release's record from its content item, with the body as a document (no downloads)."""
    base = base.rstrip("/")
    details = content.get("details") if isinstance(content.get("details"), dict) else {}
    base_path = content["base_path"]
    title = content.get("title") or (result or {}).get("title")
    body_text = html_to_text(details.get("body")) if isinstance(details.get("body"), str) else None
    description = content.get("description") or (result or {}).get("description")
    day = release_day(
        details.get("first_public_at"),
        content.get("first_published_at"),
        content.get("public_updated_at"),
        (result or {}).get("public_timestamp"),
    )
    authority, authority_id = _organisation(content, result)
    release = FoiRequest(
        source="govuk",
        source_id=base_path,
        url=f"{base}{base_path}",
        authority=authority,
        authority_id=authority_id,
        title=title,
        request_text=body_text or description or None,
        outcome="released",
        date_responded=day,
        source_url=source_url or content_url(base_path, base),
        fetched_at=now_iso(),
        raw=content,
    )
    if body_text:
        release.documents.append(
            FoiDocument(key="body", kind="release", title=title, url=release.url, date=day, text=body_text)
        )
    return release


def release_day(*stamps: Any) -> str | None:
    """The first usable timestamp as a UK calendar day (YYYY-MM-DD), as GOV.UK shows it."""
    for stamp in stamps:
        if not isinstance(stamp, str) or not _DAY.match(stamp):
            continue
        try:
            moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            return stamp[:10]
        if moment.tzinfo is not None and _LONDON is not None:
            moment = moment.astimezone(_LONDON)
        return moment.date().isoformat()
    return None


def _london() -> ZoneInfo | None:
    try:
        return ZoneInfo("Europe/London")
    except ZoneInfoNotFoundError:  # no time zone database: keep the offset the stamp carries
        return None


_LONDON = _london()


def _organisation(content: dict[str, Any], result: dict[str, Any] | None) -> tuple[str | None, str | None]:
    """Title and slug of the publishing organisation: primary publisher, else the first listed."""
    links = content.get("links") if isinstance(content.get("links"), dict) else {}
    candidates = [
        *(links.get("primary_publishing_organisation") or []),
        *(links.get("organisations") or []),
        *((result or {}).get("organisations") or []),
    ]
    for org in candidates:
        if isinstance(org, dict) and org.get("title"):
            slug = org.get("slug") or _last_segment(org.get("base_path"))
            return org["title"], slug
    return None, None


def _last_segment(path: Any) -> str | None:
    if not isinstance(path, str) or not path.strip("/"):
        return None
    return path.rstrip("/").rsplit("/", 1)[-1]


def _attachment_documents(
    client: HttpClient, content: dict[str, Any], cache: FileCache, base: str, is_known: IsKnown, day: str | None
) -> Iterator[FoiDocument]:
    details = content.get("details") if isinstance(content.get("details"), dict) else {}
    attachments = details.get("attachments")
    if not attachments and details.get("documents"):
        attachments = legacy_attachments(details["documents"], base)
    keys: set[str] = set()
    for index, attachment in enumerate(attachments or []):
        if not isinstance(attachment, dict) or not attachment.get("url"):
            continue
        key = f"attachment:{attachment.get('id') or index}"
        if key in keys:
            key = f"{key}:{index}"
        keys.add(key)
        kind = attachment.get("attachment_type")
        if kind == "file":
            yield _file_document(client, attachment, key, cache, base, is_known, day)
        elif kind == "html":
            document = _html_document(client, attachment, key, base, day)
            if document is not None:
                yield document
        else:  # external links (and any new kind) are not fetched; they stay in the release's raw JSON
            log.info("not fetching %s attachment %s", kind, attachment["url"])


def _document(attachment: dict[str, Any], key: str, url: str, day: str | None, **extra: Any) -> FoiDocument:
    return FoiDocument(
        key=key, kind="attachment", title=attachment.get("title"), url=url, date=day, raw=attachment, **extra
    )


def _file_document(
    client: HttpClient,
    attachment: dict[str, Any],
    key: str,
    cache: FileCache,
    base: str,
    is_known: IsKnown,
    day: str | None,
) -> FoiDocument:
    url = urljoin(f"{base}/", attachment["url"])
    filename = attachment.get("filename") or unquote(PurePosixPath(urlsplit(url).path).name) or None
    doc = _document(attachment, key, url, day, filename=filename, content_type=attachment.get("content_type"))
    suffix = file_suffix(filename, doc.content_type)
    known = is_known(url)
    if known:
        cached = _cached_file(cache, known, suffix)
        if cached is not None:
            doc.sha256, doc.path = known, cached
            return doc
        log.info("%s is known but no longer in the cache: downloading it again", url)
    try:
        response = client.get(url)
    except UpstreamError as exc:
        if exc.status is None:
            raise
        doc.error = str(exc)
        return doc
    doc.sha256, doc.path = cache.put(response.content, suffix)
    if not doc.content_type and response.headers.get("Content-Type"):
        doc.content_type = response.headers["Content-Type"].split(";")[0].strip()
    return doc


def file_suffix(filename: str | None, content_type: str | None) -> str:
    """The cache file's extension: the attachment's own, else one for its MIME type, else none."""
    suffix = PurePosixPath(filename or "").suffix.lower()
    if _SUFFIX.match(suffix):
        return suffix
    guessed = mimetypes.guess_extension((content_type or "").split(";")[0].strip()) if content_type else None
    return guessed or ""


def _cached_file(cache: FileCache, sha256: str, suffix: str) -> Path | None:
    path = cache.path_for(sha256, suffix)
    if path.exists():
        return path
    return next(iter(sorted(path.parent.glob(f"{sha256}*"))), None) if path.parent.is_dir() else None


def _html_document(
    client: HttpClient, attachment: dict[str, Any], key: str, base: str, day: str | None
) -> FoiDocument | None:
    """An HTML attachment is a GOV.UK page (``html_publication``): its body comes from the Content API,
    without the page furniture around it."""
    url = urljoin(f"{base}/", attachment["url"])
    parts, own = urlsplit(url), urlsplit(base)
    if (parts.scheme, parts.netloc) != (own.scheme, own.netloc):
        log.info("not fetching HTML attachment %s: not on %s", url, base)
        return None
    doc = _document(attachment, key, url, day, content_type="text/html")
    try:
        page = client.get_json(content_url(parts.path, base))
    except UpstreamError as exc:
        if exc.status is None:
            raise
        doc.error = str(exc)
        return doc
    details = page.get("details") if isinstance(page, dict) and isinstance(page.get("details"), dict) else {}
    text = html_to_text(details.get("body")) if isinstance(details.get("body"), str) else None
    if text:
        doc.text = text
    else:
        doc.error = "the HTML attachment has no body text"
    return doc


def legacy_attachments(documents: Any, base: str = GOVUK_BASE) -> list[dict[str, Any]]:
    """Attachments read from ``details.documents``, the pre-rendered HTML that older content items
    carry instead of ``details.attachments``, in the same shape (``legacy`` set)."""
    own_host = urlsplit(base).netloc
    found: list[dict[str, Any]] = []
    for block in documents if isinstance(documents, list) else []:
        if not isinstance(block, str):
            continue
        soup = BeautifulSoup(block, "html.parser")
        for section in soup.select("section.attachment") or [soup]:
            link = section.select_one(".title a[href]") or section.select_one("a[href]")
            if link is None:
                continue
            href = urljoin(f"{base}/", link["href"])
            parts = urlsplit(href)
            if "/uploads/" in parts.path or parts.netloc.startswith("assets."):
                kind = "file"
            elif parts.netloc == own_host:
                kind = "html"
            else:
                kind = "external"
            attachment_id = (section.get("id") or "").removeprefix("attachment_") or None
            found.append(
                {
                    "attachment_type": kind,
                    "id": attachment_id,
                    "title": " ".join(link.get_text(" ").split()) or None,
                    "url": href,
                    "legacy": True,
                }
            )
    return found


def check_organisation(client: HttpClient, slug: str, base: str = GOVUK_BASE) -> str:
    """The title of the GOV.UK organisation ``slug``; :class:`BadInput` if GOV.UK has none.

    The Search API returns no results, not an error, for a misspelt ``filter_organisations``;
    this reads the organisation's own page from the Content API instead
    (``/api/content/government/organisations/<slug>``, or ``/courts-tribunals/<slug>``).
    """
    if not _SLUG.match(slug or ""):
        raise BadInput(f"{slug!r} is not a GOV.UK organisation slug (lower-case words joined by '-', e.g. home-office)")
    for prefix in ORGANISATION_PREFIXES:
        try:
            item = client.get_json(content_url(f"{prefix}{slug}", base))
        except UpstreamError as exc:
            if exc.status in GONE_STATUSES:
                continue
            raise
        if isinstance(item, dict):
            return item.get("title") or slug
    raise BadInput(
        f"GOV.UK has no organisation {slug!r}; the slug is the last part of its GOV.UK address, "
        f"e.g. home-office for {GOVUK_BASE}/government/organisations/home-office"
    )
