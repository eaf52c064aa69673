"""``pqcheck run``: keep a watch (a config file, :mod:`pqcheck.run_config`) current in one go.

One run takes the watch's lock, then: fetches the written questions (incrementally, as ``fetch
questions`` does) and the whole text of answers cut short, the FOI of WhatDoTheyKnow and GOV.UK
(each from the day its last successful run began, less the overlap), imports the configured
folders, classifies, matches, and writes ``report.md``, ``digest.md``/``digest.json`` (the pairs
this watch has not reported before) and ``feed.atom`` into the output folder. Each run is a
``watch_runs`` row; the pairs a watch has reported are ``watch_pairs`` rows.

A step that fails (an upstream that kept failing after its retries, an authority that is not
there) is recorded and the run goes on with the others: what was saved stays, and the next run
resumes. The lock is an OS lock on ``DB-run.lock`` (``fcntl.flock``): it goes with the process
that holds it, so a run that was killed never blocks the next.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from .cache import FileCache
from .classify import classify_db
from .db import open_db, upsert_rows, write_transaction
from .departments import answering_body_ids, known_bodies
from .errors import BadInput, PqcheckError, RunLocked
from .feed import write_feed
from .foi import IngestStats, ingest, known_document
from .hansard_sync import import_hansard_files
from .http import HttpClient
from .importer import import_question_files
from .match import MatchOptions, match_db
from .outputs import atomic_output
from .pairs import ReportFilters, pair_ids, pair_rows
from .progress import Progress
from .records import now_iso
from .report import json_pair, write_report
from .run_config import ConfigError, HttpSettings, WatchConfig
from .sources.foi_files import read_foi_paths
from .sources.govuk import GovukQuery, check_organisation, fetch_govuk_releases
from .sources.parliament import QuestionFilters
from .sources.wdtk import WdtkQuery, check_body, fetch_wdtk_requests
from .sync import FIRST_RUN_DAYS, fetch_details, sync_questions
from .text import plural

STEPS = ("questions", "details", "wdtk", "govuk", "folders", "classify", "match")


@dataclass
class Step:
    """What one step of a run did: its counts and its words, or why it failed."""

    name: str
    counts: dict[str, Any] = field(default_factory=dict)
    said: str = ""
    error: str | None = None
    exit_code: int = 0


@dataclass
class WatchResult:
    """What one run did."""

    watch: str
    run_id: int
    started_at: str
    previous_run_at: str | None  # when the run before this one began (None: the first run)
    steps: list[Step]
    pairs: int  # pairs within the watch's departments and minimum score
    new_pairs: list[str]  # their match ids, never reported by this watch before
    outputs: dict[str, Path]
    warnings: list[str]

    @property
    def failed(self) -> list[Step]:
        return [s for s in self.steps if s.error]

    @property
    def exit_code(self) -> int:
        return max((s.exit_code for s in self.failed), default=0)

    def line(self) -> str:
        """The one-line summary a cron job mails."""
        said = "; ".join(s.said for s in self.steps if s.said and not s.error)
        new = plural(len(self.new_pairs), "new pair")
        text = f"pqcheck run {self.watch}: {said}; {plural(self.pairs, 'pair')} in all, {new}"
        if "digest" in self.outputs:
            text += f" (digest: {self.outputs['digest']})"
        if self.warnings:
            text += f"; {plural(len(self.warnings), 'warning')} (--verbose shows them)"
        if self.failed:
            text += f"; FAILED: {', '.join(s.name for s in self.failed)} (what was saved stays: run again to resume)"
        return text + "."


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + "-run.lock")


@contextmanager
def run_lock(database: Path) -> Iterator[None]:
    """Hold the run lock of ``database`` or raise :class:`RunLocked` saying who holds it."""
    path = lock_path(database)
    try:
        handle = path.open("a+", encoding="utf-8")
    except OSError as exc:
        raise RunLocked(f"cannot make the run lock {path}: {exc.strerror or exc}") from exc
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise RunLocked(
                f"another pqcheck run is keeping {database} current ({holder}): this run did nothing; "
                "try again when it has finished"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, since {now_iso()}\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def run_watch(
    config: WatchConfig, *, verbose: bool = False, say: Callable[[str], None] = lambda message: None
) -> WatchResult:
    """Run the watch ``config`` once (see the module doc). ``say`` is told the warnings and the
    failed steps as they happen (with ``verbose``, also each step's summary)."""
    if not config.database.parent.is_dir():
        raise ConfigError(f"config: database: the folder {config.database.parent} does not exist")
    with run_lock(config.database):
        db = open_db(config.database)
        try:
            return _Run(db, config, verbose, say).run()
        finally:
            db.close()


class _Run:
    def __init__(self, db: sqlite_utils.Database, config: WatchConfig, verbose: bool, say):
        self.db, self.config, self.verbose, self.say = db, config, verbose, say
        self.progress = Progress(quiet=not verbose)
        self.warnings: list[str] = []
        self.started_at = now_iso()
        self.today = date.fromisoformat(self.started_at[:10])
        self.history = [
            (row["started_at"], json.loads(row["summary"] or "{}"))
            for row in db["watch_runs"].rows_where("watch = ?", [config.name], order_by="id DESC")
        ]
        with write_transaction(db):
            self.run_id = (
                db["watch_runs"]
                .insert(
                    {
                        "watch": config.name,
                        "config_path": str(config.path),
                        "started_at": self.started_at,
                        "status": "running",
                    }
                )
                .last_pk
            )

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        if self.verbose:
            self.say(f"warning: {message}")

    def run(self) -> WatchResult:
        steps = []
        for name in STEPS:
            do = getattr(self, f"_{name}")
            if not self._wanted(name):
                continue
            step = Step(name)
            try:
                step.counts, step.said = do()
            except PqcheckError as exc:
                step.error, step.exit_code = str(exc), exc.exit_code
                self.say(f"error: {name}: {exc}")
            else:
                if self.verbose:
                    self.say(f"{name}: {step.said}")
            steps.append(step)
        pairs, new = self._new_pairs()
        step = Step("outputs")
        try:
            outputs = self._write_outputs(new)
        except PqcheckError as exc:  # the pairs stay new: the next run's digest lists them
            outputs, step.error, step.exit_code = {}, str(exc), exc.exit_code
            self.say(f"error: outputs: {exc}")
            steps.append(step)
        else:
            self._remember(new)
        result = WatchResult(
            self.config.name,
            self.run_id,
            self.started_at,
            self.history[0][0] if self.history else None,
            steps,
            len(pairs),
            new,
            outputs,
            self.warnings,
        )
        summary = {
            "steps": {s.name: {"ok": s.error is None, "error": s.error, **s.counts} for s in steps},
            "pairs": result.pairs,
            "new_pairs": new,
            "warnings": self.warnings[:100],
            "outputs": {k: str(v) for k, v in outputs.items()},
        }
        with write_transaction(self.db):
            self.db["watch_runs"].update(
                self.run_id,
                {
                    "finished_at": now_iso(),
                    "status": "failed" if result.failed else "ok",
                    "summary": json.dumps(summary, ensure_ascii=False),
                    "new_pairs": len(new),
                },
            )
        return result

    # ---- what to fetch -------------------------------------------------------------------------

    def _wanted(self, name: str) -> bool:
        config = self.config
        return {
            "questions": config.questions is not None,
            "details": config.questions is not None and config.questions.details,
            "wdtk": config.wdtk is not None,
            "govuk": config.govuk is not None,
            "folders": bool(config.question_folders or config.foi_folders or config.hansard_files),
        }.get(name, True)

    def _since(self, step: str) -> date | None:
        """Where a source's fetch starts: the day its last successful run began, less the overlap
        (a first run: FIRST_RUN_DAYS back with since = last-run, else the configured start)."""
        config = self.config
        last = next((started for started, s in self.history if s.get("steps", {}).get(step, {}).get("ok")), None)
        if last is not None:
            since = date.fromisoformat(last[:10]) - timedelta(days=config.overlap_days)
            return max(since, config.date_from) if config.date_from else since
        if config.since_last_run:
            return self.today - timedelta(days=FIRST_RUN_DAYS)
        return config.date_from

    def _range_over(self, since: date | None) -> bool:
        """The fixed range ended before ``since``: nothing in it can be new."""
        return bool(since and self.config.date_to and since > self.config.date_to)

    def _client(self, settings: HttpSettings) -> HttpClient:
        return HttpClient(
            rate=settings.rate,
            retries=settings.retries,
            backoff=settings.backoff,
            timeout=(min(10.0, settings.timeout), settings.timeout),
            on_retry=self.warn,
        )

    def _bodies(self) -> tuple[int, ...]:
        return answering_body_ids(self.config.departments, known_bodies(self.db))

    def _cache(self) -> FileCache:
        return FileCache(self.config.cache_dir) if self.config.cache_dir else FileCache.beside(self.config.database)

    # ---- the steps: each returns its counts and a few words --------------------------------------

    def _questions(self) -> tuple[dict[str, Any], str]:
        source, config = self.config.questions, self.config
        filters = QuestionFilters(
            answered_from=config.date_from,
            answered_to=config.date_to,
            answering_bodies=self._bodies(),
            house=source.house,
            search=source.search,
        )
        result = sync_questions(
            self.db,
            self._client(source.http),
            filters,
            overlap_days=config.overlap_days,
            base=source.base_url,
            progress=self.progress,
        )
        stats = result.stats
        counts = {
            "questions": len(stats.ids),
            "inserted": stats.inserted,
            "updated": stats.updated,
            "requests": result.requests,
        }
        return counts, f"{plural(len(stats.ids), 'question')} fetched ({stats.inserted} new)"

    def _details(self) -> tuple[dict[str, Any], str]:
        source, config = self.config.questions, self.config
        result = fetch_details(
            self.db,
            self._client(source.http),
            answering_bodies=self._bodies(),
            answered_from=config.date_from,
            answered_to=config.date_to,
            base=source.base_url,
            progress=self.progress,
        )
        whole = result.cut_short - result.missing
        counts = {"cut_short": result.cut_short, "missing": result.missing, "requests": result.requests}
        return counts, f"{plural(whole, 'answer')} cut short fetched whole" if result.cut_short else ""

    def _wdtk(self) -> tuple[dict[str, Any], str]:
        source = self.config.wdtk
        client, cache, stats = self._client(source.http), self._cache(), IngestStats()
        since = self._since("wdtk")
        if self._range_over(since):
            return {"since": since.isoformat(), "requests": 0}, ""
        for body in source.bodies or (None,):
            if body:
                check_body(client, body, source.base_url)
            query = WdtkQuery(
                body=body, query=source.query, date_from=since, date_to=self.config.date_to, statuses=source.statuses
            )
            found = fetch_wdtk_requests(
                client,
                query,
                cache,
                base=source.base_url,
                max_feed_pages=source.max_feed_pages,
                is_known=known_document(self.db),
            )
            _add(stats, ingest(self.db, found, progress=self.progress, on_problem=self.warn))
        return _foi_counts(stats, since), _foi_said("WhatDoTheyKnow", stats)

    def _govuk(self) -> tuple[dict[str, Any], str]:
        source = self.config.govuk
        client = self._client(source.http)
        since = self._since("govuk")
        if self._range_over(since):
            return {"since": since.isoformat(), "requests": 0}, ""
        for slug in source.organisations:
            check_organisation(client, slug, source.base_url)
        query = GovukQuery(
            organisations=source.organisations, query=source.query, date_from=since, date_to=self.config.date_to
        )
        found = fetch_govuk_releases(
            client, query, self._cache(), base=source.base_url, is_known=known_document(self.db)
        )
        stats = ingest(self.db, found, progress=self.progress, on_problem=self.warn)
        return _foi_counts(stats, since), _foi_said("GOV.UK", stats)

    def _folders(self) -> tuple[dict[str, Any], str]:
        config, counts, said = self.config, {}, []
        if config.question_folders:
            stats = import_question_files(self.db, config.question_folders, self.progress, self.warn)
            counts |= {"questions": len(stats.ids), "question_files_skipped": stats.files_skipped}
            said.append(f"{plural(len(stats.ids), 'question')} imported ({stats.inserted} new)")
        if config.foi_folders:
            requests = read_foi_paths(list(config.foi_folders), self.warn)
            stats = ingest(self.db, requests, progress=self.progress, on_problem=self.warn)
            counts |= {"foi_requests": stats.inserted + stats.updated + stats.unchanged, "foi_new": stats.inserted}
            said.append(_foi_said("files", stats))
        if config.hansard_files:
            stats = import_hansard_files(self.db, config.hansard_files, self.progress, self.warn)
            counts["contributions"] = len(stats.ids)
            said.append(f"{plural(len(stats.ids), 'contribution')} imported ({stats.inserted} new)")
        return counts, "; ".join(said)

    def _classify(self) -> tuple[dict[str, Any], str]:
        stats = classify_db(self.db, progress=self.progress)
        refusals = sum(n for label, n in stats.by_label.items() if label in ("refusal", "partial"))
        counts = {"classified": stats.classified, **stats.by_label}
        return counts, f"{plural(stats.classified, 'answer')} classified ({plural(refusals, 'refusal')})"

    def _match(self) -> tuple[dict[str, Any], str]:
        stats = match_db(self.db, options=MatchOptions(keep=self.config.keep), progress=self.progress)
        counts = {"refusals": stats.refusals, "matches": stats.matches, "removed": stats.removed}
        return counts, f"{plural(stats.refusals, 'refusal')} matched"

    # ---- what is new, and the files ------------------------------------------------------------

    def _filters(self, **more: Any) -> ReportFilters:
        return ReportFilters(departments=self.config.departments, min_score=self.config.min_score, **more)

    def _new_pairs(self) -> tuple[list[str], list[str]]:
        """The watch's pairs, and those of them it has not reported before."""
        pairs = pair_ids(self.db, self._filters())
        seen = {
            row[0] for row in self.db.execute("SELECT match_id FROM watch_pairs WHERE watch = ?", [self.config.name])
        }
        return pairs, [match_id for match_id in pairs if match_id not in seen]

    def _remember(self, new: list[str]) -> None:
        """Record the pairs this run reported, so that the next run's digest leaves them out."""
        rows = [
            {"watch": self.config.name, "match_id": m, "run_id": self.run_id, "first_seen_at": self.started_at}
            for m in new
        ]
        with write_transaction(self.db):
            upsert_rows(self.db, "watch_pairs", rows, keep_existing=True)

    def _write_outputs(self, new: list[str]) -> dict[str, Path]:
        folder, database = self.config.output, self.config.database
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BadInput(f"cannot make the output folder {folder}: {exc.strerror or exc}") from exc
        outputs = {
            name: folder / file
            for name, file in (
                ("report", "report.md"),
                ("digest", "digest.md"),
                ("digest_json", "digest.json"),
                ("feed", "feed.atom"),
            )
        }
        with atomic_output(outputs["report"], database=database) as handle:
            write_report(self.db, handle, fmt="md", filters=self._filters())
        rows = pair_rows(self.db, self._filters(match_ids=tuple(new))) if new else []
        previous = self.history[0][0] if self.history else None
        with atomic_output(outputs["digest"], database=database) as handle:
            handle.write(f"# New pairs of {self.config.name}\n\n")
            since = f"since the run of {previous}" if previous else "on its first run"
            handle.write(f"Run {self.run_id} at {self.started_at}: {plural(len(new), 'new pair')} {since}.\n\n")
            if rows:
                write_report(self.db, handle, fmt="md", filters=self._filters(match_ids=tuple(new)))
        digest = {
            "watch": self.config.name,
            "run_id": self.run_id,
            "started_at": self.started_at,
            "previous_run_at": previous,
            "new_pairs": [json_pair(row) for row in rows],
        }
        with atomic_output(outputs["digest_json"], database=database) as handle:
            handle.write(json.dumps(digest, indent=2, ensure_ascii=False) + "\n")
        with atomic_output(outputs["feed"], database=database) as handle:
            pages = f"{self.config.site}/pair/{{match_id}}" if self.config.site else None
            write_feed(self.db, handle, filters=self._filters(), pair_url=pages, feed_key=f"watch:{self.config.name}")
        return outputs


def _add(total: IngestStats, one: IngestStats) -> None:
    for name in ("inserted", "updated", "unchanged", "documents", "extracted", "pages", "figures"):
        setattr(total, name, getattr(total, name) + getattr(one, name))
    total.problems.extend(one.problems)


def _foi_counts(stats: IngestStats, since: date | None) -> dict[str, Any]:
    return {
        "requests": stats.inserted + stats.updated + stats.unchanged,
        "inserted": stats.inserted,
        "documents": stats.extracted,
        "since": since and since.isoformat(),
    }


def _foi_said(source: str, stats: IngestStats) -> str:
    requests = stats.inserted + stats.updated + stats.unchanged
    return f"{plural(requests, 'FOI request')} from {source} ({stats.inserted} new)"
