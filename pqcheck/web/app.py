"""The web interface: search, pair pages with verdicts, department pages, FOI request and document
pages (the cached original served as a download), CSV/JSON exports, Atom feeds.

A small Flask app rather than Datasette: the pages MPs' staff need (a pair side by side with the
refusal phrase and the figures highlighted, a verdict form guarded by a token) are custom views
over the same library functions the command line uses, and Flask's Jinja2 templates escape every
value by default. The pages need no JavaScript; the Content-Security-Policy forbids scripts
altogether, so markup inside an answer or an FOI document can never run.

Each request opens its own SQLite connection (WAL mode: readers do not block the writer of a fetch
running at the same time), never creating the file: GET requests read-only (``mode=ro``), a verdict
read-write (``mode=rw``); a database gone or not readable is a 503 page. What a request must pass
first (its Host, a POST's origin, the form's CSRF value, the token cookie) is in :mod:`.guards`;
bodies, form fields, search words and search time are capped.

A document's original file is served from the file cache only (:mod:`pqcheck.evidence` finds it by
its SHA-256 and checks it is inside the cache), as a download (``Content-Disposition: attachment``)
with a content type from an allow-list and ``X-Content-Type-Options: nosniff``. The name a
reviewer gives is kept in a cookie and filled in on the next verdict form.
"""

from __future__ import annotations

