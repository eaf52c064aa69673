"""The refusal patterns of ``data/refusal_patterns.json``, made ready to run.

What the file says and how each part is run: the labels and categories; the literal finder and the
gated cues of the cheap stage (the prefilter, and the holding, other, disclosure and pointer cues),
each a few literals confirmed by a small regular expression; the sentence tests of the spaCy stage
(procedure, deixis, reported answers, sensitivity, question timing); and the spaCy stage itself:
the token patterns compiled for spaCy's ``Matcher`` (word sets as lexeme flags) and the
:class:`Engine` that finds the refusal phrases of one sentence.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..vocabulary import CATEGORIES

PATTERNS_PATH = Path(__file__).parents[1] / "data" / "refusal_patterns.json"


def load_rules(path: str | Path = PATTERNS_PATH) -> dict[str, Any]:
    """The patterns file as a dict (see its ``_about``)."""
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


RULES = load_rules()
CLASSIFIER_VERSION: str = RULES["version"]


# --------------------------------------------------------------------------------------------
# Cheap stage: literal scans confirmed by small regular expressions


_NUMPY_FROM = 64  # texts from which _Literals.find uses numpy (fewer are scanned faster)


class _Literals:
    """Which of a fixed set of literals each text of a batch contains, as bit masks. numpy finds
    them for a whole batch at once (each literal by its rarest pair of bytes, then checked in full),
    several times faster than scanning every text for every literal."""

    def __init__(self, literals: Iterable[str]):
        self.bits = {literal: 1 << i for i, literal in enumerate(dict.fromkeys(literals))}
        self.encoded = [literal.encode() for literal in self.bits]
        if any(len(raw) < 2 or 0 in raw for raw in self.encoded):
            raise ValueError("a literal must have at least two characters and no NUL")

    def find(self, texts: list[str]) -> list[int]:
        """For each of ``texts``, the bits of the literals it contains."""
        if len(texts) < _NUMPY_FROM:
            return [sum(bit for literal, bit in self.bits.items() if literal in text) for text in texts]
        import numpy as np  # here: it takes a tenth of a second to import, and small batches do without

        # UTF-8 keeps "literal in text": a literal's bytes can only match at a character boundary.
        # The NUL after each text keeps a literal from matching across two.
        joined = "\0".join(texts)
        if joined.isascii():
            lengths = [len(text) for text in texts]
        else:
            lengths = [len(text.encode("utf-8", "surrogatepass")) for text in texts]
        ends = np.cumsum(np.array(lengths) + 1)  # the offset after each text's NUL
        masks = [0] * len(texts)
        raw = joined.encode("utf-8", "surrogatepass")
        for bit, starts in zip(self.bits.values(), self._starts(raw), strict=True):
            owners = np.searchsorted(ends, starts, side="right")  # in order: repeats are adjacent
            for text in owners[np.flatnonzero(np.diff(owners, prepend=-1))].tolist():
                masks[text] |= bit
        return masks

    def _starts(self, raw: bytes) -> list[Any]:
        """For each literal, the offsets in ``raw`` where it occurs, in order (numpy arrays)."""
        import numpy as np

        raw += bytes(max(map(len, self.encoded)) + 1)  # every check below stays inside the buffer
        data = np.frombuffer(raw, np.uint8)
        pairs = np.ndarray((len(raw) - 1,), "<u2", raw, strides=(1,))  # the byte pair at each offset
        counts = np.bincount(pairs[: 1 << 16], minlength=1 << 16)  # a sample tells which pairs are rare
        rarest = []  # per literal: (offset of its rarest byte pair, that pair)
        for literal in self.encoded:
            offset = min(range(len(literal) - 1), key=lambda o: counts[literal[o] | literal[o + 1] << 8])
            rarest.append((offset, literal[offset] | literal[offset + 1] << 8))
        wanted = np.zeros(1 << 16, bool)
        wanted[[pair for _, pair in rarest]] = True
        at = np.flatnonzero(np.take(wanted, pairs))  # take: twice as fast as wanted[pairs] here
        at_pairs = pairs[at]
        order = np.argsort(at_pairs, kind="stable")  # by pair, each pair's offsets still in order
        at, at_pairs = at[order], at_pairs[order]
        found = []
        for literal, (offset, pair) in zip(self.encoded, rarest, strict=True):
            starts = at[np.searchsorted(at_pairs, pair) : np.searchsorted(at_pairs, pair, "right")] - offset
            starts = starts[starts >= 0]
            for j, byte in enumerate(literal):
                if j != offset and j != offset + 1:
                    starts = starts[data[starts + j] == byte]
            found.append(starts)
        return found


class _Gated:
    """Entries ``{literals, regex}``: an entry fires when one of its literals is in the (lower-case)
    text and its regex, if it has one, matches. A literal test is one fast scan of the text, or a
    bit of the text's mask from ``LITERALS.find``."""

    def __init__(self, entries: list[dict[str, Any]], literals: _Literals | None = None):
        self.entries = [
            (tuple(e["literals"]), re.compile(e["regex"], re.ASCII) if e.get("regex") else None) for e in entries
        ]
        self.flat = tuple((literal, regex) for literals, regex in self.entries for literal in literals)
        self.flat_ascii = tuple((literal, regex) for literal, regex in self.flat if literal.isascii())
        if literals is not None:  # bits are distinct powers of two: a sum of distinct bits is their union
            self.masks = [sum({literals.bits[literal] for literal in e}) for e, _ in self.entries]
            self.mask = sum({literals.bits[literal] for literal, _ in self.flat})
            # bit -> (its literal, the regexes of the entries with it; None: the literal alone fires)
            self.by_bit: dict[int, tuple[str, list[re.Pattern[str] | None]]] = {}
            for literal, regex in self.flat:
                self.by_bit.setdefault(literals.bits[literal], (literal, []))[1].append(regex)

    def search(self, low: str, found: int | None = None) -> bool:
        """Does an entry fire on ``low``; ``found``: the mask of the literals ``low`` contains."""
        if found is not None:
            hits = found & self.mask
            while hits:
                bit = hits & -hits  # the lowest bit set
                hits ^= bit
                for regex in self.by_bit[bit][1]:
                    if regex is None or regex.search(low):
                        return True
            return False
        for literal, regex in self.flat_ascii if low.isascii() else self.flat:
            if literal in low and (regex is None or regex.search(low)):
                return True
        return False

    def search_part(self, low: str, whole: int) -> bool:
        """``search`` on a part (a sentence) of a text whose literals are ``whole``: only those are
        looked for (a literal the text lacks, its parts lack)."""
        hits = whole & self.mask
        while hits:
            bit = hits & -hits
            hits ^= bit
            literal, regexes = self.by_bit[bit]
            if literal in low:
                for regex in regexes:
                    if regex is None or regex.search(low):
                        return True
        return False

    def spans(self, low: str, found: int | None = None) -> list[tuple[int, int]]:
        """Where the entries fire: each regex match, or each literal of an entry without a regex."""
        spans = []
        for i, (literals, regex) in enumerate(self.entries):
            if found & self.masks[i] if found is not None else any(literal in low for literal in literals):
                if regex is not None:
                    spans.extend(m.span() for m in regex.finditer(low))
                else:
                    for literal in literals:
                        start = low.find(literal)
                        while start >= 0:
                            spans.append((start, start + len(literal)))
                            start = low.find(literal, start + 1)
        return spans

    def positions(self, low: str, found: int | None = None) -> list[int]:
        return [start for start, _ in self.spans(low, found)]


