"""JSON from files and upstreams, with its nesting bounded.

Python's ``json`` recurses once a level (``RecursionError`` past about 1,000 levels), orjson reads
at most 1,024 and writes at most 254, and a record is stored as JSON: a value nested deeper than
any real record (``MAX_DEPTH``) is refused as not valid JSON (``ValueError``), so that it neither
stops a run with a traceback nor fails later, when it is stored.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 100  # API records nest about 5 deep
_TOO_DEEP = f"nested more than {MAX_DEPTH} levels deep"


def loads(data: str | bytes, **options: Any) -> Any:
    """``json.loads(data, **options)``, raising ValueError (not RecursionError) for JSON nested
    more than ``MAX_DEPTH`` deep."""
    try:
        value = json.loads(data, **options)
    except RecursionError:
        raise ValueError(_TOO_DEEP) from None
    return bounded(value)


def bounded(value: Any) -> Any:
    """``value`` if its lists and objects nest at most ``MAX_DEPTH`` deep, else ValueError
    (walked without recursion)."""
    stack = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError(_TOO_DEEP)
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return value
