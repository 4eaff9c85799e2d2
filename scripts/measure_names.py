"""How well the disclosure check finds people's names nobody told it about, measured on the shipped corpus.

Run from the repository root: ``.venv/bin/python -m scripts.measure_names`` (add ``-v`` to list every
miss and false hit). The corpus is ``tests/data/names_corpus.txt``; ``tests/unit/test_name_detection.py``
asserts the same figures stay at or above the goal (95 % found, at most 5 % false hits).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from audit_tools.privacy import check_text

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "names_corpus.txt"
_MARKED = re.compile(r"\[\[(.+?)\]\]")


@dataclass
class Figures:
    """Names found of names marked; clean sentences with a name hit; stray hits in sentences with names."""

    names: int = 0
    found: int = 0
    clean_sentences: int = 0
    false_hits: int = 0
    stray_hits: int = 0
    misses: list[str] = field(default_factory=list)
    false_sentences: list[str] = field(default_factory=list)

    @property
    def found_share(self) -> float:
        return self.found / self.names if self.names else 0.0

    @property
    def false_share(self) -> float:
        return self.false_hits / self.clean_sentences if self.clean_sentences else 0.0


def read_corpus(path: Path = CORPUS) -> tuple[list[tuple[str, list[tuple[int, int]]]], list[str]]:
    """Sentences with names (text without brackets, each name's span) and clean sentences."""
    with_names, clean = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("N: "):
            text, spans = line[3:], []
            while match := _MARKED.search(text):
                text = text[: match.start()] + match.group(1) + text[match.end() :]
                spans.append((match.start(), match.start() + len(match.group(1))))
            with_names.append((text, spans))
        elif line.startswith("C: "):
            clean.append(line[3:])
    return with_names, clean


def measure(path: Path = CORPUS) -> Figures:
    """Run the check (with no known names) over every sentence of the corpus."""
    with_names, clean = read_corpus(path)
    figures = Figures(clean_sentences=len(clean))
    for text, spans in with_names:
        hits = [(h.start, h.end) for h in check_text(text) if h.kind == "name"]
        for start, end in spans:
            figures.names += 1
            if any(s < end and start < e for s, e in hits):
                figures.found += 1
            else:
                figures.misses.append(f"{text[start:end]!r} in: {text}")
        figures.stray_hits += sum(1 for s, e in hits if not any(s < end and start < e for start, end in spans))
    for text in clean:
        hits = [h.text for h in check_text(text) if h.kind == "name"]
        if hits:
            figures.false_hits += 1
            figures.false_sentences.append(f"{hits} in: {text}")
    return figures


def main(argv: list[str]) -> None:
    figures = measure()
    print(f"found {figures.found}/{figures.names} = {figures.found_share:.1%} of names (goal at least 95%)")
    print(
        f"false hits {figures.false_hits}/{figures.clean_sentences} = {figures.false_share:.1%} of sentences "
        f"without names (goal at most 5%)"
    )
    print(f"other hits in sentences with names: {figures.stray_hits}")
    if "-v" in argv:
        for miss in figures.misses:
            print("missed:", miss)
        for false in figures.false_sentences:
            print("false hit:", false)


if __name__ == "__main__":
    main(sys.argv[1:])
