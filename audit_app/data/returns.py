"""Agency returns: who may see them, saving answers safely, and submitting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Select, and_, case, delete, func, select
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.exc import StaleDataError

from audit_app.data import notices
from audit_app.data.assignments import may_work_on, visible_to
from audit_app.data.audits import effective_due
from audit_app.data.events import record_event
from audit_app.data.moderation import blind_to
from audit_app.extensions import db
from audit_app.models import AgencyExtension, Answer, Audit, Case, EvidenceNote, Return, User
from audit_tools.errors import WorkbenchError
from audit_tools.returns import answers as answer_rules
from audit_tools.states import RETURN_MOVES, AuditState, ReturnState, Role, check_move, may_move
from audit_tools.tools import Question, ToolDefinition

EDITABLE_STATES = (ReturnState.DRAFT, ReturnState.RETURNED)  # a "no involvement" declaration is withdrawn first


class ReturnError(WorkbenchError):
    """A change to a return was refused; the message says why."""


class StaleReturnError(ReturnError):
    """Someone saved the return after this form was opened."""


class InvalidAnswersError(ReturnError):
    """Answers that break the tool's rules; ``problems`` maps each answer or note key to a message."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("Some answers need correcting.")
        self.problems = problems


RETURNS_PAGE_SIZE = 50  # returns to a page of one audit's list (a large agency may be asked for hundreds)
RETURN_FILTERS: dict[str, tuple[ReturnState, ...]] = {  # "My returns" shows: every return, or those…
    "all": (),
    "to_complete": EDITABLE_STATES,  # …still to complete (drafts, and those sent back for amendment)
    "done": (ReturnState.SUBMITTED, ReturnState.ACCEPTED, ReturnState.NO_INVOLVEMENT),  # …or done with
}


@dataclass(frozen=True)
class MyAudit:
    """One audit on "My returns": how many of its returns this auditor may work on, by state, and when they are due
    (the agency's extended date where it has one)."""

    audit: Audit
    due: date | None
    by_state: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_state.values())

    def count(self, show: str) -> int:
        return self.total if show == "all" else sum(self.by_state.get(s, 0) for s in RETURN_FILTERS[show])


@dataclass(frozen=True)
class ReturnsPage:
    """One page of an audit's returns for this auditor, and which page of how many."""

    rows: list[Return]
    page: int
    pages: int
    matching: int  # returns the chosen filter shows, on every page


def _mine(user: User) -> Select:
    """The returns ``user`` may work on, joined to their case and (not yet open) audit."""
    return (
        select(Return)
        .join(Case, Case.id == Return.case_id)
        .join(Audit, Audit.id == Case.audit_id)
        .where(visible_to(user), Audit.state != AuditState.SETUP)
    )


def my_audits(user: User, audit_id: int | None = None) -> list[MyAudit]:
    """The audits this auditor has returns on (or just ``audit_id``, if they have) — open audits first, then the
    newest — with their returns counted by state: two statements however many returns there are."""
    due = effective_due()
    mine = _mine(user) if audit_id is None else _mine(user).where(Case.audit_id == audit_id)
    counts = db.session.execute(
        mine.outerjoin(
            AgencyExtension,
            and_(AgencyExtension.audit_id == Case.audit_id, AgencyExtension.agency_id == Return.agency_id),
        )
        .with_only_columns(Case.audit_id, due, Return.state, func.count(Return.id))
        .group_by(Case.audit_id, due, Return.state)
    ).all()
    audits = db.session.scalars(
        select(Audit)
        .where(Audit.id.in_({row[0] for row in counts}))
        .order_by(case((Audit.state == AuditState.OPEN, 0), else_=1), Audit.year.desc(), Audit.title, Audit.id)
    )
    due_on: dict[int, date | None] = {}
    by_state: dict[int, dict[str, int]] = {}
    for audit_id, due_date, state, count in counts:
        due_on[audit_id] = due_date
        by_state.setdefault(audit_id, {})[state] = count
    return [MyAudit(audit, due_on[audit.id], by_state[audit.id]) for audit in audits]