import csv
import hmac
import io
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import sqlite_utils
from flask import (
    Flask,
    Response,
    abort,
    current_app,
    g,
    get_template_attribute,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from markupsafe import Markup

from ..cache import FileCache
from ..db import lock_wait, open_db
from ..errors import BadInput, DatabaseBusy
from ..evidence import foi_document, foi_request, original_in_cache, where_from
from ..explain import describe_reasons, figure_spans
from ..feed import DEFAULT_ENTRIES, MAX_ENTRIES, feed_text
from ..feed import MIME as ATOM_MIME
from ..pairs import (
    ReportFilters,
    department_names,
    pair_rows,
    summary,
)
from ..provenance import provenance
from ..report import BOM, stream_report
from ..review import MAX_REVIEWER, record_review, resolve_match_id, reviews_of
from ..search import (
    MAX_LIMIT,
    SearchCache,
    SearchFilters,
    SearchResults,
    SearchTooSlow,
    results_json,
    search,
    split_marks,
)
from ..text import csv_safe, html_link, marked, safe_url
from ..vocabulary import (
    CATEGORIES,
    CATEGORY_NAMES,
    CUT_SHORT_NOTE,
    EVIDENCE_NAMES,
    SEARCH_KINDS,
    UNREVIEWED,
    VERDICTS,
)
from .guards import AllowedHosts, cookie_name, cookie_value, csrf_ok, csrf_value, same_origin

PAGE_SIZE = 20
MAX_BODY = 256 * 1024  # a verdict form is a few kB: a bigger body is refused (413) before it is read
MAX_FORM_FIELDS = 50  # the verdict form has five
SEARCH_SECONDS = 10.0  # a search running longer is stopped (503: narrow it)
PROVENANCE_SECONDS = 60.0  # the footer's provenance is read again after this long
REVIEWER_COOKIE = "pqcheck_reviewer"  # the name last given on a verdict, filled in on the next form
REVIEWER_COOKIE_SECONDS = 365 * 24 * 3600
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def create_app(
    db_path: str | Path,
    *,
    token: str | None = None,
    hosts: AllowedHosts | None = None,
    cache_dir: str | Path | None = None,
) -> Flask:
    """The app for the database at ``db_path``. With ``token``, recording a verdict needs it (a
    form field, the ``X-Pqcheck-Token`` header, or the cookie set after the first success). It
    answers requests to ``hosts`` only (by default the loopback names, on any port). Documents'
    original files are served from ``cache_dir`` (by default the cache beside the database) only."""
    db_path = str(Path(db_path).resolve())
    open_db(db_path, read_only=True).close()  # it must exist, be pqcheck's and need no migration
    app = Flask(__name__)
    app.config.update(
        DB_PATH=db_path,
        TOKEN=token,
        CACHE=FileCache(cache_dir) if cache_dir else FileCache.beside(db_path),
        SECRET=secrets.token_bytes(32),  # signs the forms' CSRF values
        HOSTS=hosts or AllowedHosts.local(),
        SEARCH_SECONDS=SEARCH_SECONDS,
        SEARCH_CACHE=SearchCache(),  # the hits of recent searches, while what they were read from is unchanged
        SEARCH_PAGES=SearchCache(),  # the same pages of hits rendered as HTML (rendering costs more than finding)
        MAX_CONTENT_LENGTH=MAX_BODY,
        MAX_FORM_MEMORY_SIZE=MAX_BODY,
        MAX_FORM_PARTS=MAX_FORM_FIELDS,
    )
    app.jinja_env.filters.update(marked=marked, split_marks=split_marks, safe_url=safe_url, where_from=where_from)
    app.jinja_env.globals.update(
        CATEGORY_NAMES=CATEGORY_NAMES,
        EVIDENCE_NAMES=EVIDENCE_NAMES,
        CUT_SHORT_NOTE=CUT_SHORT_NOTE,
        CATEGORIES=CATEGORIES,
        VERDICTS=VERDICTS,
        KINDS=SEARCH_KINDS,
        UNREVIEWED=UNREVIEWED,
        describe_reasons=describe_reasons,
        query_with=query_with,
        link=html_link,
    )
    _register(app)
    return app


# ---------------------------------------------------------------------------------------------
# helpers


def db() -> sqlite_utils.Database:
    """This request's connection: read-only for GET, read-write for a verdict; neither creates
    the file (a database deleted under the server is a 503, not a new empty database)."""
    if "db" not in g:
        g.db = _open_db("ro" if request.method in ("GET", "HEAD") else "rw")
    return g.db


def _open_db(mode: str) -> sqlite_utils.Database:
    """A new connection to the app's database in SQLite's ``mode`` (``ro`` or ``rw``: never ``rwc``)."""
    uri = f"{Path(current_app.config['DB_PATH']).as_uri()}?mode={mode}"
    conn = sqlite3.connect(uri, uri=True, timeout=10, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout={int(lock_wait() * 1000)}")
    return sqlite_utils.Database(conn)


def _closing(chunks: Iterator[str], database: sqlite_utils.Database) -> Iterator[str]:
    """``chunks``, then ``database`` closed (also when the client leaves half-way)."""
    try:
        yield from chunks
    finally:
        database.close()


def _rendered_sections(results: SearchResults, filters: SearchFilters, page: int, limit: int) -> dict[str, Markup]:
    """Each kind's page of hits as HTML: rendered once, then given again from the app's
    SEARCH_PAGES while the tables its hits were read from keep the versions they had then."""
    section = get_template_attribute("_search_hits.html", "hit_section")
    held_pages = current_app.config["SEARCH_PAGES"]
    sections = {}
    for kind, hits in results.hits.items():
        key, versions = (kind, results.fts, filters, page, limit), results.versions.get(kind)
        held = held_pages.get(key, versions) if versions is not None else None
        if held is None:
            windowed = results.windowed.get(kind, False)
            html = section(kind, hits, results.totals[kind], results.capped[kind], windowed, page, limit)
            held = (range(len(hits)), html)  # counted as its hits are, without holding them
            if versions is not None:
                held_pages.put(key, versions, held)
        sections[kind] = held[1]
    return sections


def query_with(**changes: Any) -> str:
    """The current query string with some parameters changed (None removes one)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [str(value)]
    return "?" + urlencode([(k, v) for k, values in args.items() for v in values])


def _date_arg(name: str) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise BadInput(f"{name} must be a date (YYYY-MM-DD), not '{value}'") from exc


def _float_arg(name: str) -> float:
    value = request.args.get(name, "").strip()
    try:
        return float(value) if value else 0.0
    except ValueError as exc:
        raise BadInput(f"{name} must be a number, not '{value}'") from exc


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    value = request.args.get(name, "").strip()
    try:
        number = int(value) if value else default
    except ValueError as exc:
        raise BadInput(f"{name} must be a whole number, not '{value}'") from exc
    return min(max(number, low), high)


def _list_arg(name: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in request.args.getlist(name) if v.strip())


def _report_filters(limit: int | None = None, match_ids: tuple[str, ...] = ()) -> ReportFilters:
    return ReportFilters(
        departments=_list_arg("department"),
        date_from=_date_arg("from"),
        date_to=_date_arg("to"),
        categories=_list_arg("category"),
        min_score=_float_arg("min_score"),
        verdicts=_list_arg("verdict"),
        match_ids=match_ids,
        matched_since=_date_arg("since"),
        limit=limit,
    )


def _token_ok() -> bool:
    """The request may record a verdict: no token is needed, or it gives the token (form field or
    header), or, giving none, holds the token's cookie."""
    expected = current_app.config["TOKEN"]
    if not expected:
        return True
    given = request.form.get("token") or request.headers.get("X-Pqcheck-Token")
    if not given:
        return _cookie_ok()
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode())


def _token_cookie() -> str:
    """The name of this server's token cookie (cookies ignore ports: the port is in the name)."""
    return cookie_name(request.environ.get("SERVER_PORT"))


def _cookie_ok() -> bool:
    """The browser holds the right token cookie (a stale one, from an earlier run, does not count)."""
    expected = current_app.config["TOKEN"]
    given = request.cookies.get(_token_cookie()) or ""
    return bool(expected) and hmac.compare_digest(given.encode("utf-8", "replace"), cookie_value(expected).encode())


def _csrf_action(match_id: str) -> str:
    return f"review:{match_id}"


def _error(message: str, status: int) -> tuple[Any, int]:
    """An error page, or ``{"error": message}`` for an export."""
    if request.path.endswith((".json", ".csv")):
        return jsonify({"error": message}), status
    return render_template("error.html", message=message, status=status), status


def _refusal() -> tuple[Any, int] | None:
    """The error for a request this server must not answer (before anything is read): sent to a
    host name it does not serve (DNS rebinding), a POST from another site, too many form fields."""
    host = request.environ.get("HTTP_HOST")
    if not current_app.config["HOSTS"].allows(host, 443 if request.scheme == "https" else 80):
        return _error(f"This server does not answer to the host name '{host}' (see pqcheck serve --allow-host).", 400)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    if not same_origin(request.headers, request.host):
        return _error("This form was sent from another site: open the page on this server and send it again.", 403)
    if request.get_data(cache=True).count(b"&") >= MAX_FORM_FIELDS:  # the body is already capped
        return _error("The form has too many fields.", 413)
    return None


def _pair_view(row: dict[str, Any]) -> dict[str, Any]:
    """What the pair page shows beyond the row: highlight spans and the reasons in words."""
    evidence = row["evidence_text"] or ""
    spans, missing = figure_spans(evidence, row["figures"])
    return {
        "answer_spans": [row["span"]] if row["span"] else [],
        "evidence_spans": spans,
        "figures_elsewhere": missing,
        "reasons": describe_reasons(row["reasons_obj"]),
    }


def _search_csv(results) -> str:
    buffer = io.StringIO()
    buffer.write(BOM)  # as the reports' CSV: spreadsheets read it as UTF-8
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["kind", "id", "rank", "title", "date", "department", "url", "snippet"])
    for hits in results.hits.values():
        for hit in hits:
            text, _ = split_marks(hit.snippet)
            row = [hit.kind, hit.id, hit.title, hit.date, hit.department, hit.url, text]
            kind, hit_id, *rest = [csv_safe(v) for v in row]
            writer.writerow([kind, hit_id, round(hit.rank, 4), *rest])  # the rank a number, not text
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# routes


