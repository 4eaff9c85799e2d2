"""Synthetic audits of any size for the benchmarks and the load test. Every name and word is fictional.

    from tests.perf.synthetic import make_audit
    audit_id = make_audit(db.session, cases=500, agencies=12, questions=60, seed=1)

``make_audit`` takes a SQLAlchemy session (Flask-SQLAlchemy's ``db.session`` too), an engine or a
connection, fills an audit of ``cases`` cases × ``agencies`` agency returns × ``questions`` answered
questions, commits, refreshes the planner's statistics (ANALYZE; VACUUM ANALYZE on PostgreSQL) and
returns the audit's id. The same seed gives the same audit, and ``questions`` may be any number from
6. Answers go in with COPY on PostgreSQL and the driver's ``executemany`` on SQLite: the default
audit (372,000 answer rows) loads in about 3 seconds, ten times that in 20–60 seconds.
tests/perf/harness.py gives a benchmark its app, database and command line.

An audit in "setup" or "open" gets draft returns (already answered in full, so each can be submitted
as it stands); any later state gets submitted returns, the panel's agreed grades, confirmed themes on
every case, learning points and recommendations: everything the analysis and the briefing read.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from audit_app.models import (
    COUNTED_STATES,
    Agency,
    Answer,
    Audit,
    Case,
    Coding,
    LearningPoint,
    PanelRecord,
    Recommendation,
    Return,
    Theme,
    Tool,
    ToolVersion,
)
from audit_tools.tools import (
    GRADE,
    LONGTEXT,
    MULTIPLE,
    ToolDefinition,
    builtin_themes,
    export_definition,
    parse_definition,
)

PER_SECTION = 6
DRAFT_STATES = ("setup", "open")
LOCALITIES = ("Northfield", "Riverside", "Eastgate", "Westbrook", "Millbrook", "Hillcrest")
PLANS = ("Child protection plan – neglect", "Child protection plan – emotional abuse", "Child in need plan")
BANDS = ("0-2", "3-5", "6-10", "11-15", "16-17")
SCALE_WEIGHTS = {"yes": 5, "partly": 3, "no": 2, "not_applicable": 1, "not_known": 1}
WRITING = (
    "Home conditions were recorded at each visit, but the impact on the child was not always described.",
    "The school shared attendance concerns promptly and joined the core group from the start.",
    "Father was not invited to the conference and his view is missing from the plan.",
    "Missed health appointments were followed up, although the reasons were not explored with the family.",
    "Supervision notes show drift: the same actions appear on three plans in a row.",
    "The child's own words about mealtimes and bedtimes are quoted in the assessment.",
    "Housing and money worries were known to every agency but no one led on them.",
    "Professionals were optimistic about small changes that did not last.",
)
THEMES = 12
LEARNING = (
    "Record what daily life is like for the child, in the child's words.",
    "Invite fathers and male carers to every meeting about the child.",
    "Agree with the family what 'better' looks like, and check it at each core group.",
)
RECOMMENDATIONS = (
    "Refresh the partnership's neglect toolkit training for all agencies.",
    "Add a prompt for the child's lived experience to every agency's assessment template.",
)


def make_audit(
    target, cases: int = 500, agencies: int = 12, questions: int = 60, seed: int = 1, *, state: str = "analysis"
) -> int:
    """A whole audit in ``state``, committed; returns its id. See the module's docstring."""
    if questions < PER_SECTION:
        raise ValueError(f"A synthetic tool needs at least {PER_SECTION} questions.")
    rng = random.Random(seed)
    with _connection(target) as conn:
        version_id, definition = make_tool(conn, questions)
        agency_ids = make_agencies(conn, agencies)
        audit_id = _insert_one(
            conn,
            Audit,
            title=f"Synthetic audit {cases}×{agencies}×{questions} (seed {seed})",
            topic="Neglect",
            year=2026,
            purpose="A synthetic audit for measuring the workbench.",
            scope="Fictional cases only.",
            period_start=date(2025, 4, 1),
            period_end=date(2026, 3, 31),
            returns_due=date(2026, 6, 30),
            tool_version_id=version_id,
            state=state,
            created_at=_now(),
        )
        case_ids = make_cases(conn, audit_id, cases, rng)
        return_state = "draft" if state in DRAFT_STATES else "submitted"
        returns = make_returns(conn, audit_id, case_ids, agency_ids, return_state)
        make_answers(conn, definition, audit_id, return_state in COUNTED_STATES, returns, rng)
        if state not in DRAFT_STATES:
            make_findings(conn, audit_id, definition, case_ids, returns, rng)
    refresh_statistics(target)
    return audit_id


