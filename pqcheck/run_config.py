"""The config of ``pqcheck run``: a TOML file read and checked into a :class:`WatchConfig`.

Every key is checked before anything runs; a bad one is a :class:`ConfigError` naming the key and
why (``config: sources.wdtk.base_url: 'ftp://x' is not an http(s) URL ...``), and a key pqcheck does
not know is refused (a misspelt key would otherwise be silently ignored). Paths in the file are
relative to the file's own folder. :data:`EXAMPLE` is the commented example ``pqcheck run --init``
writes.
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .checkpoints import DEFAULT_OVERLAP_DAYS
from .departments import department_ids, department_index, known_bodies
from .errors import BadInput
from .http import check_base_url
from .sources.govuk import GOVUK_BASE
from .sources.govuk import MAX_RATE as GOVUK_MAX_RATE
from .sources.parliament import API_BASE, HOUSES
from .sources.wdtk import DEFAULT_STATUSES, WDTK_BASE, WDTK_STATUSES
from .sync import FIRST_RUN_DAYS

LAST_RUN = "last-run"
MAX_DAYS = 36_525


class ConfigError(BadInput):
    """A config file pqcheck cannot use: exit status 2, with the key and the reason."""


@dataclass(frozen=True)
class HttpSettings:
    """How politely one upstream is asked (as the fetch commands' --rate, --retries...)."""

    rate: float
    retries: int = 5
    timeout: float = 60.0
    backoff: float = 1.0


@dataclass(frozen=True)
class QuestionsSource:
    base_url: str = API_BASE
    details: bool = True  # also fetch the whole text of the answers the list endpoint cut short
    house: str | None = None
    search: str | None = None
    http: HttpSettings = HttpSettings(rate=5.0)


@dataclass(frozen=True)
class WdtkSource:
    bodies: tuple[str, ...]  # WhatDoTheyKnow url_names (by default the departments')
    base_url: str = WDTK_BASE
    query: str | None = None
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    max_feed_pages: int | None = None
    http: HttpSettings = HttpSettings(rate=1.0)


@dataclass(frozen=True)
class GovukSource:
    organisations: tuple[str, ...]  # GOV.UK slugs (by default the departments')
    base_url: str = GOVUK_BASE
    query: str | None = None
    http: HttpSettings = HttpSettings(rate=GOVUK_MAX_RATE)


@dataclass(frozen=True)
class WatchConfig:
    """What one ``pqcheck run`` does."""

    path: Path  # the config file
    name: str  # the watch's name: its run history and the pairs it has reported are kept under it
    database: Path
    output: Path  # report.md, digest.md, digest.json and feed.atom are written here
    departments: tuple[str, ...] = ()  # canonical department ids; none: every department
    date_from: date | None = None  # None with since_last_run: what is new since the last run
    date_to: date | None = None
    since_last_run: bool = True  # a first run looks back FIRST_RUN_DAYS
    overlap_days: int = DEFAULT_OVERLAP_DAYS
    min_score: float = 0.0  # of the pairs the report, the digest and the feed list
    keep: int = 5  # pairs kept per refusal
    cache_dir: Path | None = None
    site: str | None = None  # the address of `pqcheck serve` the feed's entries link to
    questions: QuestionsSource | None = None
    wdtk: WdtkSource | None = None
    govuk: GovukSource | None = None
    question_folders: tuple[Path, ...] = ()
    foi_folders: tuple[Path, ...] = ()
    hansard_files: tuple[Path, ...] = ()


# ---------------------------------------------------------------------------------------------
# reading


class _Table:
    """One TOML table being read: each key taken once, what is left over is an unknown key."""

    def __init__(self, data: Any, where: str, folder: Path):
        if not isinstance(data, dict):
            raise ConfigError(f"config: {where or 'the file'}: must be a table, not {_kind(data)}")
        self.data, self.where, self.folder = dict(data), where, folder

    def key(self, name: str) -> str:
        return f"{self.where}.{name}" if self.where else name

    def fail(self, name: str, reason: str) -> ConfigError:
        return ConfigError(f"config: {self.key(name)}: {reason}")

    def take(self, name: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        if name not in self.data:
            return default
        value = self.data.pop(name)
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise self.fail(name, f"must be {_names(kind)}, not true/false")
        if not isinstance(value, kind):
            raise self.fail(name, f"must be {_names(kind)}, not {_kind(value)}")
        return value

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.take(name, str, default)
        if value is not None and not value.strip():
            raise self.fail(name, "is empty")
        return value

    def texts(self, name: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        value = self.take(name, (list, str), None)
        if value is None:
            return default
        values = [value] if isinstance(value, str) else value
        for item in values:
            if not isinstance(item, str) or not item.strip():
                raise self.fail(name, f"must be a list of names, and {item!r} is not one")
        return tuple(values)

    def number(self, name: str, default: float, low: float, high: float, *, whole: bool = False) -> Any:
        value = self.take(name, int if whole else (int, float), default)
        if not math.isfinite(value) or not low <= value <= high:
            raise self.fail(name, f"must be between {low:g} and {high:g}, not {value!r}")
        return value

    def flag(self, name: str, default: bool) -> bool:
        return self.take(name, bool, default)

    def day(self, name: str) -> date | None:
        value = self.take(name, (str, date), None)
        if value is None or isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self.fail(name, f"must be a date (YYYY-MM-DD), not {value!r}") from None

    def url(self, name: str, default: str) -> str:
        value = self.take(name, str, default)
        try:
            return check_base_url(value).rstrip("/")
        except BadInput as exc:
            raise self.fail(name, f"not an http URL: {exc}") from None

    def path(self, name: str, default: str | None = None) -> Path | None:
        value = self.text(name, default)
        return None if value is None else (self.folder / Path(value).expanduser()).resolve()

    def paths(self, name: str) -> tuple[Path, ...]:
        return tuple((self.folder / Path(p).expanduser()).resolve() for p in self.texts(name))

    def table(self, name: str) -> _Table | None:
        return _Table(self.data.pop(name), self.key(name), self.folder) if name in self.data else None

    def done(self) -> None:
        if self.data:
            name = sorted(self.data)[0]
            raise self.fail(name, "unknown key (see `pqcheck run --init` for the keys a config can have)")


def _kind(value: Any) -> str:
    return {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list", dict: "a table"}.get(
        type(value), type(value).__name__
    )


def _names(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(dict.fromkeys(_kind(k()) if k is not date else "a date" for k in kinds))


def load_config(path: str | Path) -> WatchConfig:
    """Read and check the config at ``path``; :class:`ConfigError` names the first bad key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"config: cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config: {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config: {path} is not valid TOML: {exc}") from None
    return parse_config(data, path)


def parse_config(data: dict[str, Any], path: Path) -> WatchConfig:
    """The :class:`WatchConfig` of a parsed TOML document (``path``: where it was read from)."""
    top = _Table(data, "", path.resolve().parent)
    name = top.text("name", path.stem)
    database = top.path("database")
    if database is None:
        raise top.fail("database", 'missing: the database file to keep current (e.g. database = "pq.db")')
    output = top.path("output", "pqcheck-watch")
    departments = top.texts("departments")
    try:
        dept_ids = department_ids(departments, known_bodies(None)) if departments else ()
    except BadInput as exc:
        raise top.fail("departments", str(exc)) from None
    since = top.text("since", LAST_RUN if "from" not in top.data else None)
    if since not in (None, LAST_RUN):
        raise top.fail("since", f'must be "{LAST_RUN}" (or leave it out and give from/to), not {since!r}')
    date_from, date_to = top.day("from"), top.day("to")
    if since and date_from:
        raise top.fail("since", f'give either since = "{LAST_RUN}" or from, not both')
    if date_from and date_to and date_from > date_to:
        raise top.fail("to", f"{date_to} is before from ({date_from})")
    config = dict(
        path=path,
        name=name,
        database=database,
        output=output,
        departments=dept_ids,
        date_from=date_from,
        date_to=date_to,
        since_last_run=bool(since),
        overlap_days=top.number("overlap_days", DEFAULT_OVERLAP_DAYS, 0, MAX_DAYS, whole=True),
        min_score=float(top.number("min_score", 0.0, 0.0, 100.0)),
        keep=top.number("keep", 5, 1, 1000, whole=True),
        cache_dir=top.path("cache_dir"),
        site=top.url("site", None) if "site" in top.data else None,
    )
    sources = top.table("sources") or _Table({}, "sources", top.folder)
    config["questions"] = _questions(sources.table("questions"))
    config["wdtk"] = _wdtk(sources.table("wdtk"), dept_ids)
    config["govuk"] = _govuk(sources.table("govuk"), dept_ids)
    sources.done()
    folders = top.table("folders") or _Table({}, "folders", top.folder)
    config["question_folders"] = folders.paths("questions")
    config["foi_folders"] = folders.paths("foi")
    config["hansard_files"] = folders.paths("hansard")
    folders.done()
    top.done()
    return WatchConfig(**config)


def write_example_config(path: str | Path) -> None:
    """Write :data:`EXAMPLE` to ``path``, never over a file that is there."""
    path = Path(path)
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(EXAMPLE)
    except FileExistsError:
        raise BadInput(f"{path} is there already: pqcheck run --init does not write over a file") from None
    except OSError as exc:
        raise BadInput(f"cannot write {path}: {exc.strerror or exc}") from None


def _enabled(table: _Table | None) -> bool:
    return table is not None and table.flag("enabled", True)


def _http(table: _Table, rate: float, max_rate: float = 1000.0) -> HttpSettings:
    return HttpSettings(
        rate=float(table.number("rate", rate, 0.01, max_rate)),
        retries=table.number("retries", 5, 0, 20, whole=True),
        timeout=float(table.number("timeout", 60.0, 0.1, 3600.0)),
        backoff=float(table.number("backoff", 1.0, 0.0, 600.0)),
    )


def _questions(table: _Table | None) -> QuestionsSource | None:
    if not _enabled(table):
        return None
    house = table.text("house")
    if house is not None and house.capitalize() not in HOUSES:
        raise table.fail("house", f"must be one of {', '.join(HOUSES)}, not {house!r}")
    source = QuestionsSource(
        base_url=table.url("base_url", API_BASE),
        details=table.flag("details", True),
        house=house and house.capitalize(),
        search=table.text("search"),
        http=_http(table, 5.0),
    )
    table.done()
    return source


def _wdtk(table: _Table | None, departments: tuple[str, ...]) -> WdtkSource | None:
    if not _enabled(table):
        return None
    base_url = table.url("base_url", WDTK_BASE)
    default = tuple(name for d in departments for name in department_index().departments[d]["wdtk"][:1])
    bodies = table.texts("bodies", default)
    query = table.text("query")
    statuses = table.texts("statuses", DEFAULT_STATUSES)
    for status in statuses:
        if status not in WDTK_STATUSES:
            raise table.fail("statuses", f"unknown status {status!r}: use {', '.join(WDTK_STATUSES)}")
    pages = table.take("max_feed_pages", int, None)
    if pages is not None and pages < 1:
        raise table.fail("max_feed_pages", "must be 1 or more")
    source = WdtkSource(
        bodies=bodies,
        base_url=base_url,
        query=query,
        statuses=statuses,
        max_feed_pages=pages,
        http=_http(table, 1.0),
    )
    table.done()
    if not bodies and not query:
        raise table.fail("bodies", "give the authorities' url_names (or departments, or a query)")
    return source


def _govuk(table: _Table | None, departments: tuple[str, ...]) -> GovukSource | None:
    if not _enabled(table):
        return None
    base_url = table.url("base_url", GOVUK_BASE)
    default = tuple(slug for d in departments for slug in department_index().departments[d]["govuk"][:1])
    organisations = table.texts("organisations", default)
    query = table.text("query")
    source = GovukSource(
        organisations=organisations,
        base_url=base_url,
        query=query,
        http=_http(table, GOVUK_MAX_RATE, GOVUK_MAX_RATE),
    )
    table.done()
    if not organisations and not query:
        raise table.fail("organisations", "give the GOV.UK organisation slugs (or departments, or a query)")
    return source


EXAMPLE = f"""\
# pqcheck run: keep a watch current in one command (made by `pqcheck run --init`).
#
#   pqcheck run watch.toml              # quiet, one line at the end; --verbose says what it does
#
# Each run fetches what is new, imports the folders, classifies, matches, and writes the report,
# a digest of the pairs new since the last run, and an Atom feed into the output folder.
# Paths are relative to this file's folder.

name = "home-office"            # the watch's name: its run history is kept under it
database = "pq.db"              # made on the first run
output = "pqcheck-watch"        # report.md, digest.md, digest.json, feed.atom

# departments: ids, names or fragments, as --department takes them (`pqcheck bodies`); leave out for all
departments = ["home-office"]

# what to fetch: since = "{LAST_RUN}" (a first run looks back {FIRST_RUN_DAYS} days), or a fixed range
since = "{LAST_RUN}"
# from = "2019-01-01"
# to = "2019-12-31"
overlap_days = {DEFAULT_OVERLAP_DAYS}                # each run looks this many days back over the last one

min_score = 0.0                 # leave weaker pairs out of the report, the digest and the feed
keep = 5                        # pairs kept per refusal
# cache_dir = "pq.db-files"     # downloaded FOI files (default: DB-files beside the database)
# site = "https://pq.example.org"   # where `pqcheck serve` runs: feed entries link to its pair pages

[sources.questions]             # UK Parliament written questions and answers
base_url = "{API_BASE}"
details = true                  # fetch the whole text of the answers the list cut short
# house = "Commons"
# search = "detention"
# rate = 5.0                    # requests a second; also retries, timeout, backoff as the fetch commands

[sources.wdtk]                  # WhatDoTheyKnow FOI requests
base_url = "{WDTK_BASE}"
# bodies = ["home_office"]      # default: the departments' own authorities
# query = "detention"
statuses = {json.dumps(list(DEFAULT_STATUSES))}
rate = 1.0

[sources.govuk]                 # GOV.UK FOI releases
base_url = "{GOVUK_BASE}"
# organisations = ["home-office"]   # default: the departments' own organisations
# query = "detention"
# enabled = false               # any source can be switched off

[folders]                       # files you hold, imported on each run (unchanged files change nothing)
# questions = ["dumps/"]        # API responses saved as .json/.jsonl
# foi = ["foi-responses/"]      # folders of PDFs, Word, spreadsheets, HTML (metadata.csv beside them),
                                # or .jsonl/.csv files of records (as `pqcheck import foi` reads them)
# hansard = ["debates/search-response.json"]
"""