def my_returns_page(user: User, mine: MyAudit, show: str = "all", page: int = 1) -> ReturnsPage:
    """A page of this auditor's returns on ``mine.audit`` by case reference, those ``show`` chooses, with their
    cases: one statement (``mine`` has already counted them)."""
    matching = mine.count(show)
    pages = max(1, -(-matching // RETURNS_PAGE_SIZE))
    page = min(page, pages)
    chosen = _mine(user).where(Case.audit_id == mine.audit.id)
    if states := RETURN_FILTERS[show]:
        chosen = chosen.where(Return.state.in_(states))
    rows = db.session.scalars(
        chosen.options(contains_eager(Return.case))
        .order_by(Case.reference, Return.id)
        .limit(RETURNS_PAGE_SIZE)
        .offset((page - 1) * RETURNS_PAGE_SIZE)
    )
    return ReturnsPage(list(rows), page, pages, matching)


def get_return_for_user(return_id: int, user: User) -> Return | None:
    """The return, but only for an auditor who may work on it: others get None (404). Its moderator is
    one of them only once their own blind grading is in (issue 21)."""
    ret = db.session.get(Return, return_id)
    if ret is None or not user.has_role(Role.AUDITOR) or not may_work_on(user, ret.case.audit_id, ret.agency_id):
        return None
    if blind_to(user, ret.id):
        return None
    if ret.case.audit.state == AuditState.SETUP:
        return None
    return ret


def current_version(return_id: int) -> int:
    """The version as stored now (after a refused save, for the form to carry next time)."""
    return db.session.execute(select(Return.version).where(Return.id == return_id)).scalar_one()  # the return exists


def is_editable(ret: Return) -> bool:
    return ret.state in EDITABLE_STATES and ret.case.audit.state == AuditState.OPEN


def load_answers(ret: Return, definition: ToolDefinition) -> answer_rules.Answers:
    """The return's answers with their evidence notes (under ``note_key``)."""
    rows = db.session.execute(
        select(Answer.question_key, Answer.ordinal, Answer.value).where(Answer.return_id == ret.id)
    ).all()
    notes = db.session.execute(
        select(EvidenceNote.question_key, EvidenceNote.text).where(EvidenceNote.return_id == ret.id)
    ).all()
    return {
        **answer_rules.from_rows(definition, [(key, ordinal, value) for key, ordinal, value in rows]),
        **{answer_rules.note_key(key): text for key, text in notes},
    }


def save_answers(
    ret: Return,
    answers: answer_rules.Answers,
    definition: ToolDefinition,
    user: User,
    expected_version: int | None,
    *,
    stored: answer_rules.Answers | None = None,
) -> None:
    """Replace the return's answers, refusing a read-only return, answers that break the tool's rules
    (``InvalidAnswersError``) or a stale form. ``stored``: the answers as stored now, if the caller has
    read them already (``load_answers``), so that a save reads them once.

    The versioned UPDATE of the return is flushed first, so a save that raced
    another one fails before any answer is touched.
    """
    if not is_editable(ret):
        raise ReturnError("This return can no longer be changed.")
    problems = answer_rules.answer_problems(definition, answers)
    if problems:  # every save, whichever page it came from, meets the same rules as the form
        raise InvalidAnswersError(problems)
    if expected_version is None or ret.version != expected_version:
        raise StaleReturnError("This return was saved by someone else after you opened it.")
    before = load_answers(ret, definition) if stored is None else stored
    ret.auditor_id = user.id
    ret.updated_at = datetime.now(UTC)
    try:
        db.session.flush()  # UPDATE returns … WHERE version = expected
    except StaleDataError:
        raise StaleReturnError("This return was saved by someone else after you opened it.") from None
    db.session.execute(delete(Answer).where(Answer.return_id == ret.id))
    db.session.execute(delete(EvidenceNote).where(EvidenceNote.return_id == ret.id))
    db.session.add_all(
        ret.answer(question_key=r.question_key, ordinal=r.ordinal, value=r.value, score=r.score)
        for r in answer_rules.to_rows(definition, answers)
    )
    after = answer_rules.visible_answers(definition, answers)
    db.session.add_all(
        EvidenceNote(return_id=ret.id, question_key=key, text=text)
        for key, text in answer_rules.notes_of(after).items()
    )
    db.session.flush()
    record_event(
        "return.saved",
        "return",
        ret.id,
        user=user,
        after={"changed": answer_rules.changed_keys(before, after), "version": ret.version},
    )


def save_return(
    ret: Return,
    answers: answer_rules.Answers,
    definition: ToolDefinition,
    user: User,
    expected_version: int | None,
    *,
    submit: bool,
    stored: answer_rules.Answers,
) -> list[Question]:
    """Save the answers and, when asked, submit. Returns the required questions still unanswered.

    ``stored`` are the answers as stored now (``load_answers``): the caller has read them to show or
    merge, and the save does not read them again. A submission with gaps is still saved as a draft,
    so nothing typed is lost; the caller shows the missing questions.
    """
    save_answers(ret, answers, definition, user, expected_version, stored=stored)
    missing = answer_rules.missing_required(definition, answers)
    if submit and not missing:
        before = ret.state
        ret.state = ReturnState.SUBMITTED
        ret.submitted_at = datetime.now(UTC)
        db.session.flush()
        record_event(
            "return.submitted",
            "return",
            ret.id,
            user=user,
            before={"state": before},
            after={"state": ReturnState.SUBMITTED},
        )
    return missing if submit else []


def get_return_in_audit(audit: Audit, return_id: int) -> Return | None:
    """A return of this audit (for its coordinator), or None."""
    return db.session.scalar(select(Return).join(Case).where(Return.id == return_id, Case.audit_id == audit.id))


def return_for_amendment(ret: Return, reason: str, user: User) -> None:
    """Send a submitted return back to its agency as a draft, saying why."""
    check_move(
        RETURN_MOVES,
        ret.state,
        ReturnState.RETURNED,
        f"Only a submitted return can be returned for amendment; this one is {ret.state}.",
        ReturnError,
    )
    if not reason.strip():
        raise ReturnError("Say what needs amending, so the auditor knows what to change.")
    if ret.case.audit.state != AuditState.OPEN:
        raise ReturnError("Returns can be sent back only while the audit is open for returns.")
    ret.state, ret.amendment_reason = ReturnState.RETURNED, reason.strip()
    db.session.flush()
    record_event(
        "return.returned",
        "return",
        ret.id,
        user=user,
        before={"state": ReturnState.SUBMITTED},
        after={"state": ReturnState.RETURNED, "reason_length": len(ret.amendment_reason)},
    )
    notices.return_sent_back(ret)


def accept_return(ret: Return, user: User) -> None:
    """The coordinator is satisfied the return is complete."""
    check_move(
        RETURN_MOVES,
        ret.state,
        ReturnState.ACCEPTED,
        f"Only a submitted return can be accepted; this one is {ret.state}.",
        ReturnError,
    )
    ret.state, ret.amendment_reason = ReturnState.ACCEPTED, ""
    db.session.flush()
    record_event(
        "return.accepted",
        "return",
        ret.id,
        user=user,
        before={"state": ReturnState.SUBMITTED},
        after={"state": ReturnState.ACCEPTED},
    )


def declare_no_involvement(ret: Return, reason: str, user: User) -> None:
    """The agency had nothing to do with the child in the period: say why, instead of a return.

    Answers already typed are kept (not counted), so withdrawing the declaration loses nothing.
    """
    if not is_editable(ret):
        raise ReturnError("This return can no longer be changed.")
    if not reason.strip():
        raise ReturnError(
            "Say why your agency had no involvement, for example: no record of the family.", field="reason"
        )
    before = ret.state
    ret.state, ret.no_involvement_reason, ret.auditor_id = ReturnState.NO_INVOLVEMENT, reason.strip(), user.id
    ret.submitted_at = datetime.now(UTC)
    db.session.flush()
    record_event(
        "return.no_involvement",
        "return",
        ret.id,
        user=user,
        before={"state": before},
        after={"state": ReturnState.NO_INVOLVEMENT, "reason_length": len(ret.no_involvement_reason)},
    )


def withdraw_no_involvement(ret: Return, user: User) -> None:
    """Back to a draft, with every answer typed before the declaration still there."""
    if not may_move(RETURN_MOVES, ret.state, ReturnState.DRAFT) or ret.case.audit.state != AuditState.OPEN:
        raise ReturnError("Only a 'no involvement' declaration in an open audit can be withdrawn.")
    ret.state, ret.no_involvement_reason, ret.submitted_at = ReturnState.DRAFT, "", None
    db.session.flush()
    record_event(
        "return.no_involvement_withdrawn",
        "return",
        ret.id,
        user=user,
        before={"state": ReturnState.NO_INVOLVEMENT},
        after={"state": ReturnState.DRAFT},
    )
