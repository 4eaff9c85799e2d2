"""`flask retention run`: an audit's case-level answers and free text go once it has been closed for
the retention period; published briefings and the counts stay. Tested with a frozen clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import func, or_, select

from audit_app.data.audits import advance
from audit_app.data.users import find_user_by_email
from audit_app.extensions import db
from audit_app.maintenance.retention import (
    DEFAULT_RETENTION_MONTHS,
    RETENTION_EVENT,
    add_months,
    apply_retention,
    retention_months,
)
from audit_app.models import (
    Answer,
    AuditEvent,
    Briefing,
    Case,
    Coding,
    EvidenceNote,
    FrameRow,
    PanelRecord,
    RescuedDraft,
    Return,
    SampleFrame,
    Theme,
)

CLOSED_AT = datetime(2024, 1, 10, 15, 0, tzinfo=UTC)
DUE = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)  # 24 months after closure
DAY_BEFORE = datetime(2026, 1, 9, 23, 0, tzinfo=UTC)
TEXT = "Mum said the home had no heating since October"  # invented free text


def fill(factory, state: str = "closed", title: str = "Neglect audit 2023"):
    """An audit with one of everything retention deals with, its closure recorded at CLOSED_AT."""
    audit = factory.audit(state=state, cases=2)
    audit.title = title
    theme = db.session.scalar(select(Theme).where(Theme.slug == "home")) or Theme(slug="home", name="Home conditions")
    frame = SampleFrame(audit_id=audit.id, filename="frame.csv", sha256="a" * 64, row_count=2, columns=["reference"])
    frame.rows = [FrameRow(line=n, reference=f"F-{n}", attributes={"locality": "Northfield"}) for n in (1, 2)]
    db.session.add_all([theme, frame])
    author = find_user_by_email("viewer-x@test.example") or factory.user("viewer")  # whose draft it was
    for case in audit.cases:
        case.exclusion_reason = TEXT
        db.session.add(PanelRecord(case_id=case.id, agreed_grade="good", rationale=TEXT, dissent=TEXT, learning=TEXT))
        for ret in case.returns:
            ret.state, ret.amendment_reason, ret.no_involvement_reason = "accepted", TEXT, TEXT
            ret.answers.extend(
                [Answer(question_key="home", value="no", score=0.0), Answer(question_key="story", value=TEXT)]
            )
            db.session.add_all(
                [
                    EvidenceNote(return_id=ret.id, question_key="home", text=TEXT),
                    RescuedDraft(
                        token=f"t{ret.id}",
                        return_id=ret.id,
                        user_id=author.id,
                        form=[["q_story", TEXT]],
                        fields=["q_story"],
                        address_digest="a" * 64,
                    ),
                ]
            )
        db.session.flush()
        db.session.add(
            Coding(
                audit_id=audit.id,
                case_id=case.id,
                source="panel",
                source_key=str(case.id),
                excerpt=TEXT,
                theme_id=theme.id,
                status="confirmed",
            )
        )
    db.session.add_all(
        [
            Briefing(
                audit_id=audit.id,
                number=1,
                state="published",
                content={"title": "Eyes on"},
                pdf=b"%PDF-1.7 published",
                sha256="b" * 64,
            ),
            Briefing(audit_id=audit.id, number=2, state="draft", content={"findings": TEXT}),
        ]
    )
    db.session.commit()
    if state == "closed":
        close(factory, audit, CLOSED_AT)
    return audit


def close(factory, audit, when: datetime) -> None:
    """Close a published audit at ``when`` the way the coordinator does, so its trail is the real one."""
    coordinator = find_user_by_email("coordinator-x@test.example") or factory.user("coordinator")
    audit.state = "published"
    with time_machine.travel(when, tick=False):
        assert advance(audit, coordinator) == "closed"
        db.session.commit()


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def case_level(audit) -> dict[str, int]:
    """How much of an audit's case-level content is there."""
    cases = select(Case.id).where(Case.audit_id == audit.id)
    returns = select(Return.id).where(Return.case_id.in_(cases))
    frames = select(SampleFrame.id).where(SampleFrame.audit_id == audit.id)
    return {
        "answers": count(Answer, Answer.return_id.in_(returns)),
        "notes": count(EvidenceNote, EvidenceNote.return_id.in_(returns)),
        "drafts": count(RescuedDraft, RescuedDraft.return_id.in_(returns)),
        "frame rows": count(FrameRow, FrameRow.frame_id.in_(frames)),
        "excerpts": count(Coding, Coding.audit_id == audit.id, Coding.excerpt != ""),
        "panel text": count(
            PanelRecord,
            PanelRecord.case_id.in_(cases),
            or_(PanelRecord.rationale != "", PanelRecord.dissent != "", PanelRecord.learning != ""),
        ),
        "reasons": count(
            Return, Return.case_id.in_(cases), or_(Return.amendment_reason != "", Return.no_involvement_reason != "")
        ),
        "exclusions": count(Case, Case.audit_id == audit.id, Case.exclusion_reason != ""),
        "briefing drafts": count(Briefing, Briefing.audit_id == audit.id, Briefing.state != "published"),
    }


