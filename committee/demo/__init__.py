"""Demo data: `manage.py seed_demo` (the load-test catalogue is in benchmarks/bulk.py)."""
