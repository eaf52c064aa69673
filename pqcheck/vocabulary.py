"""The closed word lists every layer shares: what the classifier labels an answer, refusal
categories and their display names, kinds of evidence, review verdicts and kinds of search hit."""

from __future__ import annotations

LABELS = ("refusal", "partial", "disclosure", "other")  # the classifier's label of an answer
REFUSAL_LABELS = ("refusal", "partial")  # the labels that refuse (and so have a category)
CATEGORIES = (
    "not_held_centrally",  # not held centrally / no central record
    "not_collected",  # not collected or recorded
    "disproportionate_cost",
    "not_in_format",  # not in the format requested / would need manual review of records
    "not_available",  # not available / not published
    "will_publish",  # will be published later
    "other",
)
CATEGORY_NAMES = {
    "not_held_centrally": "not held centrally",
    "not_collected": "not collected",
    "disproportionate_cost": "disproportionate cost",
    "not_in_format": "not in the format requested",
    "not_available": "not available",
    "will_publish": "will be published",
    "other": "other",
}
EVIDENCE_NAMES = {  # a pair's evidence kind -> its name, in the order summaries list them
    "disclosure": "FOI disclosure",
    "not_held": "FOI response (not held)",
    "refused": "FOI refusal",
    "answer": "another written answer",
    "statement": "said in the Commons/Lords",
    "held_locally": "held locally (a local body's FOI, not the department's)",
}
VERDICTS = ("confirmed", "rejected", "not-comparable")
UNREVIEWED = "unreviewed"  # the verdict filter's name for pairs without a review
SEARCH_KINDS = ("pairs", "answers", "foi")  # what a search looks through
# what every view says of an answer classified on the list endpoint's text, cut at 255 characters
CUT_SHORT_NOTE = (
    "classified on text cut short: the list endpoint cut the answer at 255 characters "
    "(`pqcheck fetch details` gets the whole text)"
)
