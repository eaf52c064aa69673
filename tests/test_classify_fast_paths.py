"""pqcheck.classify: the shortcuts that make classify_db fast give the results of the plain way
(literals found for a batch with numpy, lexeme flags in the Matcher, repeated sentences matched
once, the cheap checks before slow regular expressions, the statement that writes refusals)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bench import quality_refusals
from pqcheck.classify import answers, classify, classify_many, rules, run, subject
from pqcheck.db import TABLES, open_db

ROOT = Path(__file__).resolve().parents[1]
_PIECES = [*rules.LITERALS.bits, " ", "\n", "\0", "’", "é", "\ud800", "£", "no", "t ", "ta", "ble", "x"]


def _eval_texts() -> list[str]:
    """The questions and answers of fixtures/eval (with the real ones when their samples are here)."""
    return [
        text
        for record in quality_refusals.load_eval()
        for text in (record["question_text"], record["answer_text"])
        if text
    ]


def _scanned(texts: list[str]) -> list[int]:
    return [sum(bit for literal, bit in rules.LITERALS.bits.items() if literal in text) for text in texts]


def test_literal_finder_agrees_with_scanning_on_answers():
    texts = [text.lower() for text in _eval_texts()]
    assert len(texts) >= rules._NUMPY_FROM
    assert rules.LITERALS.find(texts) == _scanned(texts)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join), min_size=64, max_size=80))
def test_literal_finder_agrees_with_scanning_on_any_text(texts):
    """Literals at the ends of texts, split across two texts, beside non-ASCII characters, lone
    surrogates and NULs."""
    assert rules.LITERALS.find(texts) == _scanned(texts)


def test_gates_with_found_literals_agree_with_scanning():
    texts = [text.lower() for text in _eval_texts()]
    found = rules.LITERALS.find(texts)
    for gate in (rules.PREFILTER_CUES, rules.HOLDING_CUES, rules.OTHER_CUES, rules.DISCLOSURE_CUES, rules.POINTER_CUES):
        for text, mask in zip(texts, found, strict=True):
            assert gate.search(text, mask) == gate.search(text)
            assert gate.spans(text, mask) == gate.spans(text)
            for a, b in answers.sentences(text):
                assert gate.search_part(text[a:b], mask) == gate.search(text[a:b])


def test_flagged_patterns_match_like_their_word_sets():
    """The engine's Matchers (IN sets as lexeme flags) and plain ones find the same matches."""
    from spacy.matcher import Matcher

    engine = rules.engine()
    plain = Matcher(engine.nlp.vocab)
    lists = rules.RULES["word_lists"]
    for category, entries in rules.RULES["categories"].items():
        for i, entry in enumerate(entries):
            pattern = entry if isinstance(entry, str) else entry["pattern"]
            plain.add(f"{category}:{i}", [rules.compile_pattern(pattern, lists)])
    flagged = engine.matcher(frozenset(range(len(engine.patterns))))
    sentences = {text[a:b] for text in _eval_texts() for a, b in answers.sentences(text)}
    assert len(sentences) > 300
    for doc in engine.nlp.pipe(sorted(sentences)):
        assert sorted(flagged(doc)) == sorted(plain(doc)), doc.text


def test_repeated_sentences_in_a_batch_keep_their_own_offsets():
    refusal = "The information requested is not held centrally."
    question = "To ask the Secretary of State for Justice, how many prisoners were released in error in 2022."
    # figures before the refusal make it partial; after a refusal of the whole request they are related ones
    answers = [refusal, f"We take this seriously. {refusal}", f"In 2021 there were 52,000 cases. {refusal}", refusal]
    batch = classify_many([(question, answer) for answer in answers])
    assert batch == [classify(question, answer) for answer in answers]
    assert [c.start for c in batch] == [answer.index("is not held centrally") for answer in answers]
    assert [c.label for c in batch] == ["refusal", "refusal", "partial", "refusal"]


_WORDS = [*subject._TRAILING, *(w.upper() for w in subject._TRAILING), "İn", "ſo", "fo", "x", "foo", "data", *",.;:)-"]
_SPACES = [" ", "  ", "\n", "\t", "\u00a0", "\u2003", "\x1c"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS + _SPACES), max_size=14).map("".join))
def test_subject_tidying_agrees_with_its_regular_expressions(text):
    expected = subject._SPACE_BEFORE_PUNCTUATION.sub(r"\1", re.sub(r"\s+", " ", text)).strip(" ,.;:-")
    assert subject._tidy(text) == expected
    if not subject._may_end_in_short_word(text):
        assert subject._TRAILING_WORDS.search(text) is None


_PHRASES = ["that ", "who ", "There ", "HAVE been", "has", "Had", "will be", "were", "is", "Is", "been", "the ", "A ",
            "number of ", "Number Of ", "an ", "of ", "data", "ſ", "İs", "x", " ", "\n"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PHRASES), max_size=10).map("".join))
def test_subject_shortcuts_agree_with_their_regular_expressions(text):
    assert subject._without_auxiliaries(text) == subject._AUXILIARY.sub(" ", text)
    assert subject._without_leading_article(text) == subject._LEADING_ARTICLE.sub("", text)


def test_refusal_columns_are_those_of_the_refusals_table():
    pk, columns = TABLES["refusals"]
    assert run._REFUSAL_COLUMNS[0] == pk
    assert sorted(run._REFUSAL_COLUMNS) == sorted(columns)


def test_refusals_are_written_as_upsert_rows_would(tmp_path):
    db = open_db(tmp_path / "t.db")
    db.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 30)  # two rows a statement
    db["questions"].insert_all([{"id": i} for i in range(1, 6)])
    rows = [(i, "other", *[None] * 9, "v1", "t1", 0, None) for i in range(1, 6)]
    with db.conn:
        run._write_refusals(db.conn, rows)
    with db.conn:
        run._write_refusals(
            db.conn, [(2, "refusal", "other", "p", 0, 1, "s", "[]", None, None, None, "v2", "t2", 1, "(b) e-mails")]
        )
    expected = [dict(zip(run._REFUSAL_COLUMNS, row, strict=True)) for row in rows]
    expected[1].update(label="refusal", category="other", phrase="p", phrase_start=0, phrase_end=1, subject="s")
    expected[1].update(subject_terms="[]", classifier_version="v2", classified_at="t2", answer_cut_short=1)
    expected[1].update(refused_part="(b) e-mails")
    assert list(db["refusals"].rows) == expected
