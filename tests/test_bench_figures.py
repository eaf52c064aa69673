"""docs/performance.json: the figures bench/run.py writes beside docs/performance.md."""

from __future__ import annotations

from bench.run import figures


def result(scale: str, match_seconds: float) -> dict:
    planted = {"pairs": 50, "recall_at_1": 0.98, "recall_at_3": 1.0}
    stage = {"records": 10, "seconds": 1.5, "peak_mib": 70, "load": [1.0, 1.2], "per_second": 6.7}
    return {
        "scale": scale,
        "answers": 10_000,
        "foi": 13_333,
        "started": "2026-12-07T10:00:00",
        "ended": "2026-12-07T10:05:00",
        "machine": {"cores": 2},
        "git": {"commit": "abc123"},
        "stages": {
            "import questions": stage,
            "match": {**stage, "seconds": match_seconds, "version": "match-1.3", "planted": planted},
            "search": {**stage, "p50_ms": 12.5, "p95_ms": 48.0, "p99_ms": 60.0},
        },
        "baselines": {"regex classifier": stage},
    }


def test_figures_give_each_measured_scale_its_stages_search_and_planted_recall():
    out = figures({"10k": result("10k", 12.0)})
    assert out["not_measured"] == ["100k", "full"]
    ten = out["scales"]["10k"]
    assert ten["stages"]["match"] == {"records": 10, "seconds": 12.0, "peak_mib": 70, "load": [1.0, 1.2]}
    assert set(ten["stages"]) == {"import questions", "match", "search", "regex classifier"}
    assert ten["search"] == {"p50_ms": 12.5, "p95_ms": 48.0}
    assert ten["planted"]["recall_at_1"] == 0.98 and ten["matcher"] == "match-1.3" and ten["commit"] == "abc123"


def test_the_match_stage_alone_is_tabled_with_its_growth_a_refusal():
    from bench.run import match_only_table

    planted = {"recall_at_1": 0.9, "recall_at_3": 0.98, "recall_at_1_alike_left_out": 0.99}
    found = {
        "100k": {"records": 1_000, "seconds": 5.0, "version": "match-1.5", "peak_mib": 400, "planted": planted},
        "full": {"records": 8_000, "seconds": 48.0, "version": "match-1.5", "peak_mib": 1000, "planted": planted},
    }
    lines = match_only_table(found)
    assert lines[2].startswith("| 100k |") and "| 5.00 |" in lines[2] and "| 0.99 / – |" in lines[2]
    assert "| 6.00 |" in lines[3]
    assert lines[-1] == "full vs 100k: a refusal costs ×1.20."


def test_the_search_stage_alone_is_tabled_with_its_filtered_searches():
    from bench.run import search_only_table

    filtered = {"p50_ms": 76.1, "p95_ms": 98.9}
    found = {
        "full": {
            "records": 160,
            "p50_ms": 59.7,
            "p95_ms": 83.7,
            "p99_ms": 97.5,
            "by_query_kind": {"filtered": filtered},
            "git": {"commit": "abc1234"},
            "load": [0.78, 0.83],
        },
        "10k": {"records": 160, "p50_ms": 9.0, "p95_ms": 33.5, "p99_ms": 35.8},
    }
    lines = search_only_table(found)
    assert lines[2] == "| full |  | abc1234 | 160 | 59.7 | 83.7 | 97.5 | 76.1 / 98.9 | 0.78 → 0.83 |"
    assert "| – / – |" in lines[3]
