"""Upstream sources. Each module's ``fetch_*`` functions yield records and never touch the database."""
