"""Benchmark: the analysis page's data for 500 cases × 12 agencies × 60 questions (360,000 answers).

Run: .venv/bin/python tests/perf/bench_analysis.py [--database-url URL] [--runs N] [--steps]

Without a URL it uses a new SQLite file. A PostgreSQL URL must name a database whose
name contains "bench" (it is created if missing and its schema is rebuilt), e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/bench_analysis.

It times the same data functions the analysis view calls (the filter choices and
``analysis_data``) against one bare GROUP BY over the same answers, each the median
of several runs after one warm-up. The last line is:
analysis answers=360000 analysis_s=<seconds> groupby_s=<seconds> ratio=<analysis/groupby>
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a plain script from the repository

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from audit_app import create_app  # noqa: E402
from audit_app.data.analysis import analysis_data, case_filter_choices  # noqa: E402
from audit_app.extensions import db  # noqa: E402
from audit_app.models import Agency, Answer, Audit, Case, PanelRecord, Return, Tool, ToolVersion  # noqa: E402
from audit_tools.analysis import CaseFilters  # noqa: E402
from audit_tools.tools import (
    ToolDefinition,  # noqa: E402
    parse_definition,  # noqa: E402
)
from config import TestingConfig  # noqa: E402
from tests.perf.synthetic import refresh_statistics  # noqa: E402

CASES, AGENCIES, SECTIONS, PER_SECTION = 500, 12, 10, 6
LOCALITIES = ("Northfield", "Riverside", "Eastgate", "Westbrook", "Millbrook", "Hillcrest")
PLANS = ("Child protection plan – neglect", "Child protection plan – emotional abuse", "Child in need plan")
BANDS = ("0-2", "3-5", "6-10", "11-15", "16-17")
# One pass over every answer. SQLite is told to read the table itself: left to choose, it walks the
# answers through their question index to save a sort and takes two or three times as long, which
# would flatter the ratio.
GROUP_BY = "SELECT question_key, value, count(*) FROM answers{hint} GROUP BY question_key, value"
TABLE_SCAN = {"sqlite": " NOT INDEXED"}


def tool_json() -> dict:
    """60 questions in 10 sections: mostly yes/partly/no scales, some single and multiple choices
    (two of them charted, like contributory factors), and the overall judgement last."""

    def question(s: int, q: int) -> dict:
        key = f"s{s}_q{q}"
        if (s, q) == (SECTIONS, PER_SECTION):
            return {"key": "overall_judgement", "type": "grade", "text": "Overall judgement", "overall": True}
        if q == 5 and s <= 2:
            return {
                "key": key,
                "type": "multiple",
                "text": f"Factors {s}",
                "chart_title": f"Factors {s}",
                "options": [{"value": f"f{n}", "label": f"Factor {n}"} for n in range(6)],
            }
        if q == 6:
            return {
                "key": key,
                "type": "single",
                "text": f"Choice {s}",
                "options": [{"value": f"c{n}", "label": f"Choice {n}", "score": n} for n in range(3)],
            }
        return {"key": key, "type": "scale", "text": f"Question {s}.{q}"}

    return {
        "schema_version": 1,
        "slug": "bench-tool",
        "name": "Benchmark tool",
        "topic": "Neglect",
        "description": "Synthetic",
        "sections": [
            {
                "key": f"s{s}",
                "title": f"Section {s}",
                "description": "",
                "questions": [question(s, q) for q in range(1, PER_SECTION + 1)],
            }
            for s in range(1, SECTIONS + 1)
        ],
    }


def make_audit(definition_raw: dict, definition: ToolDefinition, rng: random.Random) -> Audit:
    tool = Tool(slug="bench-tool", name="Benchmark tool")
    version = ToolVersion(tool=tool, version=1, status="published", definition=definition_raw)
    audit = Audit(title="Benchmark audit", topic="Neglect", year=2026, state="analysis", tool_version=version)
    agencies = [Agency(name=f"Bench agency {n:02d}", short_name=f"BA{n:02d}", sector="other") for n in range(AGENCIES)]
    db.session.add_all([tool, version, audit, *agencies])
    db.session.flush()
    cases = [
        {
            "audit_id": audit.id,
            "reference": f"BM-{n:04d}",
            "age_years": Decimal(rng.randrange(0, 35)) / 2,
            "age_band": rng.choice(BANDS),
            "locality": rng.choice(LOCALITIES),
            "plan_type": rng.choice(PLANS),
            "attributes": {},
            "stratum": "",
            "included": True,
            "exclusion_reason": "",
        }
        for n in range(CASES)
    ]
    db.session.execute(sa.insert(Case), cases)
    case_ids = db.session.scalars(sa.select(Case.id).where(Case.audit_id == audit.id).order_by(Case.id)).all()
    db.session.execute(
        sa.insert(Return),
        [
            {
                "case_id": c,
                "audit_id": audit.id,
                "agency_id": a.id,
                "state": "submitted",
                "counted": True,
                "version": 1,
                "amendment_reason": "",
                "no_involvement_reason": "",
            }
            for c in case_ids
            for a in agencies
        ],
    )
    grades = [o.value for o in definition.overall_question.options]
    db.session.execute(sa.insert(PanelRecord), [{"case_id": c, "agreed_grade": rng.choice(grades)} for c in case_ids])
    returns = db.session.execute(
        sa.select(Return.id, Return.agency_id, Return.audit_id, Return.counted).where(Return.audit_id == audit.id)
    ).all()
    _insert_answers(definition, returns, rng)
    db.session.commit()
    return audit


def _insert_answers(definition: ToolDefinition, returns: list, rng: random.Random) -> None:
    """One answer per question per return (id, agency, audit, whether it counts), in batches (executemany)."""
    batch: list[dict] = []
    for return_id, agency_id, audit_id, counted in returns:
        for question in definition.questions:
            option = rng.choice(question.options)
            batch.append(
                {
                    "return_id": return_id,
                    "agency_id": agency_id,
                    "audit_id": audit_id,
                    "counted": counted,
                    "question_key": question.key,
                    "ordinal": 0,
                    "value": option.value,
                    "score": option.score,
                }
            )
        if len(batch) >= 50_000:
            db.session.connection().execute(Answer.__table__.insert(), batch)  # Core executemany: no ORM work
            batch = []
    if batch:
        db.session.connection().execute(Answer.__table__.insert(), batch)


def prepare_database(url: str) -> None:
    """Create the PostgreSQL benchmark database if needed and give it an empty schema."""
    parsed = sa.engine.make_url(url)
    if "bench" not in (parsed.database or ""):
        raise SystemExit(f"Refusing to use {parsed.database!r}: the benchmark database's name must contain 'bench'.")
    with _autocommit(parsed.set(database="postgres")) as server:
        if not server.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}):
            server.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    with _autocommit(parsed) as database:
        for statement in ("DROP SCHEMA public CASCADE", "CREATE SCHEMA public"):
            database.execute(sa.text(statement))


@contextmanager
def _autocommit(url):
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def settle(engine) -> None:
    """Leave the database and this process as a live server's would be between requests: planner
    statistics fresh and, on PostgreSQL, the new rows vacuumed (else autovacuum starts on them in the
    middle of the timings); the objects made while loading frozen out of the garbage collector's
    sight, as each gunicorn worker freezes its start-up objects (gunicorn.conf.py)."""
    refresh_statistics(engine)
    gc.collect()
    gc.freeze()


def median_seconds(actions: dict, runs: int) -> dict[str, float]:
    """Each action's median time over ``runs`` rounds after one warm-up. The actions take turns within
    a round, so a busy moment on the machine slows them alike and their ratio stays fair."""
    samples: dict[str, list[float]] = {name: [] for name in actions}
    for action in actions.values():
        action()  # warm-up: caches and the first statement plans
    for _ in range(runs):
        for name, action in actions.items():
            started = time.perf_counter()
            action()
            samples[name].append(time.perf_counter() - started)
    return {name: statistics.median(times) for name, times in samples.items()}


def analyse(audit: Audit, definition: ToolDefinition, filters: CaseFilters):
    """What the analysis view asks of the database: the filter choices, then everything on the page."""
    case_filter_choices(audit)
    return analysis_data(audit, definition, filters)


def print_steps(audit: Audit, definition: ToolDefinition, runs: int) -> None:
    """Where one analysis's time goes: the queries and the Python steps of ``analysis_data``, each timed
    by itself (medians of ``runs``), beside the bare GROUP BY."""
    from audit_app.data import analysis as data
    from audit_tools.analysis import aggregation, agreement_between_agencies, agreement_with_panel

    every, overall = CaseFilters(), definition.overall_question
    charted = aggregation.charted_multiple_choice(definition)
    grades = tuple(o.value for o in overall.options)
    agencies = data._agency_returns(audit, every)
    names = {a.agency_id: a.name for a in agencies}
    panel, rows = data._panel_grades(audit, every), data.answer_counts(audit, definition, None, every)
    by_case = data.case_answers(audit, overall, charted, every)
    judgements = aggregation.judgements_of(by_case, overall.key)
    steps = {
        "query: the one GROUP BY": lambda: data.answer_counts(audit, definition, None, every),
        "query: case-level answers": lambda: data.case_answers(audit, overall, charted, every),
        "queries: small ones": lambda: (
            case_filter_choices(audit),
            data._agency_returns(audit, every),
            data._panel_grades(audit, every),
            data._key_figures(audit, every, agencies, 0),
        ),
        "python: distributions": lambda: aggregation.distributions(definition, rows, [], names),
        "python: prevalence": lambda: aggregation.prevalences(charted, by_case),
        "python: judgements": lambda: aggregation.judgements_of(by_case, overall.key),
        "python: between agencies": lambda: agreement_between_agencies(judgements, grades),
        "python: with the panel": lambda: agreement_with_panel(judgements, panel, names, overall),
        "bare GROUP BY": lambda: db.session.execute(
            sa.text(GROUP_BY.format(hint=TABLE_SCAN.get(db.engine.dialect.name, "")))
        ).all(),
    }
    for name, seconds in median_seconds(steps, runs).items():
        print(f"step {name}: {1000 * seconds:.1f} ms")


def run(url: str, runs: int, steps: bool = False) -> None:
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Config)
    with app.app_context():
        upgrade()
        raw = tool_json()
        definition = parse_definition(raw)
        started = time.perf_counter()
        audit = make_audit(raw, definition, random.Random(2026))
        answers = db.session.scalar(sa.select(sa.func.count()).select_from(Answer))
        settle(db.engine)
        print(f"{db.engine.dialect.name}: {answers} answers loaded in {time.perf_counter() - started:.1f} s")
        group_by = GROUP_BY.format(hint=TABLE_SCAN.get(db.engine.dialect.name, ""))
        result = analyse(audit, definition, CaseFilters())
        print(
            f"check: {result.figures.cases} cases, {result.figures.returns_counted} returns, "
            f"alpha {result.between_agencies.alpha:.3f}, panel pairs {result.with_panel.all_agencies.cases}"
        )
        times = median_seconds(
            {
                "analysis": lambda: analyse(audit, definition, CaseFilters()),
                "filtered": lambda: analyse(audit, definition, CaseFilters(locality="Riverside")),
                "groupby": lambda: db.session.execute(sa.text(group_by)).all(),
            },
            runs,
        )
        analysis_s, groupby_s = times["analysis"], times["groupby"]
        print(f"filtered by one locality: analysis_s={times['filtered']:.3f}")
        if steps:
            print_steps(audit, definition, runs)
        db.session.remove()
        db.engine.dispose()
    print(
        f"analysis answers={answers} analysis_s={analysis_s:.3f} groupby_s={groupby_s:.3f} "
        f"ratio={analysis_s / groupby_s:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL of a database whose name contains 'bench'")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--steps", action="store_true", help="also time each step of the analysis by itself")
    args = parser.parse_args()
    if args.database_url:
        prepare_database(args.database_url)
        run(args.database_url, args.runs, args.steps)
        return
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{folder}/bench.db", args.runs, args.steps)


if __name__ == "__main__":
    main()
