"""Benchmark: draft and render the learning briefing of a 500-case audit.

Run: .venv/bin/python tests/perf/bench_briefing.py
It builds a fictional audit in a throw-away SQLite database (schema from the migrations):
500 children's cases, four agency returns each (2,000 returns, answers copied from the demo's
returns), confirmed themes on every case, an earlier audit sharing some themes, learning points
and recommendations. It then times what a person waits for when they download the briefing:
drafting the content from the database and rendering the PDF, tagged for PDF/UA-1 (the pikepdf
structure tree is part of every briefing PDF). Each of three rounds prints wall and CPU time (the
process's, all threads) for each step: content, charts, layout and tagging. The machine may be shared,
so judge by CPU; the wall time shows what a person waited on this machine as it was. The first round
is a fresh process's first briefing (matplotlib's and pikepdf's first use); the last line gives the
median round and the first:
briefing cases=500 pdf_s=<median wall> cpu_s=<median CPU> first_pdf_s=<wall> first_cpu_s=<CPU> pages=<n>
"""

from __future__ import annotations

import io
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from decimal import Decimal
from importlib import resources
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a plain script from the repository

import pikepdf  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from pypdf import PdfReader  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

import reports.briefing_pdf  # noqa: E402
from audit_app import create_app  # noqa: E402
from audit_app.data.briefings import briefing_content, briefing_logo  # noqa: E402
from audit_app.data.seed import seed_reference_data  # noqa: E402
from audit_app.data.tools import definition_of, ensure_builtin_tool  # noqa: E402
from audit_app.data.users import agency_by_short_name  # noqa: E402
from audit_app.extensions import db  # noqa: E402
from audit_app.models import Answer, Audit, Case, Coding, LearningPoint, Recommendation, Return, Theme  # noqa: E402
from audit_tools.returns import answers as answer_rules  # noqa: E402
from config import TestingConfig  # noqa: E402
from reports.briefing_pdf import build_briefing_pdf  # noqa: E402

CASES = 500
AGENCIES = ("CSC", "EH", "School", "CAMHS")
LOCALITIES = ("Northfield", "Riverside", "Eastgate", "Westbrook")


def _audit(year: int, state: str, title: str) -> Audit:
    audit = Audit(
        title=title,
        topic="Neglect",
        year=year,
        state=state,
        tool_version=ensure_builtin_tool(),
        purpose="To test how well agencies recognise and respond together to neglect.",
    )
    db.session.add(audit)
    db.session.flush()
    return audit


def _cases(audit: Audit, count: int, rng: random.Random) -> list[Case]:
    cases = [
        Case(
            audit_id=audit.id,
            reference=f"BM{audit.year % 100}-{n:04d}",
            age_years=Decimal(rng.randrange(1, 34)) / 2,
            locality=rng.choice(LOCALITIES),
            plan_type="Child protection plan – neglect",
        )
        for n in range(count)
    ]
    db.session.add_all(cases)
    db.session.flush()
    return cases


def _returns_with_answers(cases: list[Case], rng: random.Random) -> None:
    """Four submitted returns per case, each answering as one of the demo's returns from that agency did."""
    definition = definition_of(ensure_builtin_tool())
    templates: dict[str, list[list]] = {}
    demo = json.loads(resources.files("audit_app.demo").joinpath("demo_data.json").read_text("utf-8"))
    for item in demo["returns"]:
        templates.setdefault(item["agency"], []).append(answer_rules.to_rows(definition, item["answers"]))
    agencies = {short: agency_by_short_name(short) for short in AGENCIES}
    returns = [Return(case=case, agency=agencies[short], state="submitted") for case in cases for short in AGENCIES]
    db.session.add_all(returns)
    db.session.flush()
    rows = [
        {
            "return_id": ret.id,
            "agency_id": ret.agency_id,
            "audit_id": ret.audit_id,
            "counted": ret.counted,
            "question_key": row.question_key,
            "ordinal": row.ordinal,
            "value": row.value,
            "score": row.score,
        }
        for ret, short in zip(returns, AGENCIES * len(cases), strict=False)
        for row in rng.choice(templates[short])
    ]
    db.session.execute(insert(Answer), rows)


def _codings(audit: Audit, cases: list[Case], themes: list[Theme], rng: random.Random) -> None:
    weights = [1 / (rank + 1) for rank in range(len(themes))]  # a few themes common, most rare
    for case in cases:
        for theme in set(rng.choices(themes, weights, k=3)):
            db.session.add(
                Coding(
                    audit_id=audit.id,
                    case_id=case.id,
                    source="panel",
                    source_key=str(case.id),
                    excerpt="Fictional panel learning.",
                    theme_id=theme.id,
                    status="confirmed",
                )
            )


