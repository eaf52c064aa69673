"""The ``pqcheck`` command line. Each command parses its options and calls one library function."""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import sqlite3
import sys
from pathlib import Path

import click

from . import __version__
from .cache import FileCache
from .check import check, describe, read_jsonl, stored_answer
from .checkpoints import DEFAULT_OVERLAP_DAYS
from .classify import classify_db
from .datasette_metadata import database_name, datasette_metadata
from .db import database_error, open_db
from .demo import build_demo
from .departments import answering_body_ids, known_bodies
from .errors import BadInput, PqcheckError
from .extract import Limits, ocr
from .feed import write_feed
from .foi import IngestStats, ingest, known_document
from .foi_ocr import ocr_stored
from .hansard_sync import fetch_hansard, import_hansard_files
from .http import HttpClient, check_base_url
from .importer import import_question_files
from .match import DEFAULT_OPTIONS, MatchOptions, MatchStats, match_db
from .outputs import atomic_output
from .pairs import ReportFilters
from .progress import Progress
from .questions import body_rows, save_answering_bodies
from .records import now_iso
from .report import FORMATS as REPORT_FORMATS
from .report import write_report
from .review import default_reviewer, export_reviews, import_reviews, record_review
from .run_config import load_config, write_example_config
from .search import MAX_LIMIT, SearchFilters, results_json, search
from .sources.foi_files import read_foi_paths
from .sources.govuk import GOVUK_BASE, MAX_RATE, GovukQuery, check_organisation, fetch_govuk_releases
from .sources.hansard import API_BASE as HANSARD_API_BASE
from .sources.hansard import HOUSES as HANSARD_HOUSES
from .sources.hansard import HansardQuery
from .sources.parliament import (
    API_BASE,
    BODIES_PATH,
    HOUSES,
    MEMBERS_API_BASE,
    QuestionFilters,
    fetch_answering_bodies,
)
from .sources.wdtk import DEFAULT_STATUSES, WDTK_BASE, WDTK_STATUSES, WdtkQuery, check_body, fetch_wdtk_requests
from .sync import fetch_details, sync_questions
from .terminal import QueueIO, run_queue, search_view
from .text import plural
from .vocabulary import CATEGORIES, EVIDENCE_NAMES, SEARCH_KINDS, UNREVIEWED, VERDICTS
from .watch import run_watch
from .web import DEFAULT_PORT

DB_PATH = click.Path(file_okay=True, dir_okay=False, allow_dash=False)
DATE = click.DateTime(formats=["%Y-%m-%d"])
SQLITE_MAX_INT = 2**63 - 1  # ids, limits and offsets are bound into SQL as 64-bit integers
MAX_RATE_PER_SECOND = 1000.0
MAX_RETRIES = 20  # doubling from the longest --backoff, the last wait is years: enough
MAX_TIMEOUT = 3600.0
MAX_BACKOFF = 600.0
MAX_DAYS = 36_525  # a hundred years, for --days-before/--days-after/--overlap-days
MAX_FILE_MB = 1_000_000.0
MAX_PAGES = 1_000_000
MAX_KEEP = 1000


class FiniteFloatRange(click.FloatRange):
    """A float range that also refuses nan and the infinities (which a plain range lets through)."""

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


class BaseUrl(click.ParamType):
    """An http(s) base URL with a host and a valid port, without its trailing slash."""

    name = "url"

    def convert(self, value, param, ctx):
        try:
            return check_base_url(value)
        except BadInput as exc:
            self.fail(str(exc), param, ctx)


SCORE = FiniteFloatRange()