def _register(app: Flask) -> None:
    @app.teardown_appcontext
    def close_db(_exc):
        conn = g.pop("db", None)
        if conn is not None:
            conn.close()

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    app.before_request(_refusal)

    reading_credits = threading.Lock()

    def credits() -> dict[str, Any] | None:
        """The footer's provenance, read at most once a minute (it counts every source); what was
        read before when the database cannot be read now, None if nothing was. Error pages do not
        ask: a refused request reads nothing. One request reads it again when it is due, while the
        others show what was read before (only the first requests wait for it): many requests at
        once never each count the whole database."""
        held = app.config.get("PROVENANCE")
        if held is not None and time.monotonic() - held[0] <= PROVENANCE_SECONDS:
            return held[1]
        if not reading_credits.acquire(blocking=held is None):
            return held[1]
        try:
            held = app.config.get("PROVENANCE")  # read by another while this one waited
            if held is None or time.monotonic() - held[0] > PROVENANCE_SECONDS:
                held = app.config["PROVENANCE"] = (time.monotonic(), provenance(db()))
        except sqlite3.DatabaseError:
            return held[1] if held else None  # what was read before, if anything was
        finally:
            reading_credits.release()
        return held[1]

    app.jinja_env.globals["credits"] = credits

    @app.errorhandler(BadInput)
    def bad_input(exc: BadInput):
        return _error(str(exc), 400)

    @app.errorhandler(DatabaseBusy)
    def database_busy(exc: DatabaseBusy):
        return _error(f"{str(exc)[:1].upper()}{str(exc)[1:]}.", 503)

    @app.errorhandler(SearchTooSlow)
    def search_too_slow(exc: SearchTooSlow):
        return _error(str(exc)[:1].upper() + str(exc)[1:] + ".", 503)

    @app.errorhandler(413)
    def too_large(_exc):
        return _error(f"The request is too large (at most {MAX_BODY // 1024} kB).", 413)

    @app.errorhandler(sqlite3.DatabaseError)
    def database_unavailable(exc: sqlite3.DatabaseError):
        path = Path(app.config["DB_PATH"])
        why = "it is no longer there" if not path.is_file() else f"it cannot be read ({exc})"
        app.logger.error("database %s: %s", path, exc)
        return _error(f"The database {path.name} is unavailable: {why}.", 503)

    @app.errorhandler(404)
    def not_found(_exc):
        return render_template("error.html", message="There is no such page.", status=404), 404

    @app.get("/")
    def index():
        filters = ReportFilters(limit=10)
        return render_template(
            "index.html",
            summary=summary(db()),
            top=pair_rows(db(), filters),
        )

    @app.get("/search")
    @app.get("/search.<fmt>")
    def search_page(fmt: str = "html"):
        if fmt not in ("html", "json", "csv"):
            abort(404)
        text = request.args.get("q", "").strip()
        kinds = tuple(k for k in _list_arg("kind") if k in SEARCH_KINDS) or SEARCH_KINDS
        limit = _int_arg("limit", PAGE_SIZE, 1, MAX_LIMIT)
        page = _int_arg("page", 1, 1, 10_000)
        results = None
        filters = SearchFilters(  # read (and a bad one refused) even before any words are given
            departments=_list_arg("department"),
            date_from=_date_arg("from"),
            date_to=_date_arg("to"),
            categories=_list_arg("category"),
            verdicts=_list_arg("verdict"),
            min_score=_float_arg("min_score"),
        )
        if text:
            offset, seconds = (page - 1) * limit, app.config["SEARCH_SECONDS"]
            cache = app.config["SEARCH_CACHE"]
            results = search(db(), text, filters, kinds=kinds, limit=limit, offset=offset, seconds=seconds, cache=cache)
        if fmt == "json":
            if results is None:
                raise BadInput("give the words to search for as q=...")
            return jsonify(results_json(results))
        if fmt == "csv":
            if results is None:
                raise BadInput("give the words to search for as q=...")
            return _download(_search_csv(results), "text/csv", "search.csv")
        return render_template(
            "search.html",
            q=text,
            results=results,
            sections=_rendered_sections(results, filters, page, limit) if results else {},
            kinds=kinds,
            page=page,
            limit=limit,
            departments=department_names(db()),
            args=request.args,
        )

    @app.get("/pairs")
    @app.get("/pairs.<fmt>")
    def pairs_page(fmt: str = "html"):
        if fmt not in ("html", "json", "csv"):
            abort(404)
        if fmt != "html":  # streamed, a pair at a time: 15,000 pairs never sit in memory
            database = _open_db("ro")  # its own: this request's is closed before the body is sent
            try:
                chunks = stream_report(database, fmt=fmt, filters=_report_filters())
            except BaseException:
                database.close()
                raise
            mime = "application/json" if fmt == "json" else "text/csv"
            return _download(_closing(chunks, database), mime, f"pairs.{fmt}")
        limit = _int_arg("limit", PAGE_SIZE * 5, 1, 1000)
        return render_template(
            "pairs.html",
            rows=pair_rows(db(), _report_filters(limit=limit)),
            summary=summary(db(), _report_filters()),
            departments=department_names(db()),
            args=request.args,
            limit=limit,
        )

    @app.get("/feed.atom")
    def feed():
        """The newest pairs as Atom, with the filters of ``/pairs`` and, given ``q``, of ``/search``."""
        text = request.args.get("q", "").strip()
        limit = _int_arg("limit", DEFAULT_ENTRIES, 1, MAX_ENTRIES)
        filters = _report_filters(limit=limit)
        if text:
            found = search(
                db(),
                text,
                SearchFilters.of_report(filters),
                kinds=("pairs",),
                limit=MAX_LIMIT,
                seconds=app.config["SEARCH_SECONDS"],
            )
            ids = tuple(hit.id for hit in found.hits.get("pairs", ()))
            filters = _report_filters(limit=limit, match_ids=ids or ("",))  # no hit: no pair
        pages = request.url_root.rstrip("/")
        page = "/search" if text else "/pairs"
        body = feed_text(
            db(),
            filters=filters,
            self_url=request.url,
            pair_url=pages + "/pair/{match_id}",
            alternate_url=pages + page + query_with(limit=None),
            feed_key=request.full_path,
        )
        return Response(body, mimetype=ATOM_MIME, content_type=f"{ATOM_MIME}; charset=utf-8")

    @app.get("/pair/<match_id>")
    def pair_page(match_id: str):
        rows = pair_rows(db(), ReportFilters(match_ids=(match_id,)))
        if not rows:
            try:  # the first characters of an id, as the command line takes them
                full = resolve_match_id(db(), match_id)
            except BadInput as exc:
                return render_template("error.html", message=f"There is no such page: {exc}.", status=404), 404
            return redirect(url_for("pair_page", match_id=full, **request.args), code=302)
        row = rows[0]
        return render_template(
            "pair.html",
            row=row,
            view=_pair_view(row),
            reviews=reviews_of(db(), match_id),
            needs_token=bool(app.config["TOKEN"]) and not _cookie_ok(),
            csrf=csrf_value(app.config["SECRET"], _csrf_action(match_id)),
            recorded=request.args.get("recorded"),
            reviewer=request.cookies.get(REVIEWER_COOKIE, "")[:MAX_REVIEWER],
            has_file=bool(row["foi_document_id"])
            and original_in_cache(db(), row["foi_document_id"], app.config["CACHE"]) is not None,
        )

    @app.post("/pair/<match_id>/review")
    def review_post(match_id: str):
        if not csrf_ok(app.config["SECRET"], _csrf_action(match_id), request.form.get("csrf", "")):
            return render_template("error.html", message="This form has expired: reload the page.", status=403), 403
        if not _token_ok():
            message = "A valid token is needed to record verdicts on this server."
            return render_template("error.html", message=message, status=403), 403
        if not db().execute("SELECT 1 FROM matches WHERE id = ?", [match_id]).fetchone():
            abort(404)
        record_review(
            db(),
            match_id,
            request.form.get("verdict", ""),
            note=request.form.get("note") or None,
            reviewer=request.form.get("reviewer") or "web reviewer",
        )
        response = redirect(url_for("pair_page", match_id=match_id, recorded=1), code=303)
        if request.form.get("reviewer"):  # remembered for the next verdict (the form fills it in)
            response.set_cookie(
                REVIEWER_COOKIE,
                request.form["reviewer"][:MAX_REVIEWER],
                max_age=REVIEWER_COOKIE_SECONDS,
                httponly=True,
                samesite="Strict",
                secure=request.is_secure,
            )
        if app.config["TOKEN"]:
            response.set_cookie(
                _token_cookie(),
                cookie_value(app.config["TOKEN"]),
                httponly=True,
                samesite="Strict",
                secure=request.is_secure,
            )
        return response

    @app.get("/departments")
    def departments_page():
        return render_template("departments.html", summary=summary(db()))

    @app.get("/department/<department_id>")
    def department_page(department_id: str):
        names = department_names(db())
        if department_id not in names:
            abort(404)
        filters = ReportFilters(departments=(department_id,))
        info = summary(db(), filters)
        peak = max([1] + [max(y["refusals"], y["pairs"]) for y in info["by_year"]])
        return render_template(
            "department.html",
            department_id=department_id,
            name=names[department_id],
            summary=info,
            peak=peak,
            rows=pair_rows(db(), ReportFilters(departments=(department_id,), limit=50)),
        )

    @app.get("/foi/<path:request_id>")
    def foi_page(request_id: str):
        found = foi_request(db(), request_id)
        if found is None:
            abort(404)
        files = {d["id"] for d in found["documents"] if original_in_cache(db(), d["id"], app.config["CACHE"])}
        return render_template("foi.html", foi=found, files=files, names=department_names(db()))

    @app.get("/document/<path:document_id>")
    def document_page(document_id: str):
        found = foi_document(db(), document_id)
        if found is None:
            abort(404)
        has_file = original_in_cache(db(), document_id, app.config["CACHE"]) is not None
        return render_template("document.html", document=found, has_file=has_file)

    @app.get("/file/<path:document_id>")
    def document_file(document_id: str):
        found = original_in_cache(db(), document_id, app.config["CACHE"])
        if found is None:
            return _error("The original file of this document is not in the cache.", 404)
        return send_file(
            found.path,
            mimetype=found.content_type,
            as_attachment=True,
            download_name=found.download_name,
            conditional=True,
            etag=False,
            max_age=0,
        )


def _download(body: Any, mime: str, filename: str) -> Response:
    response = Response(body, mimetype=mime)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
