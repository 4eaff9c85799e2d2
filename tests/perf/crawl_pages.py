"""Page-speed crawl: every page of a 500-case audit, in each state that has pages, as each role.

Run: .venv/bin/python tests/perf/crawl_pages.py [--database-url URL] [--runs N]   (`make perf` runs it)

The database (a new SQLite file, or the PostgreSQL database the URL names, whose name must contain
"bench") gets the demo data, what the every-page accessibility crawl adds to it
(tests/browser/site_map.py: ``prepare``), and four synthetic audits of 500 cases × 12 agencies × 60
questions (tests/perf/synthetic.py), one in each state that has pages: open, panel, analysis and
published (the last with a published briefing, the analysis one with a draft). An auditor of the
first synthetic agency stands in for the demo's auditor, whose agency has no synthetic returns.

The pages are the accessibility crawl's own list (``pages_for``: every GET route of the URL map each
role may open, filled with real ids), with its three audits (open, analysis, published) all standing
for the synthetic audit of one state at a time; a page whose URL names no audit is visited once. Each
is requested through the Flask test client by a signed-in client of each role (the whole app runs,
its middleware and templates included; only the network is left out), timed with perf_counter, and
its body measured (and this process's CPU time for it, which a busy machine disturbs far less than
the wall-clock time; on SQLite it is all the work). A page that takes over 0.2 s is requested
``--runs`` times (3) and its median kept.
Any 5xx fails the crawl. It prints one line per page, the slowest twenty again, and last:
pages=<n> slowest=<path> slowest_s=<s> p95_s=<s>
Exit status 1 when slowest_s is over 1.0 s or a page failed.
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a plain script from the repository

import sqlalchemy as sa  # noqa: E402

from audit_app.briefings.workflow import publish_version  # noqa: E402
from audit_app.data import briefing_versions as versions  # noqa: E402
from audit_app.data.users import create_user  # noqa: E402
from audit_app.extensions import db  # noqa: E402
from audit_app.models import Agency, Audit, Case, Concern, Return  # noqa: E402
from audit_tools.briefing import unresolved  # noqa: E402
from tests.browser.site_map import (  # noqa: E402 (and the accessibility crawl's own steps: _people, _publish…)
    DOMAIN,
    ROLES,
    SIGNED_OUT,
    World,
    _people,
    email_of,
    pages_for,
    prepare,
)
from tests.perf.harness import benchmark_app, benchmark_main  # noqa: E402
from tests.perf.synthetic import make_audit  # noqa: E402

STATES = ("open", "panel", "analysis", "published")
PASSWORD = "page speed crawl passphrase"
SYNTHETIC_AUDITOR = f"auditor-sy01@{DOMAIN}"
LIMIT_S = 1.0
SLOW_S = 0.2  # a page slower than this is requested again, and its median kept


@dataclass(frozen=True)
class Visit:
    state: str
    role: str
    endpoint: str
    url: str
    status: int
    seconds: float
    cpu: float  # this process's CPU time for it: all of the work on SQLite, the app's side on PostgreSQL
    size: int
    html: bool  # a page, not a file to download (the exports have their own benchmark, bench_exports.py)


def build(app) -> dict[str, World]:
    """The demo, the accessibility crawl's additions, and one synthetic audit per state: a World for each."""
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["demo", "--password", PASSWORD], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    world = prepare(app)
    worlds = {}
    with app.app_context():
        people = _people()
        for seed, state in enumerate(STATES, start=1):
            started = time.perf_counter()
            made = "analysis" if state == "published" else state
            audit = db.session.get(
                Audit, make_audit(db.session, cases=500, agencies=12, questions=60, seed=seed, state=made)
            )
            briefing_id = None
            if state == "published":
                briefing_id = _publish_briefing(audit, people).id
            elif state == "analysis":
                briefing_id = versions.start_draft(audit, people["editor"]).id
            db.session.commit()
            values = _audit_values(audit, briefing_id)
            # What the synthetic audit lacks (a briefing before analysis, a concern) is the demo's.
            worlds[state] = replace(
                world, audits={name: {**ids, **_known(values)} for name, ids in world.audits.items()}
            )
            print(
                f"{state}: audit {audit.id} ({audit.state}) ready in {time.perf_counter() - started:.1f} s", flush=True
            )
        agency = db.session.scalar(sa.select(Agency).where(Agency.short_name == "SY01"))
        create_user(SYNTHETIC_AUDITOR, "Synthetic auditor", PASSWORD, ["auditor"], agency)
        db.session.commit()
    return worlds


def _publish_briefing(audit: Audit, people: dict):
    """Draft (editor), let every possible identifier through with a reason, approve and publish (coordinator)."""
    briefing = versions.start_draft(audit, people["editor"])
    for content in (briefing.content, versions.content_for_publication(briefing)):
        for finding in unresolved(versions.disclosure_findings(briefing, content)):
            kind, text, section = finding.key
            hit = {"kind": kind, "text": text, "section": section}
            versions.add_override(briefing, hit, "Checked: fictional synthetic data.", people["editor"])
    versions.approve(briefing, people["coordinator"], 0)
    publish_version(briefing, people["coordinator"])
    return briefing


