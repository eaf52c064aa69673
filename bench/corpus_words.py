"""Words for the scale corpus (bench/corpus.py): refusal wordings and countable subjects.

The refusal wordings are grouped by the category pqcheck's classifier should give them; each was
checked against ``pqcheck.classify.classify`` when written (``python -m bench.corpus_words``
checks them again). ``{s}`` stands for the subject asked about. The subjects are things a
department counts, so that a question asks "how many" and an FOI disclosure gives the numbers;
they are keyed like ``generate_questions.DEPARTMENTS``.
"""

from __future__ import annotations

import sys

REFUSALS: dict[str, tuple[str, ...]] = {
    "not_held_centrally": (
        "The information requested is not held centrally.",
        "There is no central record of the number of {s}.",
        "The Department does not hold this information centrally.",
        "This information is not centrally held.",
    ),
    "not_collected": (
        "The Department does not collect data on the number of {s}.",
        "This information is not recorded.",
        "Data on {s} are not collected.",
        "The Department does not routinely record this information.",
    ),
    "disproportionate_cost": (
        "This information could only be obtained at disproportionate cost.",
        "To provide the information requested would incur disproportionate cost.",
        "The information requested could be obtained only at disproportionate cost.",
    ),
    "not_in_format": (
        "The information is not held in the format requested.",
        "The data are not broken down in the way requested.",
        "Information on {s} is not available in the format requested.",
    ),
    "not_available": (
        "The information requested is not available.",
        "Reliable data on {s} are not available.",
        "Figures for {s} are not available.",
    ),
    "will_publish": (
        "The Department will publish this information in due course.",
        "Figures for {year} will be published in the annual statistical release in the spring.",
        "This information will be published as part of the next quarterly statistics release.",
    ),
}
CATEGORIES = tuple(REFUSALS)
# wordings that read well without a subject, for refusals in the bulk of the answers
GENERIC_REFUSALS = {c: tuple(w for w in ws if "{s}" not in w) for c, ws in REFUSALS.items()}

# (heading, subject): "how many <subject>"; an FOI disclosure counts the same thing
SUBJECTS: dict[str, tuple[tuple[str, str], ...]] = {
    "home": (
        ("Human Trafficking: Detainees", "potential victims of trafficking held in immigration detention"),
        ("Asylum: Hotels", "asylum seekers accommodated in hotels"),
        ("Police: Assaults", "assaults on police officers"),
        ("Deportation: Offenders", "foreign national offenders deported"),
    ),
    "health": (
        ("NHS: Agency Nurses", "agency nurses employed by NHS trusts"),
        ("Ambulance Services: Handovers", "ambulance handovers delayed by more than one hour"),
        ("Mental Health Services: Placements", "out of area placements for mental health patients"),
    ),
    "foreign": (
        ("Consular Assistance: Detainees", "British nationals detained overseas who requested consular assistance"),
        ("Embassies: Staff", "locally engaged staff at British embassies"),
    ),
    "treasury": (
        ("Tax Evasion: Prosecutions", "prosecutions for tax evasion"),
        ("HM Revenue and Customs: Telephone Services", "calls to HMRC helplines that were not answered"),
    ),
    "education": (
        ("Pupils: Exclusions", "permanent exclusions of pupils from academies"),
        ("Teachers: Assaults", "assaults on teachers reported to the Department"),
    ),
    "work": (
        ("Universal Credit: Sanctions", "universal credit sanctions applied to disabled claimants"),
        ("Social Security Benefits: Deaths", "deaths of benefit claimants reviewed by the Department"),
    ),
    "defence": (
        ("Armed Forces: Sexual Offences", "sexual offence allegations reported to the service police"),
        ("Armed Forces: Suicide", "suicides among serving members of the armed forces"),
    ),
    "transport": (
        ("Driving Tests: Cancellations", "practical driving tests cancelled at short notice"),
        ("Railways: Assaults", "assaults on railway staff"),
    ),
    "justice": (
        ("Prisons: Drugs", "drug seizures in prisons"),
        ("Prisoners: Self-harm", "incidents of self-harm by prisoners on remand"),
        ("Prisoners' Release: Errors", "prisoners released in error"),
    ),
    "environment": (
        ("Water Companies: Sewage", "sewage spills reported by water companies"),
        ("Fly-tipping: Prosecutions", "prosecutions for fly-tipping"),
    ),
    "cabinet": (("Civil Servants: Misconduct", "civil servants dismissed for misconduct"),),
    "housing": (
        ("Homelessness: Deaths", "deaths of people sleeping rough"),
        ("Temporary Accommodation: Children", "children living in temporary accommodation"),
    ),
    "business": (("Insolvency: Directors", "company directors disqualified"),),
    "culture": (("Gambling: Complaints", "complaints about gambling operators"),),
}


def check() -> list[str]:
    """Wordings the classifier puts in another category (or none), with what it said."""
    from pqcheck.classify import classify

    subject = SUBJECTS["home"][0][1]
    question = f"To ask the Secretary of State for the Home Department, how many {subject} there were in 2019."
    wrong = []
    for category, wordings in REFUSALS.items():
        for wording in wordings:
            found = classify(question, wording.format(s=subject, year=2019))
            if found.category != category:
                wrong.append(f"{category}: {wording!r} -> {found.label} {found.category}")
    return wrong


if __name__ == "__main__":
    problems = check()
    print("\n".join(problems) or "every wording is classified in its category")
    sys.exit(1 if problems else 0)
