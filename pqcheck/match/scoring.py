"""The score of a candidate: the weights, the rules and the reasons that explain them.

Every contribution of ``WEIGHTS`` is stored in ``reasons``:

- ``terms``: the share of the subject's terms, weighted by rarity (IDF from the FTS5 vocabulary,
  the same porter stems as the index), found in the FOI's title or request text (full weight),
  in the disclosed figure's sentence, table row, table header or caption (full), near it on its
  page (0.7), or elsewhere on the pages read (0.5);
- ``similarity``: rapidfuzz ``token_set_ratio`` of the subject with the title (and, at 0.85, the
  request text), on stems without stop words;
- ``figures``: the best group of figures (``foi_figures``: a sentence, or the rows of one table)
  by the share of the subject's terms in its context, header, caption (0.6 for the text around);
- ``period``: the share of the years asked about (``refusals.period_start/end``, else years in
  the question) that the FOI mentions in its title, request or figures; a small penalty when the
  FOI names only other years;
- ``outcome``: a bonus for a disclosure (``successful``, ``partially_successful``, ``released``),
  a letter with no recorded outcome that gives figures (a researcher's own files, a disclosure log:
  read as the letter reads) or an answer with figures; ``not_held`` (the same denial: evidence_kind ``not_held``) and
  ``rejected`` (refused: evidence_kind ``refused``) get no bonus and their score is multiplied by
  ``DENIAL_FACTOR``, so they rank below disclosures on the same subject;
- ``time``: a score, never a cut inside the window (ten years either side by default): its
  ``closeness`` to the answer halves with every ``TIME_HALF_LIFE`` days between them, counted from
  the nearest day of the FOI's date as known (a month, a year or a financial year is its span: an
  answer inside it is 0 days away); an undated FOI stays a candidate, with the ``undated`` penalty
  instead, so it ranks below the same FOI dated close to the answer;
- ``corroboration``: a refusal contradicted by several kept disclosures (FOIs or answers) is the
  stronger case: each of them gains a little per other one (at most three);
- ``generic``: a penalty when no shared term, or only one, is specific (not a generic word and,
  in an index of ``COMMON_MIN_ROWS`` rows or more, not in more than ``COMMON_SHARE`` of them);
- ``lead``: a penalty when the first-listed (most specific) term is missing and less than
  ``LEAD_COVERAGE`` of the terms are found (Universal Credit *advances* for a question on
  Universal Credit *sanctions*); of a question that enumerates alternatives, the lead is a term
  outside them and the share is of its best reading (``terms.Refusal.best_reading_share``);
- ``alternatives``: a penalty when the question enumerates alternatives, each with a term of its own
  ("(a) attendance allowance, (b) employment support allowance and (c) universal credit"), and the
  target names none of them (the same deaths of *personal independence payment* claimants).

The period, outcome and time bonuses are scaled by the ``terms`` share: they say how good a
disclosure is, not whether it is on the subject. :func:`first_pass` ranks every candidate on cheap
signals (the title and request text: :func:`quick_score`); :func:`full_score` scores the best of
them with their evidence.
"""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz

from .terms import Refusal, Term

WEIGHTS = {
    "terms": 0.40,
    "similarity": 0.15,
    "figures": 0.20,
    "period": 0.10,
    "period_mismatch": -0.05,
    "outcome": 0.10,
    "time": 0.10,
    "generic_none": -0.25,
    "generic_one": -0.10,
    "undated": -0.05,
    "lead_missing": -0.25,
    "alternatives_missing": -0.25,
}
LEAD_COVERAGE = 0.5  # a target without the first-listed term, sharing less than this of the terms, loses lead_missing
TIME_HALF_LIFE = 365  # days: an FOI a year from the answer gets half the time weight, two years a quarter
DENIAL_FACTOR = 0.6  # not_held and rejected FOIs rank below disclosures
ASIDE_FACTOR = 0.8  # an answer labelled "other" whose figures are on the subject ranks below a disclosure
# ... and one labelled a refusal, lower: the same denial, with figures beside it (as a not_held letter's)
REFUSED_ASIDE_FACTOR = DENIAL_FACTOR
PARTIAL_FACTOR = 0.75  # the pairs of a partial answer (a part refused, the rest given) rank below a whole refusal's
LOCAL_FACTOR = 0.5  # a local body's disclosure ("held locally") ranks below the department's own evidence
LOCAL_KEEP = 2  # local bodies' disclosures kept per "not held centrally" refusal, at most
# ... scoring at least this (below options.min_score: a local letter names a national subject in its
# own words, and it is shown apart, never as the department's discrepancy)
LOCAL_MIN_RELEVANCE = 0.25
CORROBORATION_STEP = 0.03  # per other disclosure of the same refusal (see corroborate)
CORROBORATION_MAX = 3
DISCLOSED = frozenset({"successful", "partially_successful", "released"})
EVIDENCE_KIND = {"not_held": "not_held", "rejected": "refused"}


