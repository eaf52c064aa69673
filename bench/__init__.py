"""Benchmarks and quality measures of pqcheck, run from the repository root as ``python -m bench.NAME``."""
