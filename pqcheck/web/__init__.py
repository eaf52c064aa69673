"""The web interface (``pqcheck serve``)."""

DEFAULT_PORT = 8017  # not Datasette's 8001, so that both can run side by side