def first_pass(
    refusal: Refusal, candidates: list[dict[str, Any]], info: dict[tuple[str, int], dict[str, Any]]
) -> list[dict[str, Any]]:
    """Cheap signals for every candidate: terms in the title and request text, similarity, period,
    outcome, time, whether the FOI has figures at all. Returns them best first."""
    scored = []
    for candidate in candidates:
        m = info.get((candidate["kind"], candidate["rowid"]))
        if m is None:
            continue
        candidate.update(m)
        if candidate["kind"] != "foi":  # an answer or a statement
            candidate["department_id"] = refusal.department  # candidates are from its department only
        first = quick_score(refusal, candidate)
        if candidate["kind"] == "foi":
            first += WEIGHTS["figures"] * 0.5 * bool(candidate["figure_count"])
            first += 0.1 / (1 + candidate.get("pages_rank", 99))
        else:
            first += WEIGHTS["figures"] * 0.5
        candidate["first"] = first * denial_factor(candidate)
        scored.append(candidate)
    scored.sort(key=lambda c: -c["first"])
    return scored


def _idf(term: Term, candidate: dict[str, Any]) -> float:
    return term.idf if candidate["kind"] == "foi" else term.idf_answers


def _term_hits(refusal: Refusal, candidate: dict[str, Any], evidence: dict[str, Any] | None) -> list[dict[str, Any]]:
    hits = []
    for term in refusal.terms:
        where, credit = [], 0.0
        if candidate["title_text"].has(term):
            where.append("title" if candidate["kind"] == "foi" else "question")
            credit = 1.0
        if candidate["request_stems"].has(term):
            where.append("request" if candidate["kind"] == "foi" else "question_text")
            credit = 1.0
        if evidence is not None:
            if evidence.get("context_text") is not None and evidence["context_text"].has(term):
                where.append("evidence")
                credit = 1.0
            elif any(t.has(term) for t in evidence.get("window", [])):
                where.append("near_evidence")
                credit = max(credit, 0.7)
            elif any(t.has(term) for t in evidence.get("pages", [])):
                where.append("page")
                credit = max(credit, 0.5)
        hits.append({"term": term.text, "idf": round(_idf(term, candidate), 3), "credit": credit, "where": where})
    return hits


def quick_score(refusal: Refusal, candidate: dict[str, Any]) -> float:
    """The first-pass score: the rules of ``_rules`` on the title and request text only, without
    the reasons (it runs for every candidate)."""
    title, request = candidate["title_text"], candidate["request_stems"]
    answer = candidate["kind"] != "foi"  # an answer or a statement
    credits = [1.0 if title.has(term) or request.has(term) else 0.0 for term in refusal.terms]
    coverage = refusal.share(credits, answer)
    specific = sum(1 for credit, term in zip(credits, refusal.terms, strict=True) if credit and not term.common)
    lead = 0.0
    if refusal.lead is not None and not credits[refusal.lead_index] and _lead_share(refusal, credits, answer):
        lead = WEIGHTS["lead_missing"] / 2  # it may still be in the pages
    score = WEIGHTS["terms"] * coverage + WEIGHTS["similarity"] * _similarity(refusal, candidate)[0]
    if refusal.years and candidate["years"]:
        overlap = len(refusal.years & candidate["years"]) / len(refusal.years)
        score += WEIGHTS["period"] * overlap * coverage if overlap else WEIGHTS["period_mismatch"]
    if answer or released(candidate):
        score += WEIGHTS["outcome"] * coverage
    score += _time(refusal, candidate, coverage)[1]
    score += _generic(refusal, specific) + lead + _alternatives(refusal, credits) / 2
    return score


def _alternatives(refusal: Refusal, credits: list[float]) -> float:
    """The ``alternatives_missing`` penalty: the question enumerates alternatives and the target names
    none of them."""
    indexes = refusal.alternative_indexes
    return WEIGHTS["alternatives_missing"] if indexes and not any(credits[i] for i in indexes) else 0.0


