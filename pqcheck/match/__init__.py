"""Pairing refusals with FOI disclosures (and with other answers, and ministers' statements in
debates, that gave the figures).

For each refusal (``refusals.label`` is ``refusal`` or ``partial``) :func:`match_db` looks for FOI
requests from the same canonical department (its agencies included; a local body's are no
department's) dated from ``days_before`` days before to ``days_after`` days after the written answer
(ten years by default: inside that, time is a score that prefers close ones, never a cut), that
released figures on the subject the answer declined to give; and for written answers from the same
department in the same window that gave figures on it (labelled ``disclosure`` or ``partial``; or,
ranked below those, a refusal or an "other" answer whose figures are on the subject); and for
contributions in debates (Hansard, ``contributions``) of the same department in the same window
that gave figures on it (evidence kind ``statement``, scored as an answer).

The steps, one module each:

- ``terms``: the subject's terms, from ``refusals.subject_terms`` (most specific first; from the
  subject text when the list is empty), each with its other derived form when porter keeps them
  apart (detention/detained) and the departmental jargon for it (trafficking / National Referral
  Mechanism), from the word lists of ``data/match_lexicon.json``; a phrase of those lists that the
  subject holds is one term in place of its words ("attempted suicides", which "self-harm" also
  matches);
- ``retrieval``: the candidates (never an all-pairs scan): four FTS5 queries ranked by bm25,
  restricted to the department and the window, merged by reciprocal rank and cut at
  ``options.candidates``: that many targets, at most, are examined per refusal;
- ``scoring``: cheap signals (the title and request text) rank all the candidates first; the best
  ``POOL`` of them (and the two best of each list, and an answer labelled a refusal or "other"
  that would be among them but for its aside factor) get the full score, every contribution
  stored in ``reasons``; an answer whose text (with figures) is one already in the pool is left
  out (``run.distinct_texts``: one text given to several questions is one disclosure);
  a question's enumerated alternatives ("(a) attendance allowance, (b) employment support
  allowance and (c) universal credit") are read one at a time for the lead term: it is never a
  term of only some of them, and a target holding half of one reading is exempt from its penalty;
- ``letters``: an FOI reply read as a letter: its form (greeting, the Act, review rights, address)
  left out of what is read for the subject, and the request it restates read back when the request
  text was not stored;
- ``evidence``: the figures and pages of that pool are read, in a few statements, and each
  candidate's evidence chosen: a group of figures, or the sentence that best matches the subject;
- ``run``: the best ``options.keep`` whose score before the denial factor reaches
  ``options.min_score`` are kept, and up to ``SAID_EXTRA`` more answers and statements in debates
  (what the department itself said to Parliament), and every pair that has a review (a re-run
  never drops a reviewed pair), and written to ``matches``, in-process or by worker processes.

A phrase's rows are read from its FTS5 index once per process (``phrases``); a refusal reads its
department's part of them, and everything else done per refusal is bounded by ``options.candidates``.

Choices:

- the FOI's date is ``date_responded``, else ``date_requested``, with its precision: an FOI dated
  to a month, a year or a financial year is compared by its span (``date_end`` its last day); an
  FOI with no date is considered only when ``options.include_undated`` (the default), with an
  ``undated`` penalty and no ``time_relation``;
- the target of a match is the FOI *request* (its evidence is one document and page) or the other
  question;
- a re-run replaces each refusal's matches: rows no longer produced are deleted, ``reviews`` are
  never touched; a full run also removes the matches of questions that are no longer refusals.

``Matcher``, ``load_refusals``, ``day`` and the FTS5 queries the candidate search reproduces
(``REQUEST_SQL``, ``PAGE_SQL``, ``ANSWER_SQL``) are the seam bench uses to time and check one
refusal's match.
"""

from .options import DEFAULT_OPTIONS, MatchOptions
from .retrieval import ANSWER_SQL, PAGE_SQL, REQUEST_SQL
from .run import Matcher, MatchStats, load_refusals, match_db, match_id
from .terms import MATCHER_VERSION, day

__all__ = [
    "ANSWER_SQL",
    "DEFAULT_OPTIONS",
    "MATCHER_VERSION",
    "PAGE_SQL",
    "REQUEST_SQL",
    "MatchOptions",
    "MatchStats",
    "Matcher",
    "day",
    "load_refusals",
    "match_db",
    "match_id",
]
