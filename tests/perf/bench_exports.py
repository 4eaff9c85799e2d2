"""Benchmark: the answer spreadsheets (CSV and XLSX, long and wide) of a 500-case audit, streamed.

Run: .venv/bin/python tests/perf/bench_exports.py [--database-url URL] [--runs N]

The synthetic audit of 500 cases × 12 agencies × 60 questions (tests/perf/synthetic.py: 6,000 returns,
some 372,000 answer rows) goes into a new SQLite file, or the PostgreSQL database the URL names (its
name must contain "bench"). Each download then runs in a fresh Python process, as a web worker would:
the app, a coordinator signed in through the login page, and GET answers.<format>?layout=<layout>
through the Flask test client, reading the body piece by piece. For each it prints the time to the
first piece of the body (the test client pulls it before handing back the response), the time to the
last, the CPU time the process spent on it (the figure a busy machine disturbs least), the size, and
the process's peak resident memory (ru_maxrss: the whole worker, the app included) with how much of
it the download added. Figures are medians of ``--runs`` processes.
Bounds (issue 20): first piece within 1 s, whole file within 10 s, worker under 300 MB; exit status 1
if any is broken. The last line is:
exports db=<db> slowest=<file> slowest_s=<s> first_byte_s=<s> peak_mb=<mb>
"""

from __future__ import annotations

import json
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a plain script from the repository

FILES = [("csv", "long"), ("csv", "wide"), ("xlsx", "long"), ("xlsx", "wide")]
PASSWORD = "export benchmark passphrase"
COORDINATOR = "coordinator@exports.example"
LIMITS = {"first_byte_s": 1.0, "total_s": 10.0, "peak_mb": 300.0}


def build(url: str) -> int:
    """The synthetic audit (in analysis) and a coordinator; returns the audit's id."""
    from audit_app.data.users import create_user
    from audit_app.extensions import db
    from tests.perf.harness import benchmark_app
    from tests.perf.synthetic import make_audit

    app = benchmark_app(url)
    with app.app_context():
        started = time.perf_counter()
        audit_id = make_audit(db.session, cases=500, agencies=12, questions=60, seed=1)
        create_user(COORDINATOR, "Export coordinator", PASSWORD, ["coordinator"])
        db.session.commit()
        print(
            f"audit {audit_id}: 500 cases × 12 agencies × 60 questions loaded in {time.perf_counter() - started:.1f} s"
        )
        db.engine.dispose()
    return audit_id


def signed_in_client(app, email: str, password: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 302, f"{email} could not sign in"
    return client


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def child(url: str, audit_id: int, extension: str, layout: str) -> None:
    """One download in this process; prints its figures as one line of JSON."""
    from audit_app import create_app
    from config import TestingConfig

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Config)
    client = signed_in_client(app, COORDINATOR, PASSWORD)
    client.get(f"/audits/{audit_id}")  # the app warmed up: templates, the first statements
    before = peak_mb()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    response = client.get(f"/audits/{audit_id}/analysis/answers.{extension}?layout={layout}")
    first = time.perf_counter() - started
    assert response.status_code == 200 and response.is_streamed
    size = pieces = 0
    for piece in response.response:
        size += len(piece)
        pieces += 1
    total = time.perf_counter() - started
    response.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu_before
    figures = {"first_byte_s": first, "total_s": total, "cpu_s": cpu, "bytes": size, "pieces": pieces}
    figures["peak_mb"] = peak_mb()
    print(json.dumps(figures | {"added_mb": figures["peak_mb"] - before}))


def measure(url: str, audit_id: int, extension: str, layout: str, runs: int) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, __file__, "--child", url, str(audit_id), extension, layout],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        samples.append(json.loads(out.strip().splitlines()[-1]))
    return {key: statistics.median(s[key] for s in samples) for key in samples[0]}


def run(url: str, runs: int) -> bool:
    import sqlalchemy as sa

    audit_id = build(url)
    engine = sa.engine.make_url(url).get_backend_name()
    results = {}
    for extension, layout in FILES:
        name = f"answers.{extension}?layout={layout}"
        results[name] = figures = measure(url, audit_id, extension, layout, runs)
        print(
            f"export db={engine} file={name} first_byte_s={figures['first_byte_s']:.3f} "
            f"total_s={figures['total_s']:.2f} cpu_s={figures['cpu_s']:.2f} size_mb={figures['bytes'] / 1e6:.1f} "
            f"pieces={figures['pieces']:.0f} "
            f"peak_mb={figures['peak_mb']:.0f} added_mb={figures['added_mb']:.0f}"
        )
    slowest = max(results, key=lambda name: results[name]["total_s"])
    worst = {key: max(figures[key] for figures in results.values()) for key in LIMITS}
    print(
        f"exports db={engine} slowest={slowest} slowest_s={worst['total_s']:.2f} "
        f"first_byte_s={worst['first_byte_s']:.3f} peak_mb={worst['peak_mb']:.0f}"
    )
    return all(worst[key] <= limit for key, limit in LIMITS.items())


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        url, audit_id, extension, layout = sys.argv[2:6]
        child(url, int(audit_id), extension, layout)
        return
    from tests.perf.harness import benchmark_main

    within = benchmark_main(run, __doc__.splitlines()[0], runs=1)
    sys.exit(0 if within else 1)


if __name__ == "__main__":
    main()
