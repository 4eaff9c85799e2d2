"""Benchmark: how the analysis, the briefing and the return page grow from 1× to 10× an audit's size.

Run: .venv/bin/python tests/perf/bench_growth.py [--database-url URL] [--runs N]

One database holds two synthetic audits (tests/perf/synthetic.py): 500 cases × 12 agencies ×
60 questions (1×) and 5,000 cases × 12 agencies × 60 questions (10×, 3.6 million answers). Without
a URL it is a new SQLite file; a PostgreSQL URL must name a database whose name contains "bench"
(created if missing, its schema rebuilt), e.g. postgresql+psycopg://postgres@127.0.0.1:5432/bench_growth.

For each audit it times what a person waits for: the analysis page's data (``analysis_data`` and
the filter choices), the learning briefing (``briefing_content`` and ``build_briefing_pdf``), an
auditor's return page (GET /returns/<id> through the Flask test client, signed in), the pages the
page-speed crawl (crawl_pages.py) found slowest, as a signed-in coordinator (the audit's page, its
analysis page and the panel's list), and the long answer downloads (CSV and XLSX, streamed, read to
the end; timed twice per audit, not per round: at 10× each takes half a minute). Each figure is
the median of several rounds after a warm-up; within a round the audits take turns, so a busy
moment on the machine slows both alike. The analysis must grow no faster than its data: at 10× it
may cost at most 12× (exit status 1 otherwise). The last line is:
growth db=<db> analysis_ratio=<r> briefing_ratio=<r> return_page_ratio=<r> ... limit=12
(a ratio for each thing timed), and exit status 1 if any of the analysis, the pages or the downloads
costs more than 12× at 10×.
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a plain script from the repository

import sqlalchemy as sa  # noqa: E402

from audit_app.data.analysis import analysis_data, case_filter_choices  # noqa: E402
from audit_app.data.briefings import briefing_content  # noqa: E402
from audit_app.data.tools import definition_of  # noqa: E402
from audit_app.data.users import create_user  # noqa: E402
from audit_app.extensions import db  # noqa: E402
from audit_app.models import Agency, Answer, Audit, Case, Return  # noqa: E402
from reports.briefing_pdf import build_briefing_pdf  # noqa: E402
from tests.perf.harness import benchmark_app, benchmark_main  # noqa: E402
from tests.perf.synthetic import make_audit  # noqa: E402

SCALES = {"1x": 500, "10x": 5_000}
LIMIT = 12.0  # 10× the data may cost at most 12× the time: growth stays linear
PASSWORD = "growth benchmark passphrase"
AUDITOR = "auditor@growth.example"
COORDINATOR = "coordinator@growth.example"
PAGES = {  # the crawl's slowest pages of an audit (see docs/PERFORMANCE.md, "Page-speed crawl")
    "audit_page": "/audits/{audit}",
    "analysis_page": "/audits/{audit}/analysis",
    "panel_page": "/audits/{audit}/panel",
    "coding_page": "/audits/{audit}/coding",  # slow on PostgreSQL until its JIT was turned off
}
DOWNLOADS = {
    "csv_long": "/audits/{audit}/analysis/answers.csv?layout=long",
    "xlsx_long": "/audits/{audit}/analysis/answers.xlsx?layout=long",
}


def build(scales: dict[str, int]) -> dict[str, int]:
    """Both audits, and an auditor of the first agency; returns audit ids by scale."""
    audits = {}
    for seed, (scale, cases) in enumerate(scales.items(), start=1):
        started = time.perf_counter()
        audits[scale] = make_audit(db.session, cases=cases, agencies=12, questions=60, seed=seed)
        answers = db.session.scalar(
            sa.select(sa.func.count()).select_from(Answer).join(Return).join(Case).where(Case.audit_id == audits[scale])
        )
        print(f"{scale}: {cases} cases, {answers:,} answers loaded in {time.perf_counter() - started:.1f} s")
    agency = db.session.scalar(sa.select(Agency).where(Agency.short_name == "SY01"))
    create_user(AUDITOR, "Growth auditor", PASSWORD, ["auditor"], agency)
    create_user(COORDINATOR, "Growth coordinator", PASSWORD, ["coordinator"])
    db.session.commit()
    return audits


def signed_in_client(app, email: str = AUDITOR):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, "the benchmark's auditor could not sign in"
    return client


def actions(app, audit_id: int) -> dict:
    """What is timed for one audit: each a function of no arguments."""
    with app.app_context():
        return_id = db.session.scalar(
            sa.select(Return.id)
            .join(Case)
            .join(Agency)
            .where(Case.audit_id == audit_id, Agency.short_name == "SY01")
            .limit(1)
        )
    client = signed_in_client(app)

    def analysis():
        with app.app_context():
            audit = db.session.get(Audit, audit_id)
            case_filter_choices(audit)
            return analysis_data(audit, definition_of(audit.tool_version))

    def briefing():
        with app.app_context():
            return build_briefing_pdf(briefing_content(db.session.get(Audit, audit_id)))

    def return_page():
        response = client.get(f"/returns/{return_id}")
        assert response.status_code == 200
        return response

    coordinator = signed_in_client(app, COORDINATOR)

    def page(url: str):
        def get():
            response = coordinator.get(url.format(audit=audit_id))
            assert response.status_code == 200, url
            return response.get_data()

        return get

    def download(url: str):
        def get():
            response = coordinator.get(url.format(audit=audit_id))
            assert response.status_code == 200, url
            # Read piece by piece and let each go, as a browser saving the file does: at 10× the long CSV is
            # some 700 MB, and holding it all (get_data) timed this process's memory, not the app's work.
            return sum(len(piece) for piece in response.response)

        return get

    return {
        "analysis": analysis,
        "briefing": briefing,
        "return_page": return_page,
        **{name: page(url) for name, url in PAGES.items()},
    }, {name: download(url) for name, url in DOWNLOADS.items()}


def _medians(taken: dict) -> dict[str, dict[str, float]]:
    return {
        scale: {name: statistics.median(times) for name, times in by_name.items()} for scale, by_name in taken.items()
    }


def measure(app, audits: dict[str, int], runs: int) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """Median seconds per scale and action, the scales taking turns within each round: wall-clock time, and
    this process's CPU time (which a busy machine disturbs far less; on PostgreSQL the server's share is not in it)."""
    timed, downloads = {}, {}
    for scale, audit_id in audits.items():
        timed[scale], downloads[scale] = actions(app, audit_id)
    samples: dict[str, dict[str, list[float]]] = {scale: {} for scale in audits}
    cpu: dict[str, dict[str, list[float]]] = {scale: {} for scale in audits}

    def timed_run(scale: str, name: str, action) -> None:
        started, cpu_started = time.perf_counter(), time.process_time()
        action()
        samples[scale].setdefault(name, []).append(time.perf_counter() - started)
        cpu[scale].setdefault(name, []).append(time.process_time() - cpu_started)

    def round_of(work_by_scale: dict[str, dict], order: list[str]) -> None:
        for scale in order:
            for name, action in work_by_scale[scale].items():
                timed_run(scale, name, action)

    # Twice each, the scales in one order and then the other: a download timed first in a fresh process ran
    # a fifth faster than the same download timed after the other scale's, which made the ratio 12-13 when
    # 1× always went first and 10 when 10× did.
    round_of(downloads, list(downloads))
    round_of(downloads, list(reversed(downloads)))
    for work in timed.values():
        for action in work.values():
            action()  # warm-up: caches, fonts, the first statement plans
    for _ in range(runs):
        round_of(timed, list(timed))
    return _medians(samples), _medians(cpu)


def run(url: str, runs: int) -> bool:
    app = benchmark_app(url)
    with app.app_context():
        engine = db.engine.dialect.name
        audits = build(SCALES)
    times, cpu = measure(app, audits, runs)
    for scale, figures in times.items():
        print(
            f"growth db={engine} scale={scale} cases={SCALES[scale]} "
            + " ".join(f"{name}_s={seconds:.3f}" for name, seconds in figures.items())
        )
        print(
            f"growth db={engine} scale={scale} cpu: "
            + " ".join(f"{name}_cpu_s={seconds:.3f}" for name, seconds in cpu[scale].items())
        )
    cpu_ratios = {name: cpu["10x"][name] / max(cpu["1x"][name], 1e-6) for name in cpu["1x"]}
    print(f"growth db={engine} cpu: " + " ".join(f"{name}_cpu_ratio={ratio:.2f}" for name, ratio in cpu_ratios.items()))
    ratios = {name: times["10x"][name] / times["1x"][name] for name in times["1x"]}
    print(
        f"growth db={engine} "
        + " ".join(f"{name}_ratio={ratio:.2f}" for name, ratio in ratios.items())
        + f" limit={LIMIT:g}"
    )
    with app.app_context():
        db.engine.dispose()
    bounded = ("analysis", *PAGES, *DOWNLOADS)  # the briefing and the return page barely grow: not bounded
    return all(ratios[name] <= LIMIT for name in bounded)


def main() -> None:
    linear = benchmark_main(run, __doc__.splitlines()[0], runs=5)
    sys.exit(0 if linear else 1)


if __name__ == "__main__":
    main()
