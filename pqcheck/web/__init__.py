"""The web interface (``pqcheck serve``)."""
