"""The real labelled answers in fixtures/real and the measure made from them (bench/quality.py)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from bench import quality, quality_real_pairs


@pytest.fixture(scope="module")
def own():
    return quality.load(quality.OWN_PATH)


def test_the_real_set_is_whole_and_labelled_by_the_definitions(own):
    assert len(own) >= 500
    assert len({r["id"] for r in own}) == len(own)
    assert all(r["source_url"].startswith(("https://", "http://")) for r in own)
    assert set(Counter(r["label"] for r in own)) == set(quality.GOLD_LABELS)
    assert {r["category"] for r in own if r["label"] == "non_disclosure"} == set(quality.GOLD_CATEGORIES)


def test_a_record_with_a_label_outside_the_definitions_is_refused(tmp_path):
    path = tmp_path / "bad.jsonl"
    good = {"id": "X1", "source_url": "https://example.org/q", "answer_text": "It is not held.", "label": "other"}
    path.write_text(json.dumps(good) + "\n" + json.dumps({**good, "id": "X2", "label": "refusal"}) + "\n")
    with pytest.raises(ValueError, match=r"bad.jsonl:2: label 'refusal'"):
        quality.load(path)
    path.write_text(json.dumps({**good, "label": "non_disclosure", "category": None}) + "\n")
    with pytest.raises(ValueError, match="category None does not fit"):
        quality.load(path)


def test_the_halves_are_stable_and_both_hold_every_label(own):
    dev = [r for r in own if quality.half(r["id"]) == "dev"]
    held = [r for r in own if quality.half(r["id"]) == "held-out"]
    assert len(dev) + len(held) == len(own) and abs(len(dev) - len(held)) < len(own) * 0.2
    assert quality.half("RA001") == quality.half("RA001")
    for part in (dev, held):
        assert set(Counter(r["label"] for r in part)) == set(quality.GOLD_LABELS)


def test_the_scores_count_as_the_held_out_set_is_scored(monkeypatch):
    """refusal counts as a non_disclosure; refusal or partial for recall; partial disclosures apart."""

    class Said:
        def __init__(self, label):
            self.label, self.category, self.phrase = label, None, None

    said = ["refusal", "partial", "refusal", "partial", "disclosure", "refusal", "other"]
    gold = ["non_disclosure", "non_disclosure", "non_disclosure", "disclosure", "disclosure", "other", "other"]
    monkeypatch.setattr(quality, "classify_many", lambda pairs: [Said(label) for label in said])
    records = [{"id": str(i), "answer_text": "x", "label": g} for i, g in enumerate(gold)]
    q = quality.measure(records)
    assert (q.refusal_precision, q.refusal_recall, q.refusing_recall) == (0.667, 0.667, 1.0)
    assert q.disclosures_partial == 0.5
    assert [e["id"] for e in q.errors] == ["1", "5"]


def test_the_classifier_does_not_fall_below_what_it_reached_on_real_answers(own):
    """A floor, not the target: a change that loses quality on real text fails here."""
    # refusals-13 on 4,112 answers (the SO to SW batches in, measured blind at 0.89 precision together): 0.878,
    # 0.871, 0.790, 0.116; on the 3,430 before them 0.874, 0.883, 0.801, 0.115 (refusals-12 there: 0.872, 0.874,
    # 0.792, 0.112; refusals-11 on 2,715: 0.883, 0.894, 0.817, 0.104; refusals-8 on 1,142: 0.898, 0.931, 0.862, 0.099)
    q = quality.measure(own)
    assert q.refusal_precision >= 0.87
    assert q.refusing_recall >= 0.86  # 0.88 before the SO to SW batches (blind 0.72 to 0.83 each)
    assert q.refusal_recall >= 0.78  # 0.80 before them (blind 0.58 to 0.80 each)
    assert q.disclosures_partial <= 0.12  # 0.115 before them (blind 0.00 to 0.24 each)


def test_the_matcher_does_not_fall_below_what_it_reached_on_real_documented_pairs():
    """A floor, not the target (recall@3 0.90): the real documented pairs through the whole pipeline.
    Several of pqcheck's own pairs have a refusal of the shared set (A170, A122, A123), so it needs it."""
    if not quality_real_pairs.SHARED.is_dir():
        pytest.skip(f"the shared dev set is not at {quality_real_pairs.SHARED}")
    found, top = quality_real_pairs.evaluate()
    sets = quality_real_pairs.measure(found)
    assert sets["shared realdata (dev)"].at3 >= 1.0
    # match-1.10 with refusals-13: 0.81 on 31 pairs, 0.55 on 29 (match-1.9 with refusals-12: 0.82 on 28, 0.57 on 28;
    # the four new pairs, two found blind, and the 680 answers of the SO to SW batches in the haystack, which pushed
    # two of RP001's disclosures out until one text's copies counted once; match-1.8: 0.82, 0.54; match-1.7: 0.75, 0.50)
    assert sets["fixtures/real dev"].at3 >= 0.78
    assert sets["fixtures/real held-out"].at3 >= 0.53
    # the pairs documented by a third party or plainly of one measure: 0.92 on 26 (0.96 on 25 before the four new
    # pairs; the own readings of neighbouring items, other periods or areas: 0.50 on 34)
    assert quality_real_pairs.measure(found, quality_real_pairs.by_confidence)["fixtures/real, high/medium"].at3 >= 0.92
    assert sum(1 for t in top if t["wrong"]) <= 2