def tool_json(questions: int = 60) -> dict:
    """A tool of ``questions`` questions in sections of six: mostly yes/partly/no scales, a single and a
    long-text question in every section, two charted multiple choices, and the overall judgement last."""

    def question(n: int) -> dict:
        section, position = divmod(n, PER_SECTION)
        key = f"s{section + 1}_q{position + 1}"
        if n == questions - 1:
            return {
                "key": "overall_judgement",
                "type": GRADE,
                "text": "Overall, how good was the help?",
                "overall": True,
            }
        if position == 3:
            return {"key": key, "type": LONGTEXT, "text": f"What helped or hindered? ({section + 1})"}
        if position == 4 and section < 2:
            return {
                "key": key,
                "type": MULTIPLE,
                "text": f"Which factors were present? ({section + 1})",
                "chart_title": f"Factors present ({section + 1})",
                "options": [{"value": f"f{k}", "label": f"Factor {k}"} for k in range(1, 7)],
            }
        if position == 5:
            return {
                "key": key,
                "type": "single",
                "text": f"How often was the child seen? ({section + 1})",
                "options": [{"value": f"c{k}", "label": f"Choice {k}", "score": k} for k in range(3)],
            }
        return {"key": key, "type": "scale", "text": f"Was practice good enough here? ({section + 1}.{position + 1})"}

    sections = [list(range(start, min(start + PER_SECTION, questions))) for start in range(0, questions, PER_SECTION)]
    return {
        "schema_version": 1,
        "slug": f"synthetic-{questions}q",
        "name": f"Synthetic tool ({questions} questions)",
        "topic": "Neglect",
        "description": "Fictional questions for benchmarks.",
        "sections": [
            {
                "key": f"s{i + 1}",
                "title": f"Section {i + 1}",
                "description": "",
                "questions": [question(n) for n in numbers],
            }
            for i, numbers in enumerate(sections)
        ],
    }


def make_tool(conn: Connection, questions: int = 60) -> tuple[int, ToolDefinition]:
    """The published synthetic tool of that many questions (made once per database): (version id, definition)."""
    definition = parse_definition(tool_json(questions))
    version_id = conn.scalar(sa.select(ToolVersion.id).join(Tool).where(Tool.slug == definition.slug))
    if version_id is None:
        tool_id = _insert_one(conn, Tool, slug=definition.slug, name=definition.name)
        version_id = _insert_one(
            conn,
            ToolVersion,
            tool_id=tool_id,
            version=1,
            status="published",
            definition=export_definition(definition),
            published_at=_now(),
        )
    return version_id, definition


def make_agencies(conn: Connection, count: int = 12) -> list[int]:
    """Agencies SY01…SYnn (those already there are reused), in order."""
    wanted = {f"SY{n:02d}": f"Synthetic agency {n:02d}" for n in range(1, count + 1)}
    known = set(conn.scalars(sa.select(Agency.short_name).where(Agency.short_name.in_(wanted))))
    rows = [{"short_name": s, "name": name, "sector": "other"} for s, name in wanted.items() if s not in known]
    if rows:
        conn.execute(sa.insert(Agency), rows)
    return list(conn.scalars(sa.select(Agency.id).where(Agency.short_name.in_(wanted)).order_by(Agency.short_name)))