# The gates applied to whole answers (and the prefilter to their sentences) share one literal finder.
_BATCHED = ("prefilter", "holding_cues", "other_cues", "disclosure_cues", "pointer_cues")
LITERALS = _Literals(literal for key in _BATCHED for entry in RULES[key] for literal in entry["literals"])
PREFILTER_CUES = _Gated(RULES["prefilter"], LITERALS)
HOLDING_CUES = _Gated(RULES["holding_cues"], LITERALS)
OTHER_CUES = _Gated(RULES["other_cues"], LITERALS)
DISCLOSURE_CUES = _Gated(RULES["disclosure_cues"], LITERALS)
TABLE_CUES = _Gated([e for e in RULES["disclosure_cues"] if e.get("table")], LITERALS)  # a stated table, where it is
POINTER_CUES = _Gated(RULES["pointer_cues"], LITERALS)
_REPORTED = _Gated(RULES["reported_cues"])


def _alternation(patterns: Iterable[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


_PROCEDURAL_RE = _alternation(RULES["procedural_cues"])
_PROCEDURAL_GATES = tuple(RULES["procedural_gates"])
_SENSITIVE_CUES = tuple(RULES["sensitivity_cues"])


def procedural(low: str) -> bool:
    """The (lower-case) sentence describes the cost limit or how questions are answered."""
    return any(g in low for g in _PROCEDURAL_GATES) and _PROCEDURAL_RE.search(low) is not None


_DEIXIS = _alternation(RULES["answer_deixis"])
_CAVEAT = _alternation(RULES["caveat_cues"])
# A sentence that refuses outright is never a caveat, whatever else it says about the data.
_REFUSES_OUTRIGHT = re.compile(
    r"\b(?:cannot|can ?not|could not|unable|not (?:be )?(?:possible|able|available|held|provided|released|given))\b|"
    r"disproportionate|withh[eo]ld"
)


def caveat(low: str) -> bool:
    """The (lower-case) sentence describes the standing of figures ("from live operational
    databases and not published data", "subject to change"), and does not refuse outright."""
    return _CAVEAT.search(low) is not None and _REFUSES_OUTRIGHT.search(low) is None


QUESTION_TIMING = re.compile(RULES["question_timing"])


def prefilter(answer_text: str | None) -> bool:
    """True when the answer may contain a refusal phrase and needs the spaCy stage."""
    return bool(answer_text) and PREFILTER_CUES.search(answer_text.lower())


# --------------------------------------------------------------------------------------------
# spaCy stage: token patterns from the patterns file, compiled for spaCy's Matcher

_QUANTIFIER = re.compile(r"^(?P<body>.+?)(?P<op>\?|\*|\+|\{\d*,?\d*\})?$")
# Words too common to decide which patterns a sentence needs (see pattern_anchor).
_COMMON = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "this",
        "that",
        "these",
        "those",
        "by",
        "at",
        "as",
        "with",
        "from",
        "not",
        "n't",
        "n’t",
        "no",
        "will",
        "would",
        "can",
        "could",
        "may",
        "might",
        "should",
        "shall",
        "do",
        "does",
        "did",
        "has",
        "have",
        "had",
        "'s",
        "’s",
        "its",
        "their",
        "there",
        "only",
        "any",
        "such",
    ]
)


