#!/usr/bin/env python3
"""Build, or check, the French catalogue `locale/fr/LC_MESSAGES/django.po`.

French is the portal's source language: every message is written in French in the code. The
catalogue exists for the plural rule alone. Without it `ngettext` falls back to the rule of
its msgids' language as gettext knows it (English: singular for 1 only), and 0 comes out
plural ("0 notifications non lues"); French uses the singular for 0 and 1. So the catalogue
holds the code's plural messages only, each translated into itself (`msgstr[0]` the singular,
`msgstr[1]` the plural), under `Plural-Forms: nplurals=2; plural=(n > 1);`. A message without
plural needs no entry: the French of the code is shown as it is.

How it is built, the same way every time (`make messages-fr`):

1. Django's `makemessages -l fr` in a scratch directory that holds the code through symbolic
   links (the project's Python packages and `templates/`, not the tests nor the bench), every
   `locale/` directory of the code left out so that every message lands in one file;
2. GNU `msgen` copies each message into its translation (sorted output);
3. only the plural entries are kept, under a fixed header (no dates: the file changes only
   when the code's plural messages do); GNU `msgfmt --check-format` validates the result.

`--check` (`make lint`) builds the catalogue in the scratch directory and fails, with a diff,
when it differs from the committed one: a plural message added, changed or removed in the
code without `make messages-fr`. It also fails on a `ngettext` call whose messages are not
written out as literals, which no extraction can see.

Usage (from the repository root, in the project's virtualenv; GNU gettext installed):

    python scripts/french_catalogue.py            # write locale/fr/LC_MESSAGES/django.po
    python scripts/french_catalogue.py --check    # compare; exit status 1 on a difference
"""

from __future__ import annotations

import argparse
import ast
import difflib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
# Not the portal's code: their messages are not shown to anyone.
LEFT_OUT = {"tests", "benchmarks", "scripts", "docs", "static", "locale", "media"}
PLURAL_FUNCTIONS = {"ngettext", "ngettext_lazy", "npgettext", "npgettext_lazy"}
HEADER = """\
# French catalogue of the portal: French is the source language, so each message is its own
# translation. Only the plural messages are here, for French plural rules (0 and 1 take the
# singular). Written by `make messages-fr` (scripts/french_catalogue.py): do not edit.
msgid ""
msgstr ""
"Project-Id-Version: comite-numerique-education\\n"
"Language: fr\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"
"""


def sources() -> list[Path]:
    """The directories of the portal's code: its Python packages and the templates."""
    found = []
    for path in sorted(ROOT.iterdir()):
        if not path.is_dir() or path.name.startswith(".") or path.name in LEFT_OUT:
            continue
        if (path / "__init__.py").exists() or path.name == "templates":
            found.append(path)
    return found


def run(command: list[str], **kwargs) -> None:
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)  # noqa: S603 - fixed arguments, no shell
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"Échec : {' '.join(command)}")
    output = result.stdout + result.stderr
    if "warning:" in output:  # xgettext's (a message with and without plural…) are mistakes
        sys.stderr.write(output)
        raise SystemExit(f"Avertissements de : {' '.join(command[:4])}")


def extract(scratch: Path) -> str:
    """The French catalogue the code calls for, as text."""
    for source in sources():
        (scratch / source.name).symlink_to(source, target_is_directory=True)
    (scratch / "locale").mkdir()
    env = {**os.environ, "DJANGO_ENV": "test", "DATABASE_URL": "sqlite://:memory:"}
    run(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "makemessages",
            "--locale=fr",
            "--symlinks",
            "--no-location",
            "--no-obsolete",
            "--ignore=locale",
            "--verbosity=1",  # xgettext's warnings are shown from 1
        ],
        cwd=scratch,
        env=env,
    )
    extracted = scratch / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    copied = scratch / "copied.po"
    run(["msgen", "--sort-output", "--output-file", str(copied), str(extracted)])
    entries = copied.read_text(encoding="utf-8").split("\n\n")[1:]  # the header first
    plural = [entry.strip("\n") for entry in entries if "\nmsgid_plural " in f"\n{entry}"]
    text = HEADER + "".join(f"\n{entry}\n" for entry in plural)
    built = scratch / "built.po"
    built.write_text(text, encoding="utf-8")
    # Formats and domain (the header has no dates nor translator, on purpose).
    run(["msgfmt", "--check-format", "--check-domain", "--output-file", os.devnull, str(built)])
    return text


def dynamic_plurals() -> list[str]:
    """`ngettext` calls whose messages are not literal strings: extraction cannot see them."""
    found = []
    for source in sources():
        for path in sorted(source.rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name not in PLURAL_FUNCTIONS:
                    continue
                texts = node.args[1:3] if name.startswith("np") else node.args[:2]
                if len(texts) < 2 or not all(
                    isinstance(arg, ast.Constant) and isinstance(arg.value, str) for arg in texts
                ):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}(…)")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, change nothing")
    arguments = parser.parse_args()
    for program in ("msgen", "msgfmt", "xgettext", "msgmerge"):
        if shutil.which(program) is None:
            raise SystemExit(f"{program} est introuvable : installez GNU gettext.")
    with tempfile.TemporaryDirectory(prefix="catalogue-fr-") as scratch:
        text = extract(Path(scratch))
    if not arguments.check:
        CATALOGUE.parent.mkdir(parents=True, exist_ok=True)
        CATALOGUE.write_text(text, encoding="utf-8")
        print(f"{CATALOGUE.relative_to(ROOT)} : {text.count('msgid_plural ')} pluriels.")
        return 0
    problems = [f"ngettext sans messages littéraux : {call}" for call in dynamic_plurals()]
    committed = CATALOGUE.read_text(encoding="utf-8") if CATALOGUE.exists() else ""
    if committed != text:
        diff = difflib.unified_diff(
            committed.splitlines(keepends=True),
            text.splitlines(keepends=True),
            fromfile=f"{CATALOGUE.relative_to(ROOT)} (committed)",
            tofile="(from the code)",
        )
        problems.append("".join(diff).rstrip("\n"))
        problems.append(
            "Le catalogue français ne suit pas les pluriels du code : lancez `make messages-fr`."
        )
    if problems:
        sys.stderr.write("\n".join(problems) + "\n")
        return 1
    print(f"Catalogue français à jour ({text.count('msgid_plural ')} pluriels).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
