"""Refusal detection: does a written answer decline to give the information, how, and about what?

Three stages, cheapest first, so that a whole database classifies at tens of thousands of answers
a second on one core:

1. The prefilter: a few literals in the lower-cased answer (found for a whole batch of answers at
   once), each confirmed by a small regular expression (``prefilter`` entries of
   ``data/refusal_patterns.json``). Most answers are not refusals and stop here; they are labelled
   ``disclosure`` or ``other`` by cues gated the same way (figures, tables, pointers to published
   statistics; holding answers, "I will write", referrals).
2. For the sentences that pass the prefilter: the tokenizer of ``spacy.blank("en")`` and a spaCy
   ``Matcher`` built from the token patterns of the same file (lower-case tokens: no trained model,
   no lemmas; word sets become lexeme flags, which the Matcher tests in C). Each sentence runs only
   the patterns whose rarest required word it contains (one Matcher per such set, built on first
   use), and a sentence repeated in a batch runs once. A match counts unless its sentence describes
   procedure (the cost limit, how questions are answered), lacks a word its pattern requires
   (``is not available`` must be about data), or the question asks when something will be published.
3. For refusals and partials: the subject and the period of the question, by rules on its words.

Labels: ``refusal`` (declines to give the information); ``partial`` (a refusal phrase, and figures
or a pointer to published figures outside the refusing sentences: the classifier cannot tell
whether the refused part is all that was asked, so any such answer is ``partial``); ``disclosure``
(gives figures or facts the question asked for, or points to where they are published); ``other``
(holding answers, "I will write", referrals, policy statements, and evasive answers that do not
refuse in so many words). Category: that of the first sentence that refuses; within a sentence,
the first in ``category_order`` (the most specific).

Where each part lives: ``rules`` (the patterns file, the cheap stage's cues and the spaCy stage),
``answers`` (sentences, figures and dates in an answer), ``subject`` (the question: does it ask for
data, its subject, terms and period; periods themselves are read by ``pqcheck.periods``),
``label`` (the label of an answer from both stages), ``run`` (the entry points and the writer of
``refusals``).
"""

from .answers import figure_positions
from .rules import CLASSIFIER_VERSION
from .run import Classification, classify, classify_db, classify_many
from .subject import extract_period

__all__ = [
    "CLASSIFIER_VERSION",
    "Classification",
    "classify",
    "classify_db",
    "classify_many",
    "extract_period",
    "figure_positions",
]
