"""Reading an FOI letter as a letter: the boilerplate every reply carries, and the request it restates.

A reply is mostly form: an address block, "Thank you for your email of ...", the sections of the
Act, the internal review and Information Commissioner paragraphs, "Yours sincerely". The
information asked for is in a sentence or two, often the request restated ("... requesting the
following information: ..."). :func:`is_boilerplate` tells the form from the rest (the sentences
the matcher reads for the subject's terms and the evidence leave it out; the letter as stored and
shown keeps it); :func:`restated_request` reads the request back from a letter whose request text
was not kept (a researcher's own files, a disclosure log).

The phrases are data: ``boilerplate`` and ``restated_request`` in ``data/match_lexicon.json``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .terms import LEXICON

SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"“£])|\n+")

_BOILERPLATE = re.compile("|".join(re.escape(p.lower()) for p in LEXICON["boilerplate"]))
_RESTATED = re.compile(
    r"(?:" + "|".join(re.escape(p) for p in LEXICON["restated_request"]) + r")\s*(?:for\s*)?[:\-–—]?\s*",
    re.IGNORECASE,
)
# where a restated request ends: the reply proper begins
_REQUEST_END = re.compile(
    r"\n\s*\n|(?:^|\s)(?:I am treating|I am writing|Your request (?:has been|is being|was) handled"
    r"|We (?:can|are able to) confirm|I can confirm|This (?:request )?has been handled|We have now|I am pleased)",
    re.IGNORECASE,
)
REQUEST_CHARS = 1500  # of a letter, at most this much is read back as its request


def is_boilerplate(sentence: str) -> bool:
    """Whether a sentence of a reply is its form (greeting, the Act, review and complaint
    rights, address and signature) rather than what was asked or given."""
    return bool(_BOILERPLATE.search(sentence.lower()))


def sentences(text: str) -> Iterator[tuple[int, str]]:
    """(offset, sentence) of a text: split after a full stop before a capital, and at line breaks."""
    start = 0
    for m in SENTENCE.finditer(text):
        if m.start() > start:
            yield start, text[start : m.start()]
        start = m.end()
    if start < len(text):
        yield start, text[start:]


def substance(text: str) -> str:
    """A letter without its form: the sentences that are not boilerplate, and of those that are,
    the request they restate ("Thank you for your email of 7 July, in which you ask for the number
    of ..." keeps "the number of ...")."""
    kept = []
    for _, sentence in sentences(text):
        if not is_boilerplate(sentence):
            kept.append(sentence)
        elif request := restated_request(sentence):
            kept.append(request)
    return "\n".join(kept)


def restated_request(letter: str) -> str:
    """The request as the letter restates it ("Thank you for your email of 28 January requesting
    the following information: '...'"), or "" when it restates none."""
    found = _RESTATED.search(letter[:6000])
    if found is None:
        return ""
    rest = letter[found.end() : found.end() + REQUEST_CHARS]
    end = _REQUEST_END.search(rest, 1)
    return (rest[: end.start()] if end else rest).strip(" \n\"“”'")