def _token_words(body: str, word_lists: dict[str, list[str]], pattern: str) -> list[str]:
    words: list[str] = []
    for alternative in body.split("|"):
        if alternative.startswith("@"):
            if alternative[1:] not in word_lists:
                raise ValueError(f"unknown word list {alternative} in pattern {pattern!r}")
            words.extend(word_lists[alternative[1:]])
        else:
            words.append(alternative.lower())
    return list(dict.fromkeys(words))


def _pattern_tokens(pattern: str) -> Iterator[tuple[str, str | None]]:
    """The (body, quantifier) of each token of a pattern string; a malformed token is a ValueError."""
    for item in pattern.split():
        m = _QUANTIFIER.match(item)
        if m is None:
            raise ValueError(f"bad token {item!r} in pattern {pattern!r}")
        yield m.group("body"), m.group("op")


def compile_pattern(pattern: str, word_lists: dict[str, list[str]]) -> list[dict[str, Any]]:
    """One pattern string (see the patterns file's ``_about``) as a spaCy Matcher token pattern."""
    tokens = []
    for body, op in _pattern_tokens(pattern):
        if body == "_":
            spec: dict[str, Any] = {}
        else:
            words = _token_words(body, word_lists, pattern)
            spec = {"LOWER": words[0]} if len(words) == 1 else {"LOWER": {"IN": words}}
        if op:
            spec["OP"] = op
        tokens.append(spec)
    return tokens