def kept(audit) -> dict:
    """What must survive retention: the counts, grades, codings, frame fingerprint and published briefing."""
    cases = select(Case.id).where(Case.audit_id == audit.id)
    return {
        "returns by state": dict(
            db.session.execute(
                select(Return.state, func.count()).where(Return.case_id.in_(cases)).group_by(Return.state)
            ).all()
        ),
        "grades": sorted(db.session.scalars(select(PanelRecord.agreed_grade).where(PanelRecord.case_id.in_(cases)))),
        "codings": count(Coding, Coding.audit_id == audit.id, Coding.status == "confirmed"),
        "frame": db.session.execute(
            select(SampleFrame.sha256, SampleFrame.row_count).where(SampleFrame.audit_id == audit.id)
        ).all(),
        "published pdf": db.session.scalars(
            select(Briefing.pdf).where(Briefing.audit_id == audit.id, Briefing.state == "published")
        ).all(),
    }


def run(runner, when: datetime, *args: str):
    with time_machine.travel(when, tick=False):
        result = runner.invoke(args=["retention", "run", *args])
    db.session.expire_all()
    return result


def retention_events(audit) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == RETENTION_EVENT, AuditEvent.object_id == audit.id)
        )
    )


def test_v14_2_7_case_level_data_goes_once_the_period_after_closure_has_passed(factory, runner):
    """ASVS 5.0 V14.2.7 (deleted automatically on a defined schedule) and V14.2.4 (retention as documented)."""
    audit = fill(factory)
    before = kept(audit)
    result = run(runner, DUE)
    assert result.exit_code == 0, result.output
    assert set(case_level(audit).values()) == {0}
    assert kept(audit) == before and before["published pdf"] == [b"%PDF-1.7 published"]
    summary = f"Audit {audit.id} (Neglect audit 2023): removed 8 answers, 4 evidence notes, 4 rescued drafts"
    assert summary in result.output
    assert "Retention (24 months after closure) applied to 1 audit." in result.output
    [event] = retention_events(audit)
    assert event.after["removed"]["answers"] == 8 and event.after["closed_on"] == "2024-01-10"
    assert set(event.after["removed"]) >= {"evidence_notes", "panel_records_text", "returns_reasons"}  # all named


def test_v14_2_7_nothing_goes_a_day_before_the_period_is_over(factory, runner):
    audit = fill(factory)
    before = case_level(audit)
    result = run(runner, DAY_BEFORE)
    assert result.exit_code == 0, result.output
    assert case_level(audit) == before and 0 not in before.values()
    assert "closed on 10 January 2024; case-level data kept until 10 January 2026." in result.output
    assert "applied to 0 audits: nothing to do." in result.output
    assert retention_events(audit) == []


def test_v14_2_7_a_second_run_finds_nothing_to_do_and_says_so(factory, runner):
    audit = fill(factory)
    run(runner, DUE)
    second = run(runner, datetime(2026, 2, 1, tzinfo=UTC))
    assert second.exit_code == 0
    assert (
        f"Audit {audit.id} (Neglect audit 2023): nothing to do, retention was applied on 10 January 2026."
        in second.output
    )
    assert "nothing to do." in second.output.splitlines()[-1]
    assert len(retention_events(audit)) == 1


def test_v14_2_7_only_the_expired_audit_is_touched(factory, runner):
    expired = fill(factory, title="Closed long ago")
    still_open = fill(factory, state="analysis", title="Still in analysis")
    recent = fill(factory, title="Closed recently")
    close(factory, recent, datetime(2025, 12, 1, tzinfo=UTC))  # reopened and closed again: this counts
    untouched = {audit.id: case_level(audit) for audit in (still_open, recent)}
    run(runner, datetime(2026, 6, 1, tzinfo=UTC))
    assert set(case_level(expired).values()) == {0}
    assert {audit.id: case_level(audit) for audit in (still_open, recent)} == untouched


def test_a_dry_run_counts_but_changes_nothing(factory, runner):
    audit = fill(factory)
    before = case_level(audit)
    result = run(runner, DUE, "--dry-run")
    assert result.exit_code == 0
    assert "would remove 8 answers" in result.output and "would apply to 1 audit." in result.output
    assert case_level(audit) == before
    assert retention_events(audit) == []


def test_a_closed_audit_with_no_record_of_closing_is_reported_and_kept(factory, runner):
    audit = fill(factory, state="analysis")
    audit.state = "closed"
    db.session.commit()
    result = run(runner, datetime(2035, 1, 1, tzinfo=UTC))
    assert "the audit trail does not say when; nothing removed" in result.output
    assert 0 not in case_level(audit).values()


def test_the_period_comes_from_the_configuration(app, factory, monkeypatch):
    monkeypatch.setitem(app.config, "RETENTION_MONTHS", 6)
    audit = fill(factory)
    [early] = apply_retention(date(2024, 7, 9), retention_months())
    assert early.removed == {} and early.due_on == date(2024, 7, 10)
    [due] = apply_retention(date(2024, 7, 10), retention_months())
    db.session.commit()
    assert due.removed["answers"] == 8 and set(case_level(audit).values()) == {0}


def test_a_bad_retention_setting_is_refused_clearly(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "RETENTION_MONTHS", 0)
    result = runner.invoke(args=["retention", "run"])
    assert result.exit_code == 1 and "RETENTION_MONTHS must be a whole number of months, 1 or more" in result.output


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 1, 10), 24, date(2026, 1, 10)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 11, 30), 3, date(2024, 2, 29)),
        (date(2024, 12, 15), 13, date(2026, 1, 15)),
    ],
)
def test_months_are_counted_on_the_calendar(day, months, expected):
    assert add_months(day, months) == expected


def test_the_default_period_is_two_years():
    assert DEFAULT_RETENTION_MONTHS == 24
