"""`flask briefing build`: the newest published version as published, else the newest draft, else a fresh draft."""

import hashlib
import io

from pypdf import PdfReader

from audit_app.data import briefing_versions
from audit_app.extensions import db
from audit_app.models import Briefing
from tests.app.roles_briefings import draft_for, reload


def build(runner, audit_id, tmp_path, html: bool = False):
    args = ["briefing", "build", str(audit_id), "--out", str(tmp_path / "brief.pdf")]
    if html:
        args += ["--html", str(tmp_path / "brief.html")]
    return runner.invoke(args=args)


def test_unknown_audit_exits_2_with_a_clear_message(runner, ctx, tmp_path):
    result = build(runner, 999, tmp_path)
    assert result.exit_code == 2 and "No audit 999" in result.output
    assert not (tmp_path / "brief.pdf").exists()


def test_an_audit_without_a_briefing_gets_a_fresh_draft_not_saved(runner, factory, tmp_path):
    audit = factory.audit(state="analysis")
    result = build(runner, audit.id, tmp_path, html=True)
    assert result.exit_code == 0, result.output
    pdf = (tmp_path / "brief.pdf").read_bytes()
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert f"brief.pdf: {pages} page" in result.output and "a new draft from the audit's data" in result.output
    assert "Learning from the audit: Neglect" in (tmp_path / "brief.html").read_text(encoding="utf-8")
    assert db.session.query(Briefing).count() == 0


def test_the_newest_draft_is_built(runner, factory, tmp_path):
    audit, briefing = draft_for(factory)
    row = reload(briefing)
    row.content = {**row.content, "topic": "Drift and delay"}
    db.session.commit()
    result = build(runner, audit.id, tmp_path, html=True)
    assert result.exit_code == 0 and "(version 1, draft)" in result.output
    text = " ".join(page.extract_text() for page in PdfReader(tmp_path / "brief.pdf").pages)
    assert "Drift and delay" in " ".join(text.split())
    assert "Learning from the audit: Drift and delay" in (tmp_path / "brief.html").read_text(encoding="utf-8")


def test_a_published_version_is_written_exactly_as_published(runner, factory, tmp_path):
    from audit_tools.briefing import content_from_dict
    from reports.briefing_pdf import build_briefing_pdf

    audit, briefing = draft_for(factory)
    row = reload(briefing)
    published = build_briefing_pdf(content_from_dict({**row.content, "topic": "As it was published"}))
    row.state, row.pdf, row.html = "published", published, "<!DOCTYPE html><p>as published</p>"
    row.sha256 = hashlib.sha256(row.pdf).hexdigest()
    db.session.commit()
    briefing_versions.start_draft(audit, row.created_by, copy_of=row)  # a newer draft, not the one to build
    db.session.commit()
    result = runner.invoke(
        args=["briefing", "build", str(audit.id), "--out", str(tmp_path / "b.pdf"), "--html", str(tmp_path / "b.html")]
    )
    assert "(version 1, published)" in result.output
    assert hashlib.sha256((tmp_path / "b.pdf").read_bytes()).hexdigest() == row.sha256
    assert (tmp_path / "b.html").read_text(encoding="utf-8") == "<!DOCTYPE html><p>as published</p>"
