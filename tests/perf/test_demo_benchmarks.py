"""Benchmarks on the demo audit: they print figures and assert nothing about time (`make perf`)."""

import statistics
import time

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from audit_app import create_app
from audit_app.data.analysis import question_summaries
from audit_app.data.briefings import briefing_content
from audit_app.data.tools import definition_of
from audit_app.extensions import db
from audit_app.models import Audit
from config import TestingConfig
from reports.briefing_pdf import build_briefing_pdf

RUNS = 20


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path_factory.mktemp('perf') / 'perf.db'}"

    app = create_app(Config)
    with app.app_context():
        upgrade()
        assert app.test_cli_runner().invoke(args=["demo", "--password", "benchmark password"]).exit_code == 0
    return app


def _time(action) -> tuple[float, float]:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), max(samples)


def test_analysis_and_briefing_on_the_demo_audit(demo_app):
    with demo_app.app_context():
        audit = db.session.scalar(select(Audit).where(Audit.state == "analysis"))
        definition = definition_of(audit.tool_version)
        figures = {
            "analysis (SQL + summaries)": _time(lambda: question_summaries(audit, definition)),
            "briefing content": _time(lambda: briefing_content(audit)),
            "briefing PDF (reportlab + charts)": _time(lambda: build_briefing_pdf(briefing_content(audit))),
        }
    for name, (median, worst) in figures.items():
        print(f"bench {name}: median {median:.1f} ms, worst {worst:.1f} ms over {RUNS} runs")
    assert all(median > 0 for median, _ in figures.values())