def make_cases(conn: Connection, audit_id: int, count: int, rng: random.Random) -> list[int]:
    rows = [
        {
            "audit_id": audit_id,
            "reference": f"SYN-{n:05d}",
            "age_years": Decimal(rng.randrange(0, 35)) / 2,
            "age_band": rng.choice(BANDS),
            "locality": rng.choice(LOCALITIES),
            "plan_type": rng.choice(PLANS),
            "attributes": {},
            "stratum": "",
            "included": True,
            "exclusion_reason": "",
        }
        for n in range(count)
    ]
    conn.execute(sa.insert(Case), rows)
    return list(conn.scalars(sa.select(Case.id).where(Case.audit_id == audit_id).order_by(Case.id)))


def make_returns(
    conn: Connection, audit_id: int, case_ids: list[int], agency_ids: list[int], state: str
) -> list[tuple[int, int, int]]:
    """One return per case and agency: (return id, case id, agency id), in case then agency order."""
    now = _now()
    submitted = now if state == "submitted" else None
    columns = (
        "case_id",
        "audit_id",
        "agency_id",
        "state",
        "counted",
        "version",
        "updated_at",
        "submitted_at",
        "amendment_reason",
        "no_involvement_reason",
    )
    _bulk(
        conn,
        Return.__table__,
        columns,
        (
            (c, audit_id, a, state, state in COUNTED_STATES, 1, now, submitted, "", "")
            for c in case_ids
            for a in agency_ids
        ),
    )
    query = (
        sa.select(Return.id, Return.case_id, Return.agency_id)
        .join(Case)
        .where(Case.audit_id == audit_id)
        .order_by(Return.case_id, Return.agency_id)
    )
    return [tuple(row) for row in conn.execute(query)]


def make_answers(
    conn: Connection,
    definition: ToolDefinition,
    audit_id: int,
    counted: bool,
    returns: list[tuple[int, int, int]],
    rng: random.Random,
) -> None:
    """Every question answered on every return; how well a case went sways all its agencies' answers alike."""
    quality = {case_id: rng.random() for _, case_id, _ in returns}
    columns = ("return_id", "agency_id", "audit_id", "counted", "question_key", "ordinal", "value", "score")
    _bulk(
        conn,
        Answer.__table__,
        columns,
        (
            row
            for return_id, case_id, agency_id in returns
            for question in definition.questions
            for row in _answer((return_id, agency_id, audit_id, counted), question, quality[case_id], rng)
        ),
    )


def make_findings(
    conn: Connection,
    audit_id: int,
    definition: ToolDefinition,
    case_ids: list[int],
    returns: list[tuple[int, int, int]],
    rng: random.Random,
) -> None:
    """The panel's agreed grade on every case, two confirmed themes per case, learning and recommendations."""
    grades = [o.value for o in definition.overall_question.options]
    conn.execute(
        sa.insert(PanelRecord),
        [
            {
                "case_id": c,
                "agreed_grade": rng.choice(grades),
                "rationale": "",
                "dissent": "",
                "learning": "",
                "updated_at": _now(),
                "version": 1,
            }
            for c in case_ids
        ],
    )
    theme_ids = ensure_themes(conn)
    text_key = next(q.key for q in definition.questions if q.type == LONGTEXT)
    by_case: dict[int, list[tuple[int, int]]] = {}
    for return_id, case_id, agency_id in returns:
        by_case.setdefault(case_id, []).append((return_id, agency_id))
    weights = [1 / (rank + 1) for rank in range(len(theme_ids))]  # a few themes common, most rare
    conn.execute(
        sa.insert(Coding),
        [
            {
                "audit_id": audit_id,
                "case_id": case_id,
                "agency_id": agency_id,
                "source": "answer",
                "source_key": f"{return_id}:{text_key}",
                "excerpt": rng.choice(WRITING),
                "theme_id": theme_id,
                "status": "confirmed",
                "matched": [],
                "coded_at": _now(),
            }
            for case_id, pairs in by_case.items()
            for (return_id, agency_id), theme_id in zip(
                rng.sample(pairs, min(2, len(pairs))), set(rng.choices(theme_ids, weights, k=2)), strict=False
            )
        ],
    )
    conn.execute(
        sa.insert(LearningPoint),
        [
            {"audit_id": audit_id, "audience": audience, "text": text, "position": n}
            for n, (audience, text) in enumerate(
                zip(("managers", "practitioners", "inter_agency"), LEARNING, strict=False)
            )
        ],
    )
    conn.execute(
        sa.insert(Recommendation),
        [
            {
                "audit_id": audit_id,
                "text": text,
                "category": "",
                "timeframe": "By March 2027",
                "rag": "amber",
                "position": n,
            }
            for n, text in enumerate(RECOMMENDATIONS)
        ],
    )


