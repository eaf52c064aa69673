"""A pair in words: the matcher's reasons as readable lines, and where the figures are in the
evidence (the spans to highlight)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _find_whole(text: str, needle: str) -> Iterable[tuple[int, int]]:
    """Each place ``needle`` stands alone in ``text``: not inside a word or a longer number (so 50
    is not found in 507, 1,050 or 2.50)."""
    at = text.find(needle)
    while at >= 0:
        end = at + len(needle)
        before = at > 0 and (_word_char(text[at - 1]) or (at > 1 and text[at - 1] in ".," and text[at - 2].isdigit()))
        after = end < len(text) and (
            _word_char(text[end]) or (end + 1 < len(text) and text[end] in ".," and text[end + 1].isdigit())
        )
        if not before and not after:
            yield at, end
            at = text.find(needle, end)
        else:
            at = text.find(needle, at + 1)


def figure_spans(text: str, figures: list[dict[str, Any]]) -> tuple[list[tuple[int, int]], list[dict[str, Any]]]:
    """Where each figure's text is in ``text``, and the figures that are not there."""
    spans, missing = [], []
    for figure in figures:
        needle = str(figure.get("text") or "").strip()
        if not needle:
            continue
        found = list(_find_whole(text, needle))
        if found:
            spans.extend(found)
        else:
            missing.append(figure)
    return spans, missing


_NAME_KEYS = ("term", "rule", "name", "id", "text", "label")
_WEIGHT_KEYS = ("weight", "contribution", "score", "points", "value")
_TERM_KEYS = ("terms", "matched_terms")
# matcher internals (retrieval ranks, the FTS query) and what the section shows anyway (the
# department): the JSON keeps them, the markdown leaves them out
_REASONS_HIDDEN = frozenset({"retrieval", "query", "terms_source", "department"})


def _label(key: Any) -> str:
    return str(key).replace("_", " ")


def number_text(value: Any) -> str:
    """A number in a reason or a figure: three significant figures (big ones whole, with commas)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


def _int_runs(values: list[int], sep: str) -> str:
    """[2015, 2016, 2017, 2019] -> '2015–2017, 2019'."""
    runs: list[list[int]] = []
    for value in values:
        if runs and value == runs[-1][1] + 1:
            runs[-1][1] = value
        else:
            runs.append([value, value])
    return sep.join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


def _reason_value(value: Any, sep: str = ", ") -> str:
    """A reason's value in words: lists joined with ``sep``, weights in brackets, objects flattened
    as 'key value, key value' (their lists joined with '/')."""
    if isinstance(value, dict):
        return ", ".join(
            f"{_label(key)} {_reason_value(v, '/')}"
            if not isinstance(v, dict)
            else f"{_label(key)}: {_reason_value(v)}"
            for key, v in value.items()
            if v is not None and v != [] and v != {}
        )
    if isinstance(value, list):
        if value and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return _int_runs(sorted(value), sep)
        items = []
        for item in value:
            if isinstance(item, dict):
                name = next((item[k] for k in _NAME_KEYS if item.get(k) is not None), None)
                weight = next((item[k] for k in _WEIGHT_KEYS if item.get(k) is not None), None)
                if name is not None:
                    items.append(f"{name} ({number_text(weight)})" if weight is not None else str(name))
                    continue
            items.append(_reason_value(item))
        return sep.join(items)
    return number_text(value) if value is not None else "none"


def _describe_terms(terms: Any) -> str:
    """'matched terms: trafficking (title, evidence), detention; not found: victims'."""
    if not isinstance(terms, list) or not all(isinstance(t, dict) and "term" in t for t in terms):
        return f"matched terms: {_reason_value(terms)}"
    found, missing = [], []
    for hit in terms:
        if hit.get("credit", 1) or hit.get("where"):
            where = hit.get("where") or []
            found.append(f"{hit['term']} ({', '.join(map(_label, where))})" if where else str(hit["term"]))
        else:
            missing.append(str(hit["term"]))
    text = f"matched terms: {', '.join(found) or 'none'}"
    return text + (f"; not found: {', '.join(missing)}" if missing else "")


def _describe_rule(name: str, rule: Any) -> str:
    """'period +0.10 (asked 2015–2019, target 2018, value 1)' or 'same department +0.20'."""
    if isinstance(rule, int | float) and not isinstance(rule, bool):
        return f"{_label(name)} {rule:+.2f}"
    if isinstance(rule, dict) and isinstance(rule.get("contribution"), int | float):
        details = _reason_value({k: v for k, v in rule.items() if k != "contribution"})
        return f"{_label(name)} {rule['contribution']:+.2f}" + (f" ({details})" if details else "")
    return f"{_label(name)}: {_reason_value(rule)}"


def describe_reasons(reasons: Any) -> list[str]:
    """The matcher's reasons as readable lines (plain text): matched terms, then rules with their
    contributions to the score, then anything else it recorded."""
    if not isinstance(reasons, dict):
        return [] if reasons in (None, [], "") else [_reason_value(reasons)]
    lines = []
    for key, value in reasons.items():
        if key in _REASONS_HIDDEN or value in (None, [], {}):
            continue
        if key in _TERM_KEYS:
            lines.append(_describe_terms(value))
        elif key == "rules" and isinstance(value, dict):
            lines.append("rules: " + "; ".join(_describe_rule(n, r) for n, r in value.items()))
        else:
            lines.append(f"{_label(key)}: {_reason_value(value)}")
    return lines
