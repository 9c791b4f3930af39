"""The bench's management commands, run by `python -m benchmarks` (see benchmarks/__main__.py)."""