class PqcheckGroup(click.Group):
    """Turns pqcheck's own errors into one line on stderr and a meaningful exit status."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PqcheckError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except sqlite3.DatabaseError as exc:
            error = database_error(exc)
            click.echo(f"Error: {error}", err=True)
            ctx.exit(error.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted: what was saved stays saved; run the same command again to resume.", err=True)
            ctx.exit(130)


@click.group(cls=PqcheckGroup)
@click.version_option(__version__, prog_name="pqcheck")
def cli():
    """Cross-check what government tells Parliament against what it releases under FOI."""
    # PDF libraries log every oddity of a damaged file; pqcheck reports each document's problem itself
    for name in ("pypdf", "pdfminer"):
        logging.getLogger(name).setLevel(logging.ERROR)


def department_option(help_text: str):
    """``-d/--department``, repeatable: every command takes a department or an answering body."""
    return click.option("-d", "--department", "departments", multiple=True, help=help_text)


OVERLAP_DAYS = click.option(
    "--overlap-days",
    type=click.IntRange(0, MAX_DAYS),
    default=DEFAULT_OVERLAP_DAYS,
    show_default=True,
    help="Safety overlap of an incremental run, in days.",
)  # of every incremental fetch


def http_options(default_rate: float):
    """Options shared by every command that talks to an upstream API."""

    def decorate(command):
        command = click.option(
            "--rate",
            type=FiniteFloatRange(min=0.01, max=MAX_RATE_PER_SECOND),
            default=default_rate,
            show_default=True,
            help="Most requests per second.",
        )(command)
        command = click.option(
            "--retries",
            type=click.IntRange(min=0, max=MAX_RETRIES),
            default=5,
            show_default=True,
            help="Retries of a failed request (429, 5xx, dropped connection).",
        )(command)
        command = click.option(
            "--timeout",
            type=FiniteFloatRange(min=0.1, max=MAX_TIMEOUT),
            default=60.0,
            show_default=True,
            help="Seconds to wait for a response.",
        )(command)
        command = click.option(
            "--backoff",
            type=FiniteFloatRange(min=0, max=MAX_BACKOFF),
            default=1.0,
            show_default=True,
            help="First retry delay in seconds, doubling each retry (Retry-After wins).",
        )(command)
        return click.option("-q", "--quiet", is_flag=True, help="No progress bar.")(command)

    return decorate


def make_client(rate: float, retries: int, timeout: float, backoff: float, quiet: bool = False) -> HttpClient:
    """The client of a fetch: it says on stderr when it retries (unless ``quiet``)."""
    return HttpClient(
        rate=rate,
        retries=retries,
        backoff=backoff,
        timeout=(min(10.0, timeout), timeout),
        on_retry=None if quiet else warn,
    )


@cli.group()
def fetch():
    """Fetch records from an upstream API into the database."""


@fetch.command(name="questions")
@click.argument("db_path", type=DB_PATH)
@click.option("--from", "answered_from", type=DATE, help="Answered on or after (YYYY-MM-DD).")
@click.option("--to", "answered_to", type=DATE, help="Answered on or before (YYYY-MM-DD).")
@click.option("--tabled-from", type=DATE, help="Tabled on or after (YYYY-MM-DD); includes unanswered questions.")
@click.option("--tabled-to", type=DATE, help="Tabled on or before (YYYY-MM-DD).")
@department_option(
    "Department (all its answering bodies) or answering body: an id, a name or a fragment. Repeat for several."
)
@click.option("--house", type=click.Choice(HOUSES, case_sensitive=False), help="Commons, Lords or Bicameral.")
@click.option("--search", help="Words the question or answer must contain.")
@click.option("--asking-member", type=click.IntRange(1, SQLITE_MAX_INT), help="Members API id of the asking member.")
@click.option(
    "--answering-member", type=click.IntRange(1, SQLITE_MAX_INT), help="Members API id of the answering member."
)
@click.option("--full", is_flag=True, help="Refetch the whole range instead of what changed since the last run.")
@OVERLAP_DAYS
@click.option(
    "--api-url", type=BaseUrl(), default=API_BASE, show_default=True, help="Base URL of the Written Questions API."
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@http_options(default_rate=5.0)
def fetch_questions_command(
    db_path,
    answered_from,
    answered_to,
    tabled_from,
    tabled_to,
    departments,
    house,
    search,
    asking_member,
    answering_member,
    full,
    overlap_days,
    api_url,
    as_json,
    rate,
    retries,
    timeout,
    backoff,
    quiet,
):
    """Fetch written questions and answers from the UK Parliament Written Questions API.

    Incremental by default: a second run with the same filters fetches only what was answered,
    tabled or corrected since the last successful run. A first run with no dates fetches the
    last 30 days of answers.
    """
    _check_range("--from", answered_from, "--to", answered_to)
    _check_range("--tabled-from", tabled_from, "--tabled-to", tabled_to)
    db = open_db(db_path)
    filters = QuestionFilters(
        answered_from=answered_from and answered_from.date(),
        answered_to=answered_to and answered_to.date(),
        tabled_from=tabled_from and tabled_from.date(),
        tabled_to=tabled_to and tabled_to.date(),
        answering_bodies=answering_body_ids(departments, known_bodies(db)),
        house=house and house.capitalize(),
        search=search,
        asking_member=asking_member,
        answering_member=answering_member,
    )
    client = make_client(rate, retries, timeout, backoff, quiet)
    result = sync_questions(
        db, client, filters, full=full, overlap_days=overlap_days, base=api_url.rstrip("/"), progress=Progress(quiet)
    )
    summary = {
        "questions": len(result.stats.ids),
        "inserted": result.stats.inserted,
        "updated": result.stats.updated,
        "unchanged": result.stats.unchanged,
        "kept_newer": result.stats.kept_newer,
        "truncated": result.stats.truncated,
        "passes": [json.loads(p.to_json()) for p in result.passes],
        "resumed": result.resumed,
        "requests": result.requests,
    }
    _print_summary(
        summary,
        as_json,
        f"Fetched {plural(summary['questions'], 'question')} "
        f"({'resumed, ' if result.resumed else ''}{plural(len(result.passes), 'pass', 'passes')}, "
        f"{plural(result.requests, 'request')})",
    )


@fetch.command(name="details")
@click.argument("db_path", type=DB_PATH)
@click.option("--from", "answered_from", type=DATE, help="Answered on or after (YYYY-MM-DD).")
@click.option("--to", "answered_to", type=DATE, help="Answered on or before (YYYY-MM-DD).")
@department_option(
    "Department (all its answering bodies) or answering body: an id, a name or a fragment. Repeat for several."
)
@click.option(
    "--api-url", type=BaseUrl(), default=API_BASE, show_default=True, help="Base URL of the Written Questions API."
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@http_options(default_rate=5.0)
def fetch_details_command(
    db_path, answered_from, answered_to, departments, api_url, as_json, rate, retries, timeout, backoff, quiet
):
    """Fetch the whole text of the stored answers that the list endpoint cut short.

    Asks the detail endpoint for every answer (or question) whose stored text was cut at 255
    characters, and keeps the fuller text. A second run asks only for what is still cut short.
    """
    _check_range("--from", answered_from, "--to", answered_to)
    db = open_db(db_path)
    result = fetch_details(
        db,
        make_client(rate, retries, timeout, backoff, quiet),
        answering_bodies=answering_body_ids(departments, known_bodies(db)),
        answered_from=answered_from and answered_from.date(),
        answered_to=answered_to and answered_to.date(),
        base=api_url.rstrip("/"),
        progress=Progress(quiet),
    )
    summary = {
        "cut_short": result.cut_short,
        "missing": result.missing,
        "inserted": result.stats.inserted,
        "updated": result.stats.updated,
        "unchanged": result.stats.unchanged,
        "kept_newer": result.stats.kept_newer,
        "truncated": result.stats.truncated,
        "requests": result.requests,
    }
    _print_summary(
        summary,
        as_json,
        f"Fetched the whole text of {result.cut_short - result.missing} of "
        f"{plural(result.cut_short, 'answer')} cut short "
        f"({result.missing} gone from the API, {plural(result.requests, 'request')})",
    )


@fetch.command(name="bodies")
@click.argument("db_path", type=DB_PATH)
@click.option(
    "--api-url", type=BaseUrl(), default=MEMBERS_API_BASE, show_default=True, help="Base URL of the Members API."
)
@http_options(default_rate=5.0)
def fetch_bodies_command(db_path, api_url, rate, retries, timeout, backoff, quiet):
    """Refresh the answering bodies (departments) from the Members API."""
    db = open_db(db_path)
    client = make_client(rate, retries, timeout, backoff, quiet)
    base = api_url.rstrip("/")
    rows = body_rows(fetch_answering_bodies(client, base), f"{base}{BODIES_PATH}", now_iso())
    click.echo(f"Saved {plural(save_answering_bodies(db, rows), 'answering body', 'answering bodies')}.", err=True)


@fetch.command(name="hansard")
@click.argument("db_path", type=DB_PATH)
@click.option("--search", "words", required=True, help="Words the contribution must contain.")
@click.option("--house", type=click.Choice(HANSARD_HOUSES, case_sensitive=False), help="Commons or Lords.")
@click.option("--member", type=click.IntRange(1, SQLITE_MAX_INT), help="Members API id of the speaker.")
@click.option("--from", "date_from", type=DATE, help="Sitting on or after (YYYY-MM-DD).")
@click.option("--to", "date_to", type=DATE, help="Sitting on or before (YYYY-MM-DD).")
@click.option("--full", is_flag=True, help="Search the whole range again instead of what is new since the last run.")
@OVERLAP_DAYS
@click.option(
    "--api-url", type=BaseUrl(), default=HANSARD_API_BASE, show_default=True, help="Base URL of the Hansard API."
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@http_options(default_rate=5.0)
def fetch_hansard_command(
    db_path,
    words,
    house,
    member,
    date_from,
    date_to,
    full,
    overlap_days,
    api_url,
    as_json,
    rate,
    retries,
    timeout,
    backoff,
    quiet,
):
    """Fetch spoken contributions from the Hansard API: what members and ministers said in debates.

    Searches the words (in a house, by a member, between dates), reads each debate for the full
    text, the debate's title and its department, and stores each contribution once with its
    hansard.parliament.uk link. Incremental: a later run with the same options searches only
    what sat since the last one (less --overlap-days); a run that stopped resumes at its last
    page; contributions already stored are not read again. A date window the API cannot search
    (HTTP 500) is split in halves.
    """
    _check_range("--from", date_from, "--to", date_to)
    if not words.strip():
        raise BadInput("--search needs at least one word")
    db = open_db(db_path)
    query = HansardQuery(
        search=words,
        house=house and house.capitalize(),
        member=member,
        date_from=date_from and date_from.date(),
        date_to=date_to and date_to.date(),
    )
    result = fetch_hansard(
        db,
        make_client(rate, retries, timeout, backoff, quiet),
        query,
        full=full,
        overlap_days=overlap_days,
        base=api_url.rstrip("/"),
        progress=Progress(quiet),
        on_gap=warn,
    )
    summary = {
        "contributions": len(result.stats.ids),
        "resumed": result.resumed,
        "windows": [[day and day.isoformat() for day in window] for window in result.windows],
        "inserted": result.stats.inserted,
        "updated": result.stats.updated,
        "unchanged": result.stats.unchanged,
        "already_stored": result.already_stored,
        "gaps": result.gaps,
        "requests": result.requests,
    }
    _print_summary(
        summary,
        as_json,
        f"Fetched {plural(summary['contributions'], 'contribution')} ({'resumed, ' if result.resumed else ''}"
        f"{result.already_stored} already stored, "
        f"{plural(len(result.gaps), 'day')} the API would not search, {plural(result.requests, 'request')})",
    )


def limit_options(command):
    """Options that bound the work on one document."""
    command = click.option(
        "--max-file-mb",
        type=FiniteFloatRange(min=0.001, max=MAX_FILE_MB),
        default=50.0,
        show_default=True,
        help="Files larger than this are stored but not read.",
    )(command)
    return click.option(
        "--max-pages",
        type=click.IntRange(1, MAX_PAGES),
        default=500,
        show_default=True,
        help="Pages read from one document.",
    )(command)


def make_limits(max_file_mb: float, max_pages: int) -> Limits:
    return Limits(max_bytes=int(max_file_mb * 1024 * 1024), max_pages=max_pages)


def cache_option(command):
    return click.option(
        "--cache-dir",
        type=click.Path(file_okay=False),
        help="Where downloaded files are kept (default: DB-files beside the database).",
    )(command)


def warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)


@fetch.command(name="foi-wdtk")
@click.argument("db_path", type=DB_PATH)
@click.option("--body", help="Authority's WhatDoTheyKnow url_name, e.g. home_office.")
@click.option("--query", help="Words to search for (Xapian syntax: quotes, AND, OR, NOT).")
@click.option("--from", "date_from", type=DATE, help="Responses on or after (YYYY-MM-DD).")
@click.option("--to", "date_to", type=DATE, help="Responses on or before (YYYY-MM-DD).")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(WDTK_STATUSES),
    help="Request status to fetch; repeat for several. Default: successful, partially_successful.",
)
@click.option(
    "--max-feed-pages", type=click.IntRange(1, MAX_PAGES), help="Stop after this many feed pages (25 events each)."
)
@click.option("--wdtk-url", type=BaseUrl(), default=WDTK_BASE, show_default=True, help="Base URL of WhatDoTheyKnow.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@cache_option
@limit_options
@http_options(default_rate=1.0)
def fetch_foi_wdtk_command(
    db_path,
    body,
    query,
    date_from,
    date_to,
    statuses,
    max_feed_pages,
    wdtk_url,
    as_json,
    cache_dir,
    max_file_mb,
    max_pages,
    rate,
    retries,
    timeout,
    backoff,
    quiet,
):
    """Fetch FOI requests, responses and attachments from WhatDoTheyKnow."""
    if not body and not query:
        raise BadInput("give --body or --query (or both): pqcheck does not crawl the whole site")
    _check_range("--from", date_from, "--to", date_to)
    db = open_db(db_path)
    client = make_client(rate, retries, timeout, backoff, quiet)
    base = wdtk_url.rstrip("/")
    if body:
        check_body(client, body, base)
    wdtk_query = WdtkQuery(
        body=body,
        query=query,
        date_from=date_from and date_from.date(),
        date_to=date_to and date_to.date(),
        statuses=tuple(statuses) or DEFAULT_STATUSES,
    )
    cache = FileCache(cache_dir) if cache_dir else FileCache.beside(db_path)
    requests = fetch_wdtk_requests(
        client, wdtk_query, cache, base=base, max_feed_pages=max_feed_pages, is_known=known_document(db)
    )
    stats = ingest(db, requests, limits=make_limits(max_file_mb, max_pages), progress=Progress(quiet), on_problem=warn)
    _print_foi_summary(stats, as_json, "WhatDoTheyKnow")


@fetch.command(name="foi-govuk")
@click.argument("db_path", type=DB_PATH)
@click.option(
    "--organisation",
    "organisations",
    multiple=True,
    help="GOV.UK organisation slug, e.g. home-office; repeat for several.",
)
@click.option("--query", help="Words to search for in titles and descriptions.")
@click.option("--from", "date_from", type=DATE, help="Published on or after (YYYY-MM-DD).")
@click.option("--to", "date_to", type=DATE, help="Published on or before (YYYY-MM-DD).")
@click.option("--govuk-url", type=BaseUrl(), default=GOVUK_BASE, show_default=True, help="Base URL of GOV.UK.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@cache_option
@limit_options
@http_options(default_rate=MAX_RATE)
def fetch_foi_govuk_command(
    db_path,
    organisations,
    query,
    date_from,
    date_to,
    govuk_url,
    as_json,
    cache_dir,
    max_file_mb,
    max_pages,
    rate,
    retries,
    timeout,
    backoff,
    quiet,
):
    """Fetch FOI releases (and their attachments) published on GOV.UK."""
    _check_range("--from", date_from, "--to", date_to)
    db = open_db(db_path)
    client = make_client(min(rate, MAX_RATE), retries, timeout, backoff, quiet)
    base = govuk_url.rstrip("/")
    for slug in organisations:
        check_organisation(client, slug, base)
    govuk_query = GovukQuery(
        organisations=tuple(organisations),
        query=query,
        date_from=date_from and date_from.date(),
        date_to=date_to and date_to.date(),
    )
    cache = FileCache(cache_dir) if cache_dir else FileCache.beside(db_path)
    requests = fetch_govuk_releases(client, govuk_query, cache, base=base, is_known=known_document(db))
    stats = ingest(db, requests, limits=make_limits(max_file_mb, max_pages), progress=Progress(quiet), on_problem=warn)
    _print_foi_summary(stats, as_json, "GOV.UK")


@cli.group(name="import")
def import_():
    """Import records from local files into the database."""


@import_.command(name="questions")
@click.argument("db_path", type=DB_PATH)
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def import_questions_command(db_path, files, quiet, as_json):
    """Import written questions from files in the API's own shapes.

    A list response (totalResults/results), a single item (value/links), a JSON array of items
    or value objects, or JSON Lines of them; a folder is read for its .json and .jsonl files. A
    file in none of these shapes is skipped with a warning (and counted). Records whose text the
    list endpoint cut short are flagged as truncated; they never replace full text already stored.
    """
    db = open_db(db_path)
    stats = import_question_files(db, files, Progress(quiet))
    summary = {
        "questions": len(stats.ids),
        "inserted": stats.inserted,
        "updated": stats.updated,
        "unchanged": stats.unchanged,
        "kept_newer": stats.kept_newer,
        "truncated": stats.truncated,
        "skipped": stats.skipped,
        "files_skipped": stats.files_skipped,
    }
    _print_summary(summary, as_json, f"Imported {plural(summary['questions'], 'question')}")


@import_.command(name="hansard")
@click.argument("db_path", type=DB_PATH)
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def import_hansard_command(db_path, files, quiet, as_json):
    """Import Hansard contributions from files in the API's own shapes.

    A search response (Results), a debate response (Overview/Items), or a JSON array or JSON
    Lines of contributions (search items, or records with ext_id, house, date, text, ...).
    """
    db = open_db(db_path)
    stats = import_hansard_files(db, files, Progress(quiet), warn)
    summary = {
        "contributions": len(stats.ids),
        "inserted": stats.inserted,
        "updated": stats.updated,
        "unchanged": stats.unchanged,
    }
    _print_summary(
        summary,
        as_json,
        f"Imported {plural(summary['contributions'], 'contribution')} from {plural(len(files), 'file')}",
    )


@import_.command(name="foi")
@click.argument("db_path", type=DB_PATH)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-q", "--quiet", is_flag=True, help="No progress display.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@limit_options
@cache_option
@click.option("--no-copy", is_flag=True, help="Do not keep a copy of each file in the file cache.")
def import_foi_command(db_path, paths, quiet, as_json, max_file_mb, max_pages, cache_dir, no_copy):
    """Import FOI responses held locally.

    PATH is a folder of PDF, HTML, text, Word or spreadsheet files (metadata from an optional
    metadata.csv or metadata.json in it), a JSON Lines or CSV file of records with the fields
    id, url, authority, date, title, request_text, response_text, outcome, or a single file.
    A copy of each file is kept in the file cache (stored once by its content), so that
    `pqcheck serve` can offer the original wherever the folder goes. See docs/foi.md.
    """
    db = open_db(db_path)
    requests = read_foi_paths(list(paths), warn)
    cache = None if no_copy else FileCache(cache_dir) if cache_dir else FileCache.beside(db_path)
    limits = make_limits(max_file_mb, max_pages)
    stats = ingest(db, requests, limits=limits, progress=Progress(quiet), on_problem=warn, cache=cache)
    _print_foi_summary(stats, as_json, "files")


def _print_foi_summary(stats: IngestStats, as_json: bool, source: str) -> None:
    summary = {
        "requests": stats.inserted + stats.updated + stats.unchanged,
        "inserted": stats.inserted,
        "updated": stats.updated,
        "unchanged": stats.unchanged,
        "documents": stats.documents,
        "extracted": stats.extracted,
        "pages": stats.pages,
        "figures": stats.figures,
        "ocr_pages": stats.ocr_pages,
        "needs_ocr": stats.needs_ocr,
        "problems": len(stats.problems),
    }
    _ocr_hint(stats)
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    click.echo(
        f"FOI from {source}: {plural(summary['requests'], 'request')} ({stats.inserted} new, "
        f"{stats.updated} updated, {stats.unchanged} unchanged); {plural(stats.extracted, 'document')} read, "
        f"{plural(stats.pages, 'page')}, {plural(stats.figures, 'figure')}"
        + (f"; {plural(stats.ocr_pages, 'page')} read with OCR" if stats.ocr_pages else "")
        + (f"; {plural(stats.needs_ocr, 'scanned page')} not read" if stats.needs_ocr else "")
        + (f"; {plural(len(stats.problems), 'problem')} (see warnings)" if stats.problems else "")
        + "."
    )


def _ocr_hint(stats: IngestStats) -> None:
    """Once per run: how to read the scanned pages left unread because OCR is not installed."""
    if stats.needs_ocr and ocr.missing() is not None:
        click.echo(f"hint: {ocr.HINT}, then run pqcheck ocr ({stats.needs_ocr} scanned pages not read)", err=True)


@cli.command(name="ocr")
@click.argument("db_path", type=DB_PATH)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@cache_option
def ocr_command(db_path, quiet, as_json, cache_dir):
    """Read the stored scanned pages (marked needs_ocr) with Tesseract.

    Each page is read again from the document's original file: the downloaded copy in the file
    cache, or the local file it was imported from. Its text, search index and figures are updated.
    """
    db = open_db(db_path, existing=True)
    cache = FileCache(cache_dir) if cache_dir else FileCache.beside(db_path)
    stats = ocr_stored(db, cache, progress=Progress(quiet), on_problem=warn)
    summary = {
        "documents": stats.documents,
        "pages": stats.pages,
        "figures": stats.figures,
        "confidence": stats.confidence,
        "missing": stats.missing,
        "failed": stats.failed,
    }
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    confidence = f" (mean confidence {stats.confidence:.1f})" if stats.confidence is not None else ""
    left = stats.missing + stats.failed
    click.echo(
        f"OCR: {stats.pages} pages read in {stats.documents} documents{confidence}, {stats.figures} figures"
        + (f"; {left} pages left needing OCR (see warnings)" if left else "")
        + "."
    )


@cli.command(name="classify")
@click.argument("db_path", type=DB_PATH)
@click.option("--force", is_flag=True, help="Classify every answer again, not only the new ones.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def classify_command(db_path, force, quiet, as_json):
    """Find the answers that decline to give information, and how they decline.

    Classifies every substantive answer not yet classified by the current classifier version
    (holding answers are skipped) into refusal, partial, disclosure or other.
    """
    stats = classify_db(open_db(db_path, existing=True), progress=Progress(quiet), force=force)
    summary = {
        "read": stats.read,
        "classified": stats.classified,
        "skipped": stats.skipped,
        "cut_short": stats.cut_short,
        **stats.by_label,
    }
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    else:
        labels = ", ".join(f"{n} {label}" for label, n in sorted(stats.by_label.items()))
        click.echo(
            f"Classified {plural(stats.classified, 'answer')} ({labels or 'none new'}); {stats.skipped} skipped."
        )
        if stats.cut_short:
            click.echo(
                f"{stats.cut_short} answers were classified on text cut short by the list endpoint: "
                "`pqcheck fetch details DB` fetches their whole text."
            )


@cli.command(name="check-answer")
@click.argument("answer", required=False)
@click.option("--question", "question_text", help="The question, for the subject of a refusal.")
@click.option("--db", "db_path", type=DB_PATH, help="Database for --id.")
@click.option(
    "--id",
    "question_id",
    type=click.IntRange(1, SQLITE_MAX_INT),
    help="Classify a stored answer by its question id (needs --db).",
)
@click.option(
    "--jsonl",
    "jsonl",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Classify a batch: JSON Lines of {id, question_text, answer_text}.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (JSON Lines for a batch).")
def check_answer_command(answer, question_text, db_path, question_id, jsonl, as_json):
    """Is this a non-answer? Classify one answer (as an argument or on stdin), or a batch.

    Prints the label, the category of a refusal, the refusal phrase with its offsets, and what
    information was asked for.
    """
    if jsonl:
        results = (check(r.get("id"), r.get("question_text"), r.get("answer_text")) for _, r in read_jsonl(jsonl))
    elif question_id is not None:
        if not db_path:
            raise BadInput("--id needs --db DB")
        results = [check(question_id, *stored_answer(open_db(db_path, read_only=True), question_id))]
    else:
        if answer is None and sys.stdin.isatty():
            click.echo(
                "Reading the answer to classify from standard input: paste it, then press Ctrl-D on a new line "
                '(or give it as an argument: pqcheck check-answer "...").',
                err=True,
            )
        text = answer if answer is not None else click.get_binary_stream("stdin").read().decode("utf-8", "replace")
        results = [check(None, question_text, text)]
    for result in results:
        click.echo(json.dumps(result) if as_json else describe(result))


@cli.command(name="match")
@click.argument("db_path", type=DB_PATH)
@click.option(
    "--days-before",
    type=click.IntRange(0, MAX_DAYS),
    default=DEFAULT_OPTIONS.days_before,
    show_default=True,
    help="Consider FOI answered up to this many days before the written answer (closer ones score higher).",
)
@click.option(
    "--days-after",
    type=click.IntRange(0, MAX_DAYS),
    default=DEFAULT_OPTIONS.days_after,
    show_default=True,
    help="...and up to this many days after it.",
)
@click.option(
    "--keep",
    type=click.IntRange(1, MAX_KEEP),
    default=DEFAULT_OPTIONS.keep,
    show_default=True,
    help="Pairs kept per refusal.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def match_command(db_path, days_before, days_after, keep, quiet, as_json):
    """Pair each refusal with FOI disclosures (and other answers) from the same department."""
    options = MatchOptions(days_before=days_before, days_after=days_after, keep=keep)
    stats = match_db(open_db(db_path, existing=True), options=options, progress=Progress(quiet))
    summary = dataclasses.asdict(stats)
    if as_json:
        click.echo(json.dumps(summary, indent=2, default=str))
    else:
        click.echo(_match_summary(stats))


@cli.command(name="report")
@click.argument("db_path", type=DB_PATH)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
    default="-",
    help="Write the report here (default: standard output).",
)
@click.option("--format", "fmt", type=click.Choice([*REPORT_FORMATS, "atom"]), default="md", show_default=True)
@department_option("Department or answering body: an id, a name or a fragment of one. Repeat for several.")
@click.option("--from", "date_from", type=DATE, help="Answers on or after (YYYY-MM-DD).")
@click.option("--to", "date_to", type=DATE, help="Answers on or before (YYYY-MM-DD).")
@click.option("--since", type=DATE, help="Pairs first matched on or after (YYYY-MM-DD): what is new.")
@click.option("--category", "categories", multiple=True, type=click.Choice(CATEGORIES), help="Refusal category.")
@click.option(
    "--verdict",
    "verdicts",
    multiple=True,
    type=click.Choice([*VERDICTS, UNREVIEWED]),
    help="Pairs whose latest verdict is this (repeat for several).",
)
@click.option("--min-score", type=SCORE, default=0.0, show_default=True, help="Leave out weaker pairs.")
@click.option("--limit", type=click.IntRange(1, SQLITE_MAX_INT), help="At most this many pairs (a feed: 50).")
@click.option(
    "--base-url",
    type=BaseUrl(),
    help="With --format atom: the address of `pqcheck serve` that entries link to (else the question's page).",
)
def report_command(
    db_path, output, fmt, departments, date_from, date_to, since, categories, verdicts, min_score, limit, base_url
):
    """Write the discrepancies: markdown or one HTML page for reading, CSV or JSON for tools, Atom for a
    feed reader.

    \b
      pqcheck report pq.db --since 2026-01-01 --format atom --base-url https://pq.example.org -o feed.atom
    """
    _check_range("--from", date_from, "--to", date_to)
    filters = ReportFilters(
        departments=tuple(departments),
        date_from=date_from and date_from.date(),
        date_to=date_to and date_to.date(),
        categories=tuple(categories),
        verdicts=tuple(verdicts),
        min_score=min_score,
        matched_since=since and since.date(),
        limit=limit,
    )
    db = open_db(db_path, read_only=True)
    with atomic_output(output, database=db_path) as handle:
        if fmt == "atom":
            pages = base_url.rstrip("/") + "/pair/{match_id}" if base_url else None
            write_feed(db, handle, filters=filters, pair_url=pages, feed_key=f"report:{filters!r}")
        else:
            write_report(db, handle, fmt=fmt, filters=filters)
    if output != "-":
        click.echo(f"Report written to {output}", err=True)


@cli.command(name="search")
@click.argument("db_path", type=DB_PATH)
@click.argument("query", nargs=-1, required=True)
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(SEARCH_KINDS),
    help="Search only these: pairs, answers, foi (repeat for several; default all).",
)
@department_option("Department or answering body: an id, a name or a fragment of one. Repeat for several.")
@click.option("--from", "date_from", type=DATE, help="Answered (or FOI answered) on or after (YYYY-MM-DD).")
@click.option("--to", "date_to", type=DATE, help="Answered (or FOI answered) on or before (YYYY-MM-DD).")
@click.option("--category", "categories", multiple=True, type=click.Choice(CATEGORIES), help="Refusal category.")
@click.option(
    "--verdict",
    "verdicts",
    multiple=True,
    type=click.Choice([*VERDICTS, UNREVIEWED]),
    help="Pairs whose latest verdict is this (pairs only).",
)
@click.option("--min-score", type=SCORE, default=0.0, help="Pairs scoring at least this (pairs only).")
@click.option("--limit", type=click.IntRange(1, MAX_LIMIT), default=10, show_default=True, help="Hits of each kind.")
@click.option(
    "--offset",
    type=click.IntRange(0, SQLITE_MAX_INT - MAX_LIMIT),
    default=0,
    help="Skip this many hits of each kind.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def search_command(
    db_path, query, kinds, departments, date_from, date_to, categories, verdicts, min_score, limit, offset, as_json
):
    """Search the matched pairs, the written answers and the FOI disclosures (ranked by bm25).

    Words must all appear; "a phrase" in quotes as written; a OR b; NOT word (or -word, after --)
    excludes; word* matches words starting with it.

    \b
      pqcheck search DB trafficking detention --from 2019-01-01
      pqcheck search DB -- '"immigration detention"' -children
    """
    _check_range("--from", date_from, "--to", date_to)
    filters = SearchFilters(
        departments=tuple(departments),
        date_from=date_from and date_from.date(),
        date_to=date_to and date_to.date(),
        categories=tuple(categories),
        verdicts=tuple(verdicts),
        min_score=min_score,
    )
    if not kinds:
        kinds = ("pairs",) if verdicts or min_score else SEARCH_KINDS
    db = open_db(db_path, read_only=True)
    results = search(db, " ".join(query), filters, kinds=tuple(kinds), limit=limit, offset=offset)
    if as_json:
        click.echo(json.dumps(results_json(results), indent=2, ensure_ascii=False))
        return
    click.echo(search_view(results, color=sys.stdout.isatty()))


@cli.command(name="review")
@click.argument("db_path", type=DB_PATH)
@click.argument("match_id", required=False)
@click.option("--verdict", type=click.Choice([*VERDICTS, "not_comparable"], case_sensitive=False))
@click.option("--note", help="Why: what makes it (not) a discrepancy.")
@click.option("--by", "reviewer", help="Your name (default: $PQCHECK_REVIEWER or your login name).")
@click.option("--next", "queue", is_flag=True, help="Review the unreviewed pairs one by one, strongest first.")
@department_option("With --next: only this department (or answering body).")
@click.option("--min-score", type=SCORE, default=0.0, help="With --next: only pairs scoring at least this.")
@click.option("--export", "export_path", type=click.Path(dir_okay=False, allow_dash=True), help="Write all reviews.")
@click.option("--import", "import_path", type=click.Path(exists=True, dir_okay=False), help="Add reviews from a file.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), help="Export format (default: from the name).")
def review_command(
    db_path, match_id, verdict, note, reviewer, queue, departments, min_score, export_path, import_path, fmt
):
    """Record whether a matched pair really is a discrepancy, review the queue, or share reviews.

    \b
      pqcheck review DB MATCH_ID --verdict confirmed --note "FOI gave 2018 figures" --by "A. Researcher"
      pqcheck review DB --next                    # c/r/n records a verdict, s skips, q quits
      pqcheck review DB --export reviews.csv      # or .json; --import FILE adds a colleague's
    """
    modes = [bool(match_id or verdict), queue, bool(export_path), bool(import_path)]
    if sum(modes) != 1:
        raise BadInput("give a MATCH_ID with --verdict, or --next, or --export FILE, or --import FILE")
    db = open_db(db_path, read_only=bool(export_path), existing=True)
    if export_path:
        chosen = fmt or ("json" if str(export_path).lower().endswith(".json") else "csv")
        with atomic_output(export_path, database=db_path) as handle:
            count = export_reviews(db, handle, chosen)
        if export_path != "-":
            click.echo(f"{count} reviews written to {export_path}", err=True)
        return
    if import_path:
        stats = import_reviews(db, import_path)
        for problem in stats.problems:
            warn(problem)
        unknown = f"; {stats.unknown_pairs} for pairs not in this database" if stats.unknown_pairs else ""
        click.echo(f"{stats.added} reviews added, {stats.already_there} already there{unknown}.")
        return
    reviewer = reviewer or default_reviewer()
    if queue:
        filters = ReportFilters(departments=tuple(departments), min_score=min_score)
        _read_stdin_leniently()
        if sys.stdin.isatty():
            io = QueueIO(
                echo=click.echo,
                getchar=click.getchar,
                prompt=lambda text: click.prompt(text, default="", show_default=False),
                color=sys.stdout.isatty(),
            )
        else:  # piped in (or a test): a line for each key and each note
            io = QueueIO.lines(sys.stdin, click.echo, color=sys.stdout.isatty())
        done = run_queue(db, filters, io, reviewer=reviewer, note=note)
        click.echo(", ".join(f"{v} {k}" for k, v in done.items()))
        return
    if not match_id or not verdict:
        raise BadInput("give both a MATCH_ID and --verdict confirmed|rejected|not-comparable")
    row = record_review(db, match_id, verdict, note=note, reviewer=reviewer)
    click.echo(f"Recorded: {row['verdict']} for {row['match_id']} by {row['reviewer']} at {row['reviewed_at']}")


@cli.command(name="serve")
@click.argument("db_path", type=click.Path(dir_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True)
@click.option(
    "--token",
    envvar="PQCHECK_TOKEN",
    help="Recording verdicts needs this token ($PQCHECK_TOKEN; made up and printed for a non-local --host).",
)
@click.option(
    "--allow-host",
    "allow_hosts",
    multiple=True,
    help="Also answer requests for this host name (NAME or NAME:PORT, e.g. a proxy's); repeat for several.",
)
@click.option(
    "--trusted-proxy",
    help="Address of a TLS proxy in front: its X-Forwarded-Proto is believed (the cookie is then Secure).",
)
@cache_option
def serve_command(db_path, host, port, token, allow_hosts, trusted_proxy, cache_dir):
    """Serve the web interface: search, pairs side by side, verdicts, department pages.

    Only requests for the bound host name are answered (on loopback also localhost, 127.0.0.1
    and [::1]), so a page on another site cannot reach it by pointing its own name at this machine.
    """
    from .web.server import serve

    serve(
        db_path,
        host,
        port,
        token,
        echo=click.echo,
        allow_hosts=allow_hosts,
        trusted_proxy=trusted_proxy,
        cache_dir=cache_dir,
    )


@cli.command(name="datasette-metadata")
@click.argument("db_path", type=DB_PATH)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
    default="-",
    help="Write the metadata here (default: standard output).",
)
def datasette_metadata_command(db_path, output):
    """Write Datasette's metadata for the database: titles, descriptions, licences, sources,
    label columns, the pairs view strongest first.

    \b
      pqcheck datasette-metadata pq.db -o metadata.json && datasette pq.db -m metadata.json
    """
    metadata = datasette_metadata(open_db(db_path, read_only=True), database_name(db_path))
    with atomic_output(output, database=db_path) as handle:
        handle.write(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n")
    if output != "-":
        click.echo(f"Metadata written to {output}: datasette {db_path} -m {output}", err=True)


@cli.command(name="demo")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default="pqcheck-demo",
    show_default=True,
    help="Folder for pqcheck.db, report.md and report.json.",
)
@click.option(
    "--force", is_flag=True, help="Use a folder that is not empty, replacing an earlier demo's database (only that)."
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bars.")
def demo_command(out_dir, force, quiet):
    """Run the whole pipeline offline on the small dataset shipped with pqcheck.

    Imports written questions and FOI disclosures modelled on the 2019 Home Office trafficking
    case (with distractors), classifies the answers, matches refusals with disclosures, and
    writes the report.
    """
    result = build_demo(out_dir, progress=Progress(quiet), force=force)
    click.echo(
        f"Demo: {result.questions} written answers and {result.foi_requests} FOI disclosures read; "
        f"{result.refusals} refusals found; {result.matches} pairs matched."
    )
    for rank, pair in enumerate(result.top, 1):
        click.echo(
            f"  {rank}. UIN {pair['uin']} ({pair['date_answered']}) <-> {pair['foi_title']}  score {pair['score']:.2f}"
        )
    click.echo(f"Report: {result.report_md}\nDatabase: {result.db_path}  (JSON: {result.report_json})")


@cli.command(name="run")
@click.argument("config_path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--init", "init", is_flag=True, help="Write a commented example config to CONFIG (default watch.toml).")
@click.option("-v", "--verbose", is_flag=True, help="Say what each step did, with progress bars and warnings.")
def run_command(config_path, init, verbose):
    """Keep a watch current in one command: fetch, import, classify, match, report, digest.

    CONFIG is a TOML file (`pqcheck run --init` writes an example): the database, the departments,
    the sources and folders, the output folder. Quiet unless --verbose; one line at the end. Exit 0
    when every step worked, 1 when an upstream kept failing (what was saved stays; the next run
    resumes), 2 for a bad config or when another run holds the same database.

    \b
      pqcheck run --init watch.toml && pqcheck run watch.toml
      15 6 * * *  cd /srv/pq && .venv/bin/pqcheck run watch.toml    # crontab: every morning
    """
    if init:
        path = config_path or Path("watch.toml")
        write_example_config(path)
        click.echo(f"Example config written to {path}: edit it, then run pqcheck run {path}", err=True)
        return
    if config_path is None:
        raise BadInput("give the config file (pqcheck run --init writes an example)")
    result = run_watch(load_config(config_path), verbose=verbose, say=lambda message: click.echo(message, err=True))
    click.echo(result.line())
    if result.exit_code:
        sys.exit(result.exit_code)


@cli.command(name="migrate")
@click.argument("db_path", type=DB_PATH)
def migrate_command(db_path):
    """Bring a database made by an older pqcheck up to date (writing commands do this themselves)."""
    open_db(db_path).close()
    click.echo(f"{db_path} is up to date.")


@cli.command(name="bodies")
@click.argument("db_path", type=DB_PATH, required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def bodies_command(db_path, as_json):
    """List the answering bodies that --department accepts."""
    bodies = known_bodies(open_db(db_path, read_only=True) if db_path else None)
    rows = sorted(bodies.values(), key=lambda b: b["id"])
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for body in rows:
        short = f" ({body['short_name']})" if body.get("short_name") and body["short_name"] != body["name"] else ""
        click.echo(f"{body['id']:>4}  {body['name']}{short}")


def _match_summary(stats: MatchStats) -> str:
    """What a match run did, in words."""
    kinds = ", ".join(
        f"{EVIDENCE_NAMES.get(kind, kind)} {count:,}"
        for kind, count in sorted(stats.by_evidence.items(), key=lambda item: -item[1])
        if count
    )
    skipped = [
        f"{plural(n, 'refusal')} with {why}"
        for n, why in ((stats.skipped_no_department, "no department"), (stats.skipped_no_terms, "no subject words"))
        if n
    ]
    return (
        f"Matched {plural(stats.refusals, 'refusal')}: {stats.matched:,} paired, {plural(stats.matches, 'pair')} "
        f"kept{f' (evidence: {kinds})' if kinds else ''}"
        + (f"; {plural(stats.removed, 'pair')} no longer found removed" if stats.removed else "")
        + (f"; skipped {' and '.join(skipped)}" if skipped else "")
        + f"; {stats.seconds:.1f} s."
    )


def _read_stdin_leniently() -> None:
    """Standard input reads a byte that is not UTF-8 as U+FFFD (an unknown key, a character of a
    note) instead of failing, or handing on a surrogate that the database cannot store."""
    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(errors="replace")


def _check_range(low_name, low, high_name, high) -> None:
    if low and high and low > high:
        raise BadInput(f"{low_name} {low:%Y-%m-%d} is after {high_name} {high:%Y-%m-%d}")


def _print_summary(summary: dict, as_json: bool, headline: str) -> None:
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    click.echo(
        f"{headline}: {summary['inserted']} new, {summary['updated']} updated, {summary['unchanged']} unchanged"
        + (f", {summary['kept_newer']} older than what is stored (kept the newer)" if summary.get("kept_newer") else "")
        + (f"; {summary['truncated']} with text cut short by the list endpoint" if summary.get("truncated") else "")
        + (f"; {plural(summary['skipped'], 'record')} skipped (could not be read)" if summary.get("skipped") else "")
        + (
            f"; {plural(summary['files_skipped'], 'file')} skipped (not in an API shape: see the warnings)"
            if summary.get("files_skipped")
            else ""
        )
        + "."
    )


def main() -> None:  # pragma: no cover - console entry point convenience
    sys.exit(cli())