def required_words(pattern: str, word_lists: dict[str, list[str]]) -> list[frozenset[str]]:
    """For each token every match of ``pattern`` contains (not optional, not a wildcard), its words."""
    found = []
    for body, op in _pattern_tokens(pattern):
        if body == "_" or (op and op != "+" and not re.fullmatch(r"\{[1-9]\d*,?\d*\}", op)):
            continue
        found.append(frozenset(_token_words(body, word_lists, pattern)))
    if not found:
        raise ValueError(f"pattern {pattern!r} has no required token")
    return found


def pattern_anchor(pattern: str, word_lists: dict[str, list[str]]) -> frozenset[str]:
    """The words of the rarest token every match of ``pattern`` contains: a sentence without any
    of them cannot match it. Rarest: fewest common words, then fewest words."""
    return min(required_words(pattern, word_lists), key=lambda words: (len(words & _COMMON), len(words)))


def _flag_word_sets(vocab, patterns: list[list[dict[str, Any]]]) -> dict[frozenset[str], int]:
    """A lexeme flag for each word set (``{"LOWER": {"IN": [...]}}``) of ``patterns``, as many as
    spaCy has free flag bits: the Matcher checks a flag in C, but calls Python (and makes a Token)
    for an IN set at every token it tries. Sets that start a pattern come first (they are tried at
    every token of a sentence), then the most used."""
    from spacy.attrs import LOWER

    uses: dict[frozenset[str], list[int]] = {}
    for tokens in patterns:
        for position, token in enumerate(tokens):
            if isinstance(token.get("LOWER"), dict):
                counts = uses.setdefault(frozenset(token["LOWER"]["IN"]), [0, 0])
                counts[0] += position == 0
                counts[1] += 1
    ranked = sorted(uses, key=lambda words: (-uses[words][0], -uses[words][1], sorted(words)))
    free = [bit for bit in range(1, 64) if bit not in vocab.lex_attr_getters]
    lower = vocab.lex_attr_getters[LOWER]  # the flag is true exactly when the token's LOWER is in the set
    flags = {}
    for words, bit in zip(ranked, free, strict=False):  # the rest stay IN sets
        flags[words] = vocab.add_flag(lambda orth, words=words: lower(orth) in words, flag_id=bit)
    return flags


def _flagged(token: dict[str, Any], flags: dict[frozenset[str], int]) -> dict[str, Any]:
    """``token`` with its IN set replaced by the set's lexeme flag, when it has one."""
    lower = token.get("LOWER")
    if not isinstance(lower, dict) or frozenset(lower["IN"]) not in flags:
        return token
    flagged: dict[Any, Any] = {k: v for k, v in token.items() if k != "LOWER"}
    flagged[flags[frozenset(lower["IN"])]] = True
    return flagged


@dataclass(frozen=True)
class _Rule:
    category: str
    key: str
    requires: frozenset[int] | None  # hashes of the words one of which the sentence must have


