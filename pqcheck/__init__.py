"""pqcheck: cross-check what government tells Parliament against what it releases under FOI."""

__version__ = "0.1.0"
