"""Benchmark: import a 50,000-row sample frame and draw a stratified sample from it.

Run: .venv/bin/python tests/perf/bench_sampling.py
The last line is: sampling rows=50000 import_s=<seconds> draw_s=<seconds>
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a plain script from the repository

from flask_migrate import upgrade  # noqa: E402

from audit_app import create_app  # noqa: E402
from audit_app.data import sampling as sampling_data  # noqa: E402
from audit_app.data.tools import ensure_builtin_tool  # noqa: E402
from audit_app.extensions import db  # noqa: E402
from audit_app.models import Audit  # noqa: E402
from audit_tools.sampling import (
    SamplingPlan,  # noqa: E402
    candidate_cases,  # noqa: E402
    read_table,  # noqa: E402
)
from config import TestingConfig  # noqa: E402

ROWS = 50_000
LOCALITIES = ("Northfield", "Riverside", "Eastgate", "Westbrook", "Millbrook", "Hillcrest")
PLANS = ("Child protection plan – neglect", "Child protection plan – emotional abuse", "Child in need plan")


def frame_csv(rows: int, seed: int = 1) -> bytes:
    """A fictional cohort: pseudonymous references and attributes only."""
    rng = random.Random(seed)
    lines = ["reference,age_years,locality,plan_type,repeat_plan"]
    for n in range(rows):
        lines.append(
            f"BM-{n:06d},{rng.randrange(0, 35) / 2},{rng.choice(LOCALITIES)},{rng.choice(PLANS)},"
            f"{rng.choice(('yes', 'no'))}"
        )
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:

        class Config(TestingConfig):
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder}/bench.db"

        app = create_app(Config)
        with app.app_context():
            upgrade()
            audit = Audit(title="Benchmark", topic="Neglect", year=2026, tool_version=ensure_builtin_tool())
            db.session.add(audit)
            db.session.commit()
            data = frame_csv(ROWS)
            started = time.perf_counter()
            table = read_table(data, "frame.csv", max_bytes=app.config["MAX_FRAME_BYTES"])
            candidates = candidate_cases(table.columns, table.rows)  # the same checks as the upload page
            frame = sampling_data.import_frame(audit, "frame.csv", data, table.columns, candidates, None)
            db.session.commit()
            import_s = time.perf_counter() - started
            started = time.perf_counter()
            plan = SamplingPlan("stratified", 120, ("locality", "age_band"), "proportional", 1)
            sampling, sample = sampling_data.draw(audit, frame, plan, 4821, None, [])
            db.session.commit()
            draw_s = time.perf_counter() - started
            print(
                f"frame {len(data) / 1_048_576:.1f} MB; {len(sample.chosen)} cases drawn in {len(sample.strata)} groups"
            )
            print(sampling.statement[:200])
    print(f"sampling rows={ROWS} import_s={import_s:.2f} draw_s={draw_s:.2f}")


if __name__ == "__main__":
    main()
