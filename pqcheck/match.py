"""Pairing refusals with FOI disclosures (and with other answers that gave the figures).

INTERFACE (being implemented): other modules rely on these names.
"""
