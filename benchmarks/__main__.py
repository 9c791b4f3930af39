"""`python -m benchmarks COMMAND [options]`: the bench's commands, with the portal's settings.

COMMAND is `bench` (the measurements of `make bench`) or `seed_bulk` (N bulk initiatives).
They are Django management commands kept out of INSTALLED_APPS, so `manage.py` does not list
them and the portal never loads them.
"""

import importlib
import os
import sys

COMMANDS = ("bench", "seed_bulk")


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[1] not in COMMANDS:
        sys.stderr.write(f"usage : python -m benchmarks {{{','.join(COMMANDS)}}} [options]\n")
        raise SystemExit(2)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "committee.settings")
    import django

    django.setup()
    module = importlib.import_module(f"benchmarks.commands.{argv[1]}")
    module.Command().run_from_argv(["python -m benchmarks", *argv[1:]])


if __name__ == "__main__":
    main(sys.argv)