def _lead_share(refusal: Refusal, credits: list[float], answers: bool) -> bool:
    """Whether a target holds less than ``LEAD_COVERAGE`` of the subject, under its best reading:
    one alternative of those the question enumerates is the whole subject here."""
    return refusal.best_reading_share(credits, answers) < LEAD_COVERAGE


def _similarity(refusal: Refusal, candidate: dict[str, Any]) -> tuple[float, float, float]:
    title, request = candidate["title_fuzzy"], candidate["request_fuzzy"]
    title_ratio = fuzz.token_set_ratio(refusal.subject_stems, title) if title else 0.0
    request_ratio = fuzz.token_set_ratio(refusal.subject_stems, request) if request else 0.0
    return max(title_ratio, 0.85 * request_ratio) / 100, title_ratio, request_ratio


def gap_days(refusal: Refusal, candidate: dict[str, Any]) -> int | None:
    """Days from the answer to the target (negative: before it), from the nearest day of the
    target's span (0 when the answer falls inside it); None for an undated target."""
    first, last = candidate["day"], candidate.get("day_end") or candidate["day"]
    if first is None or refusal.day is None:
        return None
    if refusal.day < first:
        return first - refusal.day
    return min(last - refusal.day, 0)


def closeness(gap: int) -> float:
    """1.0 on the answer's day (or inside the target's span), halving every ``TIME_HALF_LIFE`` days."""
    return 0.5 ** (abs(gap) / TIME_HALF_LIFE)


def _time(refusal: Refusal, candidate: dict[str, Any], coverage: float) -> tuple[int | None, float]:
    """The gap in days and the time contribution: ``closeness`` scaled by the terms' coverage, or
    the ``undated`` penalty for an undated target (nothing, for an answer of unknown date)."""
    gap = gap_days(refusal, candidate)
    if refusal.day is None:  # an answer of unknown date: time says nothing either way
        return None, 0.0
    if gap is None:
        return None, WEIGHTS["undated"]
    return gap, WEIGHTS["time"] * closeness(gap) * coverage


def _generic(refusal: Refusal, specific: int) -> float:
    if not specific:
        return WEIGHTS["generic_none"]
    if specific == 1 and len(refusal.terms) >= 3:
        return WEIGHTS["generic_one"]
    return 0.0