def _audit_values(audit: Audit, briefing_id: int | None) -> dict:
    """As the accessibility crawl fills an audit's URLs, with the synthetic audit's first case and SY01 return."""
    first_case = db.session.scalar(sa.select(Case).where(Case.audit_id == audit.id).order_by(Case.reference).limit(1))
    return_id = db.session.scalar(
        sa.select(Return.id).join(Agency).where(Return.case_id == first_case.id, Agency.short_name == "SY01")
    )
    from audit_app.data.learning import learning_points, recommendations

    points, actions = learning_points(audit), recommendations(audit)
    return {
        "audit_id": audit.id,
        "case_id": first_case.id,
        "return_id": return_id,
        "briefing_id": briefing_id,
        "point_id": points[0].id if points else None,
        "recommendation_id": actions[0].id if actions else None,
        "concern_id": db.session.scalar(sa.select(Concern.id).where(Concern.audit_id == audit.id).limit(1)),
    }


def _known(values: dict) -> dict:
    return {name: value for name, value in values.items() if value is not None}


def signed_in(app, role: str):
    client = app.test_client()
    if role == SIGNED_OUT:
        return client
    email = SYNTHETIC_AUDITOR if role == "auditor" else email_of(role)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    data = {"email": email, "password": PASSWORD, "csrf_token": token.group(1) if token else ""}
    assert client.post("/login", data=data).status_code == 302, f"{email} could not sign in"
    return client


def timed_get(client, url: str) -> tuple[int, float, float, int, bool]:
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    body = response.get_data()  # a streamed body is written as it is read: part of the time
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    page = response.mimetype == "text/html" and "attachment" not in response.headers.get("Content-Disposition", "")
    return response.status_code, seconds, cpu, len(body), page  # a briefing's .html file is a download


def crawl(app, worlds: dict[str, World], runs: int) -> list[Visit]:
    visits: list[Visit] = []
    seen: set[tuple[str, str]] = set()
    clients = {role: signed_in(app, role) for role in (*ROLES, SIGNED_OUT)}
    for state, world in worlds.items():
        for role, client in clients.items():
            for page in pages_for(app, world, role):
                if (role, page.url) in seen:
                    continue  # a page that names no audit: visited in the first state only
                seen.add((role, page.url))
                status, seconds, cpu, size, html = timed_get(client, page.url)
                if html and seconds > SLOW_S and runs > 1:
                    again = [timed_get(client, page.url) for _ in range(runs - 1)]
                    seconds = statistics.median([seconds] + [timing[1] for timing in again])
                    cpu = statistics.median([cpu] + [timing[2] for timing in again])
                visits.append(Visit(state, role, page.endpoint, page.url, status, seconds, cpu, size, html))
                print(
                    f"{'page' if html else 'file'} state={state} role={role} status={status} s={seconds:.3f} "
                    f"cpu_s={cpu:.3f} kb={size / 1024:.0f} {page.url}",
                    flush=True,
                )
    return visits


def run(url: str, runs: int) -> bool:
    app = benchmark_app(url)
    worlds = build(app)
    started = time.perf_counter()
    visits = crawl(app, worlds, runs)
    with app.app_context():
        engine = db.engine.dialect.name
        db.engine.dispose()
    failed = [v for v in visits if v.status >= 500]
    files = [v for v in visits if not v.html]
    visits = [v for v in visits if v.html]
    ranked = sorted(visits, key=lambda v: v.seconds, reverse=True)
    print(f"crawl db={engine}: {len(visits)} pages and {len(files)} files in {time.perf_counter() - started:.0f} s")
    if files:
        slowest_file = max(files, key=lambda v: v.seconds)
        print(f"files={len(files)} slowest={slowest_file.url} slowest_s={slowest_file.seconds:.3f}")
    print("the slowest pages:")
    for v in ranked[:20]:
        print(
            f"  {v.seconds:.3f} s (cpu {v.cpu:.3f} s) {v.size / 1024:6.0f} KB  "
            f"{v.state:9} {v.role:11} {v.status} {v.url}"
        )
    for v in failed:
        print(f"FAILED {v.status}: {v.role} {v.url}")
    times = sorted(v.seconds for v in visits)
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    slowest = ranked[0]
    by_cpu = max(visits, key=lambda v: v.cpu)
    print(
        f"cpu: slowest={by_cpu.url} ({by_cpu.role}, {by_cpu.state}) cpu_s={by_cpu.cpu:.3f} "
        "(a busy machine stretches s far more than cpu_s)"
    )
    print(f"pages={len(visits)} slowest={slowest.url} slowest_s={slowest.seconds:.3f} p95_s={p95:.3f}")
    return slowest.seconds <= LIMIT_S and not failed


def main() -> None:
    within = benchmark_main(run, __doc__.splitlines()[0], runs=3)
    sys.exit(0 if within else 1)


if __name__ == "__main__":
    main()