def test_pairs_are_also_measured_by_how_they_were_documented():
    """Both halves of fixtures/real together, high and medium confidence apart from low; the shared set stays apart."""
    found = [
        {"set": "shared realdata (dev)", "confidence": "low", "rank": 1, "missed": None},
        {"set": "fixtures/real dev", "confidence": "high", "rank": 2, "missed": None},
        {"set": "fixtures/real held-out", "confidence": "medium", "rank": None, "missed": "not among its pairs"},
        {"set": "fixtures/real held-out", "confidence": "low", "rank": 4, "missed": None},
    ]
    groups = quality_real_pairs.measure(found, quality_real_pairs.by_confidence)
    assert list(groups) == ["shared realdata (dev)", "fixtures/real, high/medium", "fixtures/real, low"]
    assert (groups["fixtures/real, high/medium"].pairs, groups["fixtures/real, high/medium"].at3) == (2, 0.5)
    assert groups["fixtures/real, low"].missed == {"ranked 4": 1}


def test_a_refusal_s_other_documented_disclosures_do_not_push_one_down():
    """The filtered rank: a refusal with five documented disclosures could otherwise hold at most three in
    its top 3."""
    real = quality_real_pairs.RealSet(pairs=[{"answer_id": "A", "foi_id": f, "set": "s"} for f in ("F1", "F2")])
    assert quality_real_pairs.filtered_rank(real, real.pairs[1], ["F1", "X", "F2"]) == 2
    assert quality_real_pairs.filtered_rank(real, real.pairs[0], ["X", "Y", "F2"]) is None


def test_a_copy_of_a_documented_disclosure_is_that_disclosure():
    """The same written answer stored twice (the shared set's S006 and pqcheck's RF023): either copy is the
    documented disclosure, and a copy of another documented one does not push it down."""
    real = quality_real_pairs.RealSet(
        fois=[
            {"id": "F1", "response_text": "At its peak, around 400 hotels were in use."},
            {"id": "C1", "response_text": "At its peak,  around 400 hotels were in use. "},
            {"id": "F2", "response_text": "In 2018, 507 people were detained."},
            {"id": "C2", "response_text": "In 2018, 507 people were detained."},
            {"id": "X", "response_text": "Another letter."},
        ],
        pairs=[{"answer_id": "A", "foi_id": f, "set": "s"} for f in ("F1", "F2")],
    )
    assert quality_real_pairs.filtered_rank(real, real.pairs[0], ["X", "C1", "F1"]) == 2
    assert quality_real_pairs.filtered_rank(real, real.pairs[1], ["C1", "X", "C2"]) == 2
    assert quality_real_pairs.filtered_rank(real, real.pairs[1], ["X", "F1"]) is None


def test_the_classifier_does_not_fall_below_what_it_reached_on_the_shared_dev_set():
    """The same floor on ../shared/realdata (read at test time, never copied here)."""
    if not quality.SHARED_PATH.is_file():
        pytest.skip(f"the shared dev set is not at {quality.SHARED_PATH}")
    q = quality.measure(quality.load(quality.SHARED_PATH))  # refusals-6: 0.952, 1.0, 0.952, 0.056
    assert q.refusal_precision >= 0.95
    assert q.refusing_recall >= 0.98
    assert q.refusal_recall >= 0.95
    assert q.disclosures_partial <= 0.06