def _rules(refusal: Refusal, candidate: dict[str, Any], evidence: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    hits = _term_hits(refusal, candidate, evidence)
    coverage = refusal.share([h["credit"] for h in hits], candidate["kind"] != "foi")
    rules: dict[str, dict[str, Any]] = {
        "terms": {"value": round(coverage, 3), "contribution": WEIGHTS["terms"] * coverage, "hits": hits}
    }
    similarity, title_ratio, request_ratio = _similarity(refusal, candidate)
    rules["similarity"] = {
        "value": round(similarity, 3),
        "title_ratio": round(title_ratio, 1),
        "request_ratio": round(request_ratio, 1),
        "contribution": WEIGHTS["similarity"] * similarity,
    }
    foi_years = candidate["years"]
    if evidence is not None:
        foi_years = foi_years | evidence.get("years", set())
    if refusal.years and foi_years:
        overlap = len(refusal.years & foi_years) / len(refusal.years)
        contribution = WEIGHTS["period"] * overlap * coverage if overlap else WEIGHTS["period_mismatch"]
    else:
        overlap, contribution = None, 0.0
    rules["period"] = {
        "asked": sorted(refusal.years),
        "target": sorted(foi_years),
        "value": None if overlap is None else round(overlap, 3),
        "contribution": contribution,
    }
    outcome = candidate["outcome"]
    disclosed = candidate["kind"] != "foi" or released(candidate)
    rules["outcome"] = {
        "outcome": outcome if candidate["kind"] == "foi" else candidate["kind"],
        "contribution": WEIGHTS["outcome"] * coverage if disclosed else 0.0,
    }
    gap, contribution = _time(refusal, candidate, coverage)
    rules["time"] = {"gap_days": gap, "precision": candidate.get("precision"), "contribution": contribution}
    specific = [h["term"] for h, t in zip(hits, refusal.terms, strict=True) if h["credit"] > 0 and not t.common]
    rules["generic"] = {"specific_shared": specific, "contribution": _generic(refusal, len(specific))}
    credits = [h["credit"] for h in hits]
    if refusal.lead is not None:
        missing = not credits[refusal.lead_index] and _lead_share(refusal, credits, candidate["kind"] != "foi")
        rules["lead"] = {"term": refusal.lead.text, "contribution": WEIGHTS["lead_missing"] if missing else 0.0}
    if refusal.alternative_indexes:
        rules["alternatives"] = {
            "terms": [refusal.terms[i].text for i in refusal.alternative_indexes],
            "contribution": _alternatives(refusal, credits),
        }
    return rules


def full_score(refusal: Refusal, candidate: dict[str, Any], evidence: dict[str, Any]) -> dict[str, Any]:
    """The score of a candidate with its evidence, every contribution in its reasons."""
    rules = _rules(refusal, candidate, evidence)
    group = evidence.get("group")
    proximity = group["proximity"] if group is not None else 0.0
    rules["figures"] = {
        "value": round(proximity, 3),
        "count": len(evidence["figures"]),
        "contribution": WEIGHTS["figures"] * proximity,
    }
    total = sum(r["contribution"] for r in rules.values())
    factor = denial_factor(candidate)
    kind = candidate["kind"]
    evidence_kind = kind if kind != "foi" else EVIDENCE_KIND.get(candidate["outcome"], "disclosure")
    if factor != 1.0:
        rules["denial"] = {"factor": factor, "contribution": round(total * factor - total, 4)}
    if refusal.partial:  # the weaker case: a part refused, the rest given
        rules["partial"] = {"factor": PARTIAL_FACTOR, "contribution": round(total * factor * (PARTIAL_FACTOR - 1), 4)}
        factor *= PARTIAL_FACTOR
    for rule in rules.values():
        rule["contribution"] = round(rule["contribution"], 4)
    reasons = {
        "terms": rules["terms"].pop("hits"),
        "rules": rules,
        "department": {"id": refusal.department, "authority": candidate.get("authority")},
        "retrieval": {
            k: candidate[k]
            for k in (
                *("title_rank", "title_bm25", "pages_rank", "pages_bm25", "answers_rank", "answers_bm25"),
                *("statements_rank", "statements_bm25"),
            )
            if k in candidate
        },
    }
    return {
        "score": max(total * factor, 0.0),
        "relevance": total,
        "target": str(candidate["target"]),
        "candidate": candidate,
        "evidence": evidence,
        "evidence_kind": evidence_kind,
        "reasons": reasons,
    }


def corroborate(kept: list[dict[str, Any]]) -> None:
    """A refusal contradicted by several independent releases (FOIs, or answers that gave the
    figures) is a stronger case than one contradicted once: each of its disclosures gains
    ``CORROBORATION_STEP`` per other disclosure, up to ``CORROBORATION_MAX`` of them."""
    disclosures = [f for f in kept if f["evidence_kind"] in ("disclosure", "answer", "statement")]
    others = min(len(disclosures) - 1, CORROBORATION_MAX)
    if others <= 0:
        return
    bonus = CORROBORATION_STEP * others
    for found in disclosures:
        found["score"] += bonus
        found["reasons"].setdefault("rules", {})["corroboration"] = {"others": others, "contribution": bonus}


def held_locally(found: dict[str, Any]) -> dict[str, Any]:
    """A local body's disclosure on the subject of a "not held centrally" refusal: not the
    department's discrepancy but evidence that the data exists outside it. Its evidence kind says
    so, and its score is scaled by ``LOCAL_FACTOR`` so it ranks below the department's own."""
    total = found["score"]
    found["evidence_kind"] = "held_locally"
    found["score"] = total * LOCAL_FACTOR
    found["reasons"]["rules"]["held_locally"] = {
        "factor": LOCAL_FACTOR,
        "contribution": round(found["score"] - total, 4),
    }
    return found


def released(candidate: dict[str, Any]) -> bool:
    """An FOI that released information: its outcome says so, or it has none recorded and its
    documents give figures."""
    outcome = candidate["outcome"]
    return outcome in DISCLOSED or (outcome is None and bool(candidate.get("figure_count")))


def denial_factor(candidate: dict[str, Any]) -> float:
    """``DENIAL_FACTOR`` for a not_held or refused FOI, ``REFUSED_ASIDE_FACTOR`` for an answer that gave
    its figures beside a refusal, ``ASIDE_FACTOR`` for one that gave them in passing, else 1."""
    if candidate.get("aside"):
        return REFUSED_ASIDE_FACTOR if candidate.get("refused") else ASIDE_FACTOR
    return DENIAL_FACTOR if candidate.get("outcome") in EVIDENCE_KIND else 1.0