class Engine:
    """The spaCy stage: the tokenizer of spacy.blank("en"), and Matchers built from the rules."""

    def __init__(self, rules: dict[str, Any]):
        import spacy

        self.nlp = spacy.blank("en")
        lists = rules["word_lists"]
        self.order = {c: i for i, c in enumerate(rules["category_order"])}
        patterns: list[tuple[str, list[dict[str, Any]]]] = []
        self.rules: dict[str, _Rule] = {}
        strings = self.nlp.vocab.strings
        self.by_word: dict[int, list[int]] = {}  # hash of an anchor word -> pattern indices
        self.required: list[list[frozenset[int]]] = []  # per pattern: word sets each match has one of
        for category, entries in rules["categories"].items():
            if category not in CATEGORIES:
                raise ValueError(f"unknown category {category} in the patterns file")
            for i, entry in enumerate(entries):
                spec = entry if isinstance(entry, dict) else {"pattern": entry}
                key = f"{category}:{i}"
                index = len(patterns)
                patterns.append((key, compile_pattern(spec["pattern"], lists)))
                requires = spec.get("requires")
                self.rules[key] = _Rule(
                    category, key, frozenset(strings.add(w) for w in lists[requires]) if requires else None
                )
                for word in pattern_anchor(spec["pattern"], lists):
                    self.by_word.setdefault(strings.add(word), []).append(index)
                self.required.append(
                    [frozenset(strings.add(w) for w in words) for words in required_words(spec["pattern"], lists)]
                )
        self.anchors = frozenset(self.by_word)
        self.deciding = frozenset().union(*(words for required in self.required for words in required))
        self._selected: dict[frozenset[int], frozenset[int]] = {}
        flags = _flag_word_sets(self.nlp.vocab, [tokens for _, tokens in patterns])
        self.patterns = [(key, [_flagged(token, flags) for token in tokens]) for key, tokens in patterns]
        self._matchers: dict[frozenset[int], Any] = {}

    def select(self, words: set[int]) -> frozenset[int]:
        """The patterns a sentence with ``words`` (hashes of its LOWERs) can match: those whose anchor
        and other required words it has. Cached by the words of the sentence that decide it."""
        deciding = self.deciding.intersection(words)
        indices = self._selected.get(deciding)
        if indices is None:
            if len(self._selected) > 65536:
                self._selected.clear()
            indices = self._selected[deciding] = frozenset(
                i
                for w in self.anchors.intersection(deciding)
                for i in self.by_word[w]
                if not any(required.isdisjoint(deciding) for required in self.required[i])
            )
        return indices

    def matcher(self, indices: frozenset[int]):
        """A Matcher with the patterns ``indices`` (cached: sentences share a few hundred sets)."""
        matcher = self._matchers.get(indices)
        if matcher is None:
            from spacy.matcher import Matcher

            if len(self._matchers) > 4096:
                self._matchers.clear()
            # not validated: spaCy's pattern schema does not know lexeme flags (tests check the
            # patterns before _flagged, and that flagged and plain ones match alike)
            matcher = self._matchers[indices] = Matcher(self.nlp.vocab, validate=False)
            for index in sorted(indices):
                key, tokens = self.patterns[index]
                matcher.add(key, [tokens])
        return matcher

    def phrases(self, doc, text: str, question_timing: bool) -> list[tuple[int, int, str]]:
        """The refusal phrases of one sentence (``doc`` of ``text``), overlaps resolved: (start, end,
        category), character offsets in the sentence."""
        words = set(doc.to_array("LOWER").tolist())  # the hashes of the tokens' LOWERs, no Token made
        indices = self.select(words)
        if not indices:
            return []
        matches = self.matcher(indices)(doc)
        if not matches:
            return []
        low = text.lower()
        if (procedural(low) and not _DEIXIS.search(low)) or _REPORTED.search(low):
            return []  # the sentence describes the cost limit, how questions are answered, or other answers
        sensitive = any(c in low for c in _SENSITIVE_CUES)
        strings = self.nlp.vocab.strings
        kept = []
        for match_id, start, end in matches:
            rule = self.rules[strings[match_id]]  # the Matcher reports the hash of the pattern's key
            if rule.category == "will_publish" and question_timing:
                continue
            if rule.requires is not None and rule.requires.isdisjoint(words):
                continue
            category = "other" if rule.category == "not_available" and sensitive else rule.category
            kept.append((start, end, category))
        # Overlapping (or touching) phrases of one category merge ("is not held" + "not held
        # centrally"); overlapping phrases of different categories resolve to the longer one ("not
        # held in the format requested" over "is not held"), then to the more specific.
        kept.sort(key=lambda k: (k[2], k[0], k[1]))
        merged: list[tuple[int, int, str]] = []
        for item in kept:
            if merged and merged[-1][2] == item[2] and item[0] <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], item[1]), item[2])
            else:
                merged.append(item)
        merged.sort(key=lambda k: (-(k[1] - k[0]), self.order[k[2]], k[0]))
        taken: set[int] = set()
        found = []
        for start, end, category in merged:
            if taken.isdisjoint(range(start, end)):
                taken.update(range(start, end))
                span = doc[start:end]
                found.append((span.start_char, span.end_char, category))
        return found


@lru_cache(maxsize=1)
def engine() -> Engine:
    """The spaCy stage, built on first use (importing spaCy takes most of a second)."""
    return Engine(RULES)
