"""Reports of matched pairs: markdown for researchers, CSV and JSON for tools.

INTERFACE (being implemented): other modules rely on these names.
"""
