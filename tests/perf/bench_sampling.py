"""Benchmark: import a 50,000-row sample frame shaped like a case system's export through the mapping
step (CSV, then the same rows as .xlsx), and draw a stratified sample from it.

import_s: the CSV read, staged (names left out, dates of birth turned into ages), mapped (full agency
names matched), checked and stored; xlsx_s: the same rows as a workbook read, staged, mapped and checked.
The figures on the last line are wall-clock seconds; the lines before it give the process's CPU seconds
(``time.process_time``), step by step, which other work on the machine disturbs far less.

Run: .venv/bin/python tests/perf/bench_sampling.py
The last line is: sampling rows=50000 import_s=<seconds> xlsx_s=<seconds> draw_s=<seconds>
"""

from __future__ import annotations

import csv
import io
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a plain script from the repository

from flask_migrate import upgrade  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from audit_app import create_app  # noqa: E402
from audit_app.data import sampling as sampling_data  # noqa: E402
from audit_app.data.frame_mapping import agency_names, partnership_agencies  # noqa: E402
from audit_app.data.seed import seed_reference_data  # noqa: E402
from audit_app.data.tools import ensure_builtin_tool  # noqa: E402
from audit_app.extensions import db  # noqa: E402
from audit_app.models import Audit  # noqa: E402
from audit_tools.sampling import FrameChecks, SamplingPlan, candidate_cases, read_table  # noqa: E402
from audit_tools.sampling.frame_mapping import (  # noqa: E402
    FrameMapping,
    StagedTable,
    mapped_table,
    mapping_problems,
    stage_table,
    suggested_mapping,
    unmatched_agencies,
)
from audit_tools.sampling.frame_scan import ScanMemo  # noqa: E402
from config import TestingConfig  # noqa: E402

ROWS = 50_000
LOCALITIES = ("Northfield", "Riverside", "Eastgate", "Westbrook", "Millbrook", "Hillcrest")
PLANS = ("Child protection plan – neglect", "Child protection plan – emotional abuse", "Child in need plan")
AGENCIES = ("Children's Social Care; Health Visiting", "Children's Social Care, School, CAMHS", "School/CAMHS")
HEADER = ["Case ID", "Child Name", "Date of Birth", "Gender", "Locality", "Plan Category", "Agencies Involved"]
GIVEN = ("Amara", "Tobias", "Priya", "Callum", "Esme", "Kofi", "Nell", "Ravi")
FAMILY = ("Okonjo", "Fenwick", "Lindqvist", "Ashdown", "Harrowgate", "Brannigan")


def frame_rows(rows: int, seed: int = 1) -> list[list[object]]:
    """A fictional cohort shaped like a case system's export: names, dates of birth and full agency names."""
    rng = random.Random(seed)
    return [
        [
            f"CP-{n:06d}",
            f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
            date(2009, 1, 1) + timedelta(days=rng.randrange(0, 17 * 365)),
            rng.choice(("Female", "Male")),
            rng.choice(LOCALITIES),
            rng.choice(PLANS),
            rng.choice(AGENCIES),
        ]
        for n in range(rows)
    ]


def frame_csv(rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([v.strftime("%d/%m/%Y") if isinstance(v, date) else v for v in row])
    return out.getvalue().encode()


def frame_xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_check_and_map(
    data: bytes, filename: str, max_bytes: int, memo: ScanMemo, steps: dict[str, float]
) -> tuple[StagedTable, FrameMapping, list]:
    """What the upload page does with a file from a remembered source, without the web request
    (``memo``: the request's values already scanned for personal details). CPU seconds per step go in ``steps``."""
    started = time.process_time()
    table = read_table(data, filename, max_bytes=max_bytes, keep_identifying=True)
    steps["read"], started = time.process_time() - started, time.process_time()
    staged = stage_table(table, date(2026, 12, 6), memo=memo)
    steps["stage"], started = time.process_time() - started, time.process_time()
    mapping = suggested_mapping(staged)
    lookup = agency_names()
    assert not mapping_problems(staged, mapping) and not unmatched_agencies(staged, mapping, lookup)
    columns, rows = mapped_table(staged, mapping, lookup)
    steps["map"], started = time.process_time() - started, time.process_time()
    checks = FrameChecks(known_agencies={a.short_name for a in partnership_agencies()}, row_word="Line", scan_memo=memo)
    candidates = candidate_cases(columns, rows, checks)
    steps["check"] = time.process_time() - started
    return staged, mapping, [columns, candidates]


def _said(steps: dict[str, float]) -> str:
    return ", ".join(f"{name} {seconds:.2f}" for name, seconds in steps.items())


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:

        class Config(TestingConfig):
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder}/bench.db"

        app = create_app(Config)
        with app.app_context():
            upgrade()
            seed_reference_data()
            audit = Audit(title="Benchmark", topic="Neglect", year=2026, tool_version=ensure_builtin_tool())
            db.session.add(audit)
            db.session.commit()
            rows = frame_rows(ROWS)
            data, book = frame_csv(rows), frame_xlsx(rows)
            limit = app.config["MAX_FRAME_BYTES"]
            csv_steps: dict[str, float] = {}
            started, cpu = time.perf_counter(), time.process_time()
            memo: ScanMemo = {}
            _staged, _mapping, (columns, candidates) = read_check_and_map(data, "frame.csv", limit, memo, csv_steps)
            stored = time.process_time()
            frame = sampling_data.import_frame(audit, "frame.csv", data, columns, candidates, None, scan_memo=memo)
            db.session.commit()
            csv_steps["store"] = time.process_time() - stored
            import_s, import_cpu = time.perf_counter() - started, time.process_time() - cpu
            xlsx_steps: dict[str, float] = {}
            started, cpu = time.perf_counter(), time.process_time()
            read_check_and_map(book, "frame.xlsx", limit, {}, xlsx_steps)
            xlsx_s, xlsx_cpu = time.perf_counter() - started, time.process_time() - cpu
            started, cpu = time.perf_counter(), time.process_time()
            plan = SamplingPlan("stratified", 120, ("locality", "age_band"), "proportional", 1)
            sampling, sample = sampling_data.draw(audit, frame, plan, 4821, None, [])
            db.session.commit()
            draw_s, draw_cpu = time.perf_counter() - started, time.process_time() - cpu
            print(
                f"frame {len(data) / 1_048_576:.1f} MB CSV, {len(book) / 1_048_576:.1f} MB xlsx; "
                f"{len(sample.chosen)} cases drawn in {len(sample.strata)} groups"
            )
            print(sampling.statement[:200])
    print(f"CPU seconds: import {import_cpu:.2f} ({_said(csv_steps)})")
    print(f"CPU seconds: xlsx {xlsx_cpu:.2f} ({_said(xlsx_steps)})")
    print(f"CPU seconds: draw {draw_cpu:.2f}")
    print(f"sampling rows={ROWS} import_s={import_s:.2f} xlsx_s={xlsx_s:.2f} draw_s={draw_s:.2f}")


if __name__ == "__main__":
    main()