def ensure_themes(conn: Connection) -> list[int]:
    """The first built-in themes of the codebook, added if the database has not been seeded."""
    themes = builtin_themes()[:THEMES]
    known = set(conn.scalars(sa.select(Theme.slug)))
    rows = [
        {
            "slug": t["slug"],
            "name": t["name"],
            "description": t.get("description", ""),
            "keywords": list(t.get("keywords", [])),
            "category": t.get("category", ""),
        }
        for t in themes
        if t["slug"] not in known
    ]
    if rows:
        conn.execute(sa.insert(Theme), rows)
    return list(conn.scalars(sa.select(Theme.id).where(Theme.slug.in_([t["slug"] for t in themes])).order_by(Theme.id)))


def _answer(key: tuple, question, quality: float, rng: random.Random) -> list[tuple]:
    """The answer rows of one question: one row, or one per chosen option of a multiple choice. ``key``
    starts each row: the return's id, agency, audit and whether it counts."""
    if question.type == LONGTEXT:
        return [(*key, question.key, 0, rng.choice(WRITING), None)]
    if question.type == MULTIPLE:
        chosen = rng.sample(question.options, rng.randint(1, 3))
        return [(*key, question.key, n, o.value, o.score) for n, o in enumerate(chosen)]
    options = question.options
    if question.type == "scale":
        weights = [SCALE_WEIGHTS[o.value] * (1 + quality if o.value == "yes" else 1) for o in options]
        option = rng.choices(options, weights)[0]
    else:  # good cases lean to the first (best) options
        option = options[min(int(rng.random() * (1.6 - quality) * len(options)), len(options) - 1)]
    return [(*key, question.key, 0, option.value, option.score)]


def _bulk(
    conn: Connection, table: sa.Table, columns: tuple[str, ...], rows: Iterable[tuple], batch: int = 50_000
) -> None:
    """Insert many plain rows fast: COPY on PostgreSQL, the driver's executemany on SQLite."""
    driver = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    statement = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    cursor = driver.cursor()
    for chunk in _chunks((tuple(_sqlite_value(v) for v in row) for row in rows), batch):
        cursor.executemany(statement, chunk)
    cursor.close()


def _sqlite_value(value):
    """What SQLAlchemy would store on SQLite: naive UTC text for a moment in time."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    return value


def _chunks(rows: Iterator[tuple] | Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _insert_one(conn: Connection, model, **values) -> int:
    return conn.scalar(sa.insert(model).values(**values).returning(model.id))


def _now() -> datetime:
    return datetime.now(UTC) - timedelta(days=1)


@contextmanager
def _connection(target) -> Iterator[Connection]:
    """One transaction on whatever was given, committed at the end."""
    if isinstance(target, Engine):
        with target.begin() as conn:
            yield conn
    elif isinstance(target, Connection):
        yield target
        target.commit()
    else:  # a Session or a scoped session such as Flask-SQLAlchemy's db.session
        yield target.connection()
        target.commit()


def refresh_statistics(target) -> None:
    """Fresh planner statistics, as a live database would have; on PostgreSQL the new rows vacuumed too,
    or autovacuum starts on them while a benchmark is timing."""
    engine = (
        target
        if isinstance(target, Engine)
        else target.get_bind()
        if not isinstance(target, Connection)
        else target.engine
    )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