def _learning(audit: Audit) -> None:
    audiences = ("managers", "practitioners", "inter_agency")
    db.session.add_all(
        LearningPoint(
            audit_id=audit.id,
            audience=audiences[n % 3],
            position=n,
            text=f"Learning point {n + 1}: " + "make the child's daily life the measure of progress. " * 3,
        )
        for n in range(15)
    )
    leads = [agency_by_short_name(short) for short in AGENCIES]
    db.session.add_all(
        Recommendation(
            audit_id=audit.id,
            position=n,
            lead_agency_id=leads[n % 4].id,
            timeframe=f"By March {2027 + n % 2}",
            text=f"Recommendation {n + 1}: relaunch the neglect checklist with partner contributions.",
        )
        for n in range(12)
    )


def build_audit(seed: int = 500) -> Audit:
    """The synthetic audit and an earlier one that shares some of its themes."""
    rng = random.Random(seed)
    seed_reference_data()
    themes = list(db.session.scalars(select(Theme).order_by(Theme.slug)))
    earlier = _audit(2024, "closed", "Neglect audit 2024")
    _codings(earlier, _cases(earlier, 20, rng), themes[::3], rng)
    audit = _audit(2026, "analysis", f"Neglect audit of {CASES} children")
    cases = _cases(audit, CASES, rng)
    _returns_with_answers(cases, rng)
    _codings(audit, cases, themes, rng)
    _learning(audit)
    db.session.commit()
    return audit


class Clock:
    """Wall and CPU seconds spent in named steps; a step may be entered many times (five charts)."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    @contextmanager
    def step(self, name: str):  # type: ignore[no-untyped-def]
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - wall
            self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - cpu

    def timed(self, name: str, function: Callable) -> Callable:
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            with self.step(name):
                return function(*args, **kwargs)

        return wrapper


def one_round(audit: Audit) -> tuple[Clock, bytes]:
    """Draft and render the briefing once, timing the charts and the tagging inside the rendering."""
    clock = Clock()
    charts, tagging = reports.briefing_pdf.bar_chart_png, reports.briefing_pdf.add_structure
    reports.briefing_pdf.bar_chart_png = clock.timed("charts", charts)
    reports.briefing_pdf.add_structure = clock.timed("tagging", tagging)
    try:
        with clock.step("total"):
            with clock.step("content"):
                content = briefing_content(audit)
            with clock.step("render"):
                pdf = build_briefing_pdf(content, logo=briefing_logo())
    finally:
        reports.briefing_pdf.bar_chart_png, reports.briefing_pdf.add_structure = charts, tagging
    return clock, pdf


def _figures(clock: Clock, measure: dict[str, float]) -> str:
    layout = measure["render"] - measure["charts"] - measure["tagging"]
    steps = [(name, measure[name]) for name in ("content", "charts")] + [("layout", layout)]
    return " ".join(f"{name}={value:.2f}" for name, value in [*steps, ("tagging", measure["tagging"])])


def main(rounds: int = 3) -> None:
    with tempfile.TemporaryDirectory() as folder:
        config = type(
            "BenchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.db'}"}
        )
        with create_app(config).app_context():
            upgrade()
            start = time.perf_counter()
            audit = build_audit()
            print(f"synthetic audit built in {time.perf_counter() - start:.1f} s")
            clocks = []
            for number in range(1, rounds + 1):
                clock, pdf = one_round(audit)
                clocks.append(clock)
                print(f"round {number}: wall_s {_figures(clock, clock.wall)} total={clock.wall['total']:.2f}")
                print(f"round {number}: cpu_s  {_figures(clock, clock.cpu)} total={clock.cpu['total']:.2f}")
            db.engine.dispose()
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    with pikepdf.open(io.BytesIO(pdf)) as document:  # the tagging step ran: a structure tree is there
        tagged = "/StructTreeRoot" in document.Root and document.Root.MarkInfo.Marked
    wall = statistics.median(c.wall["total"] for c in clocks)
    cpu = statistics.median(c.cpu["total"] for c in clocks)
    print(f"bytes={len(pdf):,} tagged={tagged}")
    print(
        f"briefing cases={CASES} pdf_s={wall:.2f} cpu_s={cpu:.2f} "
        f"first_pdf_s={clocks[0].wall['total']:.2f} first_cpu_s={clocks[0].cpu['total']:.2f} pages={pages}"
    )


if __name__ == "__main__":
    main()
