"""Demo and load-test data: `manage.py seed_demo` and `manage.py seed_bulk`."""
