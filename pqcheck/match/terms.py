"""The matcher's words: the lexicon, stems, a refusal's terms and the refusal being matched.

- the word lists (``data/match_lexicon.json``, loaded once: variants, related jargon, stop words,
  generic words, denial cues) and ``MATCHER_VERSION``, its version, stored on every match;
- :class:`Stemmer`: porter stems exactly as the FTS5 indexes make them; :class:`Text`: a text as
  stems, for term lookups;
- :class:`TermFinder`: the subject's terms (:class:`Term`) of a refusal, each with its other derived
  form (``VARIANTS``: detention/detained), the departmental jargon for it (``RELATED``) and its
  rarity (IDF, from the counts of the FTS5 vocabularies);
- :func:`day`: a date as a day number (the years a text is about are ``periods.years_in``);
- :class:`Refusal`: one refusal being matched: its terms, date, years and subject stems.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from ..periods import years_in
from ..text import ascii_int

LEXICON_PATH = Path(__file__).parent.parent / "data" / "match_lexicon.json"
COMMON_SHARE = 0.2  # a term in more than this share of an index's rows is common ...
COMMON_MIN_ROWS = 200  # ... when the index has this many rows (a small one says nothing about commonness)


def load_lexicon(path: str | Path = LEXICON_PATH) -> dict[str, Any]:
    """The lexicon file as a dict (see its ``_about``)."""
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def _wordset(lines: list[str]) -> frozenset[str]:
    return frozenset(" ".join(lines).split())


LEXICON = load_lexicon()
MATCHER_VERSION: str = LEXICON["version"]
# Derived forms that the porter stemmer keeps apart (detention/detained: "detent"/"detain"): a term
# in one form also matches the other. Keys are porter stems, values a word of the other form.
VARIANTS: dict[str, str] = LEXICON["variants"]
# The jargon of one department's data for what a question asks about in plain words.
RELATED: dict[str, tuple[str, ...]] = {word: tuple(jargon) for word, jargon in LEXICON["related"].items()}
STOPWORDS = _wordset(LEXICON["stopwords"])
# words that say nothing about the subject, however rare they are in an index
GENERIC = _wordset(LEXICON["generic"])
DENIAL_CUES: tuple[str, ...] = tuple(LEXICON["denial_cues"])

WORD = re.compile(r"[^\W_]+")
# "people under the age of 18", "aged under 18": the letters that answer say "children"
UNDER_18 = re.compile(r"\b(?:under|below) (?:the age of )?(?:18|eighteen)\b|\bunder-18s?\b", re.I)


class Stemmer:
    """Porter stems exactly as the FTS5 indexes make them (SQLite's own tokenizer), cached by word."""

    def __init__(self) -> None:
        self.conn = sqlite3.connect(":memory:", isolation_level=None)
        self.conn.execute("CREATE VIRTUAL TABLE s USING fts5(w, tokenize='porter')")
        self.conn.execute("CREATE VIRTUAL TABLE si USING fts5vocab(s, instance)")
        self.cache: dict[str, str] = {}

    def words(self, text: str | None) -> list[str]:
        """The stems of ``text``'s words, in order."""
        if not text:
            return []
        words = WORD.findall(text.lower())
        cache = self.cache
        missing = {w for w in words if w not in cache}
        if missing:
            self._fill(missing)
        return [cache[w] for w in words]

    def _fill(self, words: set[str]) -> None:
        if len(self.cache) > 300_000:
            self.cache.clear()
        ordered = list(words)
        self.conn.execute("DELETE FROM s")
        self.conn.executemany("INSERT INTO s(rowid, w) VALUES (?, ?)", enumerate(ordered, 1))
        first: dict[int, str] = {}
        for term, doc in self.conn.execute("SELECT term, doc FROM si ORDER BY doc, offset"):
            first.setdefault(doc, term)
        for number, word in enumerate(ordered, 1):
            self.cache[word] = first.get(number, word)


class Text:
    """A text as a string of stems with spaces around each, for term (and phrase) lookups."""

    __slots__ = ("joined",)

    def __init__(self, stems: list[str]):
        self.joined = " " + " ".join(stems) + " "

    def has(self, term: Term) -> bool:
        joined = self.joined
        return any(key in joined for key in term.keys)


@dataclass
class Term:
    """One of a refusal's subject terms, with its other forms and its weights."""

    text: str  # as given
    stems: tuple[str, ...]
    key: str  # " stem stem " for substring lookups
    keys: tuple[str, ...] = ()  # key and the key of its other form (VARIANTS)
    queries: tuple[str, ...] = ()  # the quoted FTS5 phrases: the words as given, and the other form
    idf: float = 1.0  # from the FOI requests index
    idf_answers: float = 1.0  # from the questions index
    common: bool = False  # a generic word, or in more than COMMON_SHARE of the FOI rows
    generic: bool = False  # a word in GENERIC: never queried
    position: int = 0  # in the classifier's list, most specific first


def day(value: str | None) -> int | None:
    """The day number (``date.toordinal``) of an ISO date or timestamp; None if it has none."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10]).toordinal()
    except ValueError:
        return None


def idf(df: int, n: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


class DocumentCounts(Protocol):
    """Rows of each FTS5 index, and rows holding a term (:class:`pqcheck.match.retrieval.CandidateSearch`)."""

    rows: dict[str, int]

    def phrase_df(self, index: str, term: Term, own: bool = False) -> int: ...


class TermFinder:
    """The subject's terms of a refusal, stemmed as the indexes stem them and weighted by rarity."""

    def __init__(self, stemmer: Stemmer):
        self.stemmer = stemmer
        self.stop_stems = frozenset(stemmer.words(" ".join(STOPWORDS)))
        self.related = {" " + " ".join(stemmer.words(k)) + " ": v for k, v in RELATED.items()}
        # the lexicon's words of several words ("attempted suicide", "universal credit"), longest first:
        # found in a subject, each is one term
        self.phrases = sorted(
            ((k, w) for k, w in zip(self.related, RELATED, strict=True) if k.count(" ") > 2), key=lambda p: -len(p[0])
        )

    def terms(self, refusal: dict[str, Any], counts: DocumentCounts) -> tuple[list[Term], str]:
        """The subject's terms with their weights, and where they came from."""
        source = "subject_terms"
        raw: list[str] = []
        try:
            listed = json.loads(refusal["subject_terms"] or "[]")
        except ValueError:
            listed = []
        if isinstance(listed, list):
            raw = [str(t).strip().lower() for t in listed if str(t).strip()]
        if not raw:
            source, text = _subject_text(refusal)
            raw = [w for w in WORD.findall((text or "").lower()) if w not in STOPWORDS and not w.isdigit()]
        if UNDER_18.search(refusal.get("subject") or refusal.get("question_text") or ""):
            raw = ["children", *(t for t in raw if t not in ("age", "aged"))]
        raw = self.with_phrases(refusal.get("subject") or refusal.get("question_text") or "", raw)
        places = place_words(refusal.get("subject") or refusal.get("question_text"))
        glued = _glued_words(refusal)
        terms: list[Term] = []
        seen: set[str] = set()
        for position, text in enumerate(raw):
            words = [w for w in WORD.findall(text) if not w.isdigit()]
            if not words or (len(words) == 1 and words[0] in STOPWORDS):
                continue
            stems = tuple(self.stemmer.words(" ".join(words)))
            key = " " + " ".join(stems) + " "
            if not stems or key in seen or (len(words) == 1 and words[0] in glued):
                continue
            seen.add(key)
            keys, queries = [key], ['"' + " ".join(words) + '"']
            others = [VARIANTS[stems[0]]] if len(stems) == 1 and stems[0] in VARIANTS else []
            others += self.related.get(key, ())
            for other in others:
                keys.append(" " + " ".join(self.stemmer.words(other)) + " ")
                queries.append(f'"{other}"')
            term = Term(text=text, stems=stems, key=key, keys=tuple(keys), queries=tuple(queries), position=position)
            n = max(counts.rows["foi_requests"], 1)
            df = counts.phrase_df("foi_requests", term, own=True)
            term.idf = idf(df, n)
            term.idf_answers = idf(counts.phrase_df("questions", term, own=True), max(counts.rows["questions"], 1))
            term.generic = all(w in GENERIC for w in words)
            term.common = term.generic or (n >= COMMON_MIN_ROWS and df > COMMON_SHARE * n)
            if places and all(w in places for w in words):  # "in the London Borough of Hounslow"
                term.idf *= PLACE_WEIGHT
                term.idf_answers *= PLACE_WEIGHT
                term.position += PLACE_SHIFT  # never the lead term
            terms.append(term)
            if len(terms) >= 16:
                break
        return terms, source

    def with_phrases(self, subject: str, raw: list[str]) -> list[str]:
        """``raw`` with each phrase of the lexicon that ``subject`` holds ("attempted suicides") in
        place of its words: one term, which its related forms ("self-harm") also match. A word the
        subject also uses outside the phrase stays a term of its own."""
        joined = " " + " ".join(self.stemmer.words(subject)) + " "
        found: list[tuple[str, str]] = []
        for key, phrase in self.phrases:
            if key in joined:
                found.append((key, phrase))
                joined = joined.replace(key, " | ")
        if not found:
            return raw
        rest = frozenset(joined.split())
        out: list[str] = []
        for text in raw:
            stems = self.stemmer.words(text)
            owners = [p for k, p in found if f" {stems[0]} " in k] if len(stems) == 1 and stems[0] not in rest else []
            if owners:
                out += [p for p in owners if p not in out]
            else:
                out.append(text)
        return out + [phrase for _, phrase in found if phrase not in out]


# A place the question narrows its subject to: "in the London Borough of Hounslow", "at HMP Leeds",
# "across Greater Manchester". Its names weigh little: a national figure disclosed is still on the
# subject, and the place's rare name would otherwise decide the match.
_PLACE = re.compile(r"\b(?:in|at|across|within|from) (?:the )?((?:(?:[A-Z][\w'’-]+|of|and|upon|on)\s?)*[A-Z][\w'’-]+)")
PLACE_WEIGHT = 0.3
PLACE_SHIFT = 100


def place_words(subject: str | None) -> frozenset[str]:
    """The lower-cased words of the places the subject names ("borough", "hounslow", "london")."""
    if not subject:
        return frozenset()
    return frozenset(
        w.lower() for m in _PLACE.finditer(subject) for w in WORD.findall(m.group(1)) if w not in ("of", "and")
    )


def _glued_words(refusal: dict[str, Any]) -> frozenset[str]:
    """Words that exist only when the enumerators of the refusal's text are cut out of it: historic
    Hansard glues them to a word ("in(a) all hospitals"), and a subject read with them cut says
    "inall", a rare word that no disclosure holds. Such a word is never a subject term."""
    text = " ".join(filter(None, [refusal.get("heading"), refusal.get("question_text")])).lower()
    return frozenset(WORD.findall(ENUMERATOR.sub("", text))) - frozenset(WORD.findall(text))


ENUMERATOR = re.compile(r"\((?:[a-z]|[ivx]+|\d+)\)\s*")


def _subject_text(refusal: dict[str, Any]) -> tuple[str, str | None]:
    """Where a refusal without subject terms says what it is about, and the words: its subject, else
    its heading and question, else the answer's own words ("There is no central record of such
    persons": the matcher must have some subject)."""
    if refusal.get("subject"):
        return "subject", refusal["subject"]
    asked = " ".join(filter(None, [refusal.get("heading"), refusal.get("question_text")]))
    if asked.strip():
        return "question", asked
    return "answer", _refusing_sentence(refusal.get("answer_text") or "", refusal.get("phrase"))


ANSWER_TERMS = 8  # content words of the answer taken as the subject of an answer without a question
# how a refusal is worded, never what it is about ("could be provided only at disproportionate cost")
REFUSAL_WORDS = _wordset(LEXICON["refusal_words"])


def _refusing_sentence(answer: str, phrase: str | None) -> str:
    """The content words of an answer without a question, at most ``ANSWER_TERMS``: those of the
    sentence that holds the refusal phrase (or the first), the phrase left out, then of the
    sentences before it (what "such persons" refers to), then of those after; the words of
    refusing (``REFUSAL_WORDS``: "requested", "disproportionate", "centrally") and single letters
    left out. "There is no central record of trafficking victims held in immigration detention"
    -> "trafficking victims ... detention"."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", answer.lower()) if s.strip()] or [answer.lower()]
    low = (phrase or "").lower()
    first = next((i for i, s in enumerate(sentences) if low and low in s), 0)
    order = [first, *range(first - 1, -1, -1), *range(first + 1, len(sentences))]
    words: list[str] = []
    for index in order:
        sentence = sentences[index].replace(low, " ") if low else sentences[index]
        words += [
            w
            for w in WORD.findall(sentence)
            if len(w) > 1 and not w.isdigit() and w not in STOPWORDS and w not in GENERIC and w not in REFUSAL_WORDS
        ]
        if len(dict.fromkeys(words)) >= ANSWER_TERMS:
            break
    return " ".join(list(dict.fromkeys(words))[:ANSWER_TERMS])


class Refusal:
    """One refusal being matched: its terms, date, period and subject (``scoring`` compares it with a target)."""

    def __init__(
        self,
        refusal: dict[str, Any],
        terms: list[Term],
        day: int | None,
        stemmer: Stemmer,
        stop_stems: frozenset[str],
    ):
        self.question_id = refusal["question_id"]
        self.department = refusal["department_id"]
        self.phrase = refusal["phrase"]
        self.partial = refusal.get("label") == "partial"  # a part of the question refused, the rest given
        self.terms = terms
        self.day = day  # None: an answer whose date is not known (a copy of a page without one)
        self.year = date.fromordinal(day).year if day is not None else None
        subject = refusal["subject"] or refusal["heading"] or ""
        self.subject_stems = " ".join(s for s in stemmer.words(subject) if s not in stop_stems)
        if not self.subject_stems:
            self.subject_stems = " ".join(" ".join(t.stems) for t in terms)
        self.years = self._years(refusal)
        self.idfs = [t.idf for t in terms]
        self.idfs_answers = [t.idf_answers for t in terms]
        self.totals = {False: sum(self.idfs) or 1.0, True: sum(self.idfs_answers) or 1.0}
        # the subject as each of the alternatives it enumerates would ask it (one reading, of all the
        # terms, when it enumerates none): a target on any one of them holds the subject
        self.readings = readings(terms, alternatives(refusal), stemmer)
        self.reading_totals = {
            answers: [sum(idfs[n] for n in r) or 1.0 for r in self.readings]
            for answers, idfs in ((False, self.idfs), (True, self.idfs_answers))
        }
        in_all = set.intersection(*map(set, self.readings)) if self.readings else set()
        # the most specific term (the first listed that is not a generic word, nor only one of the
        # alternatives): a target without it, and without most of the other terms, is probably
        # about a neighbouring subject
        specific = [t for i, t in enumerate(terms) if not t.generic and i in in_all] or [
            t for t in terms if not t.generic
        ]
        self.lead = min(specific, key=lambda t: t.position, default=None)
        self.lead_index = terms.index(self.lead) if self.lead is not None else -1
        # the terms of the alternatives themselves ("attendance allowance", "universal credit"), places and
        # generic words left out: a target that names none of them is about another item of the same kind
        # (personal independence payment)
        # (each alternative must have such a term: "(a) all hospitals and (b) those with the Red Card Scheme" does not)
        owns = [
            [i for i in reading if i not in in_all and not terms[i].generic and terms[i].position < PLACE_SHIFT]
            for reading in self.readings
        ]
        self.alternative_indexes = sorted({i for own in owns for i in own}) if len(owns) > 1 and all(owns) else []

    def _years(self, refusal: dict[str, Any]) -> set[int]:
        start, end = refusal.get("period_start"), refusal.get("period_end")
        if start or end:
            first, last = ascii_int((start or end)[:4]), ascii_int((end or start)[:4])
            if first is not None and last is not None and first <= last <= first + 30:
                return set(range(first, last + 1))
        text = " ".join(filter(None, [refusal.get("period"), refusal.get("subject"), refusal.get("question_text")]))
        return {y for y in years_in(text, self.year) if self.year is None or y <= self.year + 1}

    def share(self, credits: list[float], answers: bool = False) -> float:
        """The IDF-weighted share of the terms found, each term's credit (0 to 1) in ``credits`` (in
        the order of ``terms``); the IDF of the questions index when ``answers``."""
        idfs = self.idfs_answers if answers else self.idfs
        return sum(c * i for c, i in zip(credits, idfs, strict=True)) / self.totals[answers]

    def best_reading_share(self, credits: list[float], answers: bool = False) -> float:
        """``share`` under the subject's best reading: of one alternative's terms and those outside
        the alternatives (the share of all of them when the question enumerates none)."""
        idfs = self.idfs_answers if answers else self.idfs
        return max(
            sum(credits[n] * idfs[n] for n in r) / total
            for r, total in zip(self.readings, self.reading_totals[answers], strict=True)
        )

    def weight_in(self, full: list[Text], partial: Iterable[Text] = ()) -> float:
        """The IDF-weighted share of the terms found in ``full`` texts (1.0) or ``partial`` ones (0.6)."""
        partial = list(partial)
        credits = [
            1.0 if any(t.has(term) for t in full) else 0.6 if any(t.has(term) for t in partial) else 0.0
            for term in self.terms
        ]
        return self.share(credits)


# "(a)", "(ii)", "(3)": the enumerators of a question's alternatives, by style
ITEM_MARK = re.compile(r"\((?:(?P<roman>i|ii|iii|iv|v|vi|vii|viii|ix|x)|(?P<letter>[a-z])|(?P<digit>\d{1,2}))\)", re.I)
# where the last alternative ends and the question goes on ("(c) universal credit have died ...")
ITEM_END = re.compile(
    r"[,;:?.\[]|\s(?:and|or|have|has|had|were|was|are|is|been|will|would|did|does|do|who|which|that|whose"
    r"|in each|in the last|in the past|since|between|during|broken down|by)\s",
    re.I,
)
LAST_ITEM_EXTRA = 2  # words the last alternative may have beyond the longest of the others
MAX_READINGS = 12


def alternatives(refusal: dict[str, Any]) -> list[list[str]]:
    """The alternatives a question enumerates ("(a) attendance allowance, (b) employment support
    allowance and (c) universal credit"), as groups of item texts (one group per style of
    enumerator, each of two items or more); none when the refusal refuses one part of the question
    (its subject is that part already) or the question enumerates nothing."""
    question = refusal.get("question_text") or ""
    if refusal.get("refused_part") or "(" not in question:
        return []
    marks: dict[str, list[re.Match[str]]] = {}
    for m in ITEM_MARK.finditer(question):
        marks.setdefault(m.lastgroup or "", []).append(m)
    groups = []
    for found in marks.values():
        if len(found) < 2:
            continue
        items = [question[a.end() : b.start()].strip() for a, b in itertools.pairwise(found)]
        last = question[found[-1].end() :]
        end = ITEM_END.search(last)
        groups.append([*items, _at_most(last[: end.start()] if end else last, max(map(_content, items)))])
    return groups


def _content(text: str) -> int:
    return sum(1 for w in WORD.findall(text.lower()) if w not in STOPWORDS)


def _at_most(last: str, longest: int) -> str:
    """The last alternative, of at most ``LAST_ITEM_EXTRA`` content words more than the longest of
    the others: where a question goes on after it is not always marked ("(b) children asylum
    seekers went missing")."""
    words = last.split()
    kept = 0
    for n, word in enumerate(words):
        kept += _content(word)
        if kept > longest + LAST_ITEM_EXTRA:
            return " ".join(words[:n])
    return " ".join(words)


def readings(terms: list[Term], groups: list[list[str]], stemmer: Stemmer) -> list[tuple[int, ...]]:
    """The readings of a subject, each the indexes of the terms it holds: one item of each group of
    alternatives, with the terms outside them (a term in every item of a group, or none, is outside
    it). One reading of all the terms when there are no alternatives, or too many combinations."""
    every = tuple(range(len(terms)))
    choices: list[list[set[int]]] = []  # per group: for each item, the indexes of the terms only some items hold
    for items in groups:
        texts = [Text(stemmer.words(item)) for item in items]
        held = [{i for i, t in enumerate(terms) if all(f" {s} " in text.joined for s in t.stems)} for text in texts]
        own = set.union(*held) - set.intersection(*held)
        if own:
            choices.append([h & own for h in held])
    if not choices or math.prod(len(c) for c in choices) > MAX_READINGS:
        return [every]
    left_out = set.union(*(set.union(*c) for c in choices))
    outside = [i for i in every if i not in left_out]
    return [tuple(sorted({*outside, *set.union(*combo)})) for combo in itertools.product(*choices)]
