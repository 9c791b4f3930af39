"""The portal's bench and its load-test data, outside the installed apps.

`python -m benchmarks bench …` (what `make bench` runs) and `python -m benchmarks seed_bulk …`
(a large deterministic catalogue). Nothing in the portal imports this package.
"""
