"""Current safeguarding concerns raised in returns: recording them, the coordinator's acknowledgement
and closing, who is told, and what needs a coordinator's attention.

What the auditor did and what the coordinator did are the people's own words: they are kept on the
concern and shown to coordinators, never written to the audit trail (which records ids and states) or
put in an e-mail (which carries the case's pseudonymous reference and a link).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from audit_app.data.events import record_event
from audit_app.data.notifications import send_once
from audit_app.data.users import coordinators_of
from audit_app.extensions import db
from audit_app.links import external_url
from audit_app.models import Audit, Case, Concern, Return, User
from audit_tools.errors import WorkbenchError
from audit_tools.returns.answers import Answers, as_typed
from audit_tools.returns.concerns import action_questions, concern_message, raises_concern, what_was_done
from audit_tools.states import CONCERN_MOVES, ConcernState, Role, check_move
from audit_tools.tools import ToolDefinition

OPEN_STATES = (ConcernState.RAISED, ConcernState.ACKNOWLEDGED)  # shown on the audit's page until closed


class ConcernError(WorkbenchError):
    """A change to a concern was refused; the message says why."""


def _loaded() -> list[object]:
    return [
        joinedload(Concern.ret).joinedload(Return.case),
        joinedload(Concern.agency),
        joinedload(Concern.audit),
        joinedload(Concern.raised_by),
        joinedload(Concern.acknowledged_by),
    ]


def raise_concerns(ret: Return, definition: ToolDefinition, answers: Answers, user: User) -> list[Concern]:
    """Record each concern the answers raise that this return has not raised before; returns the new ones.

    A concern is raised once the auditor has said what they did about it (an autosave raises it as soon
    as that is written: nobody has to press a button for the coordinator to be told). Until the
    coordinator acknowledges it, later saves keep what was done up to date with the auditor's words.
    The trail records the concern's id, its return, the question and the state, never what was typed.
    """
    known = {c.question_key: c for c in db.session.scalars(select(Concern).where(Concern.return_id == ret.id))}
    raised = []
    for question in raises_concern(definition, answers):
        words = what_was_done(definition, question, answers)
        if question.key in known:
            concern = known[question.key]
            if concern.state == ConcernState.RAISED and words and words != concern.what_was_done:
                concern.what_was_done = words
            continue
        if action_questions(definition, question) and not words:
            continue  # the form asks what was done; the concern is raised when it is written
        concern = Concern(
            ret=ret,
            audit_id=ret.case.audit_id,
            agency_id=ret.agency_id,
            question_key=question.key,
            state=ConcernState.RAISED,
            raised_by_id=user.id,
            raised_at=datetime.now(UTC),
            what_was_done=words,
        )
        db.session.add(concern)
        db.session.flush()
        record_event(
            "concern.raised",
            "concern",
            concern.id,
            user=user,
            after={"return": ret.id, "question": question.key, "state": ConcernState.RAISED},
        )
        _tell_of(concern)
        raised.append(concern)
    return raised


def _tell_of(concern: Concern) -> None:
    """Tell the coordinators and the agency's safeguarding lead at once, each once, through the
    notification ledger (sent when the concern is committed; kept in the outbox without SMTP)."""
    for to, subject, body in concern_messages(concern):
        send_once(
            f"concern:{concern.id}:{to.lower()}",
            to,
            subject,
            body,
            kind="concern",
            object_type="concern",
            object_id=concern.id,
        )


def is_coordinator(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.COORDINATOR)


def open_concerns(user: User) -> list[Concern]:
    """Concerns not yet acknowledged in the audits this user coordinates (every audit, for a coordinator),
    oldest first: for the home page."""
    if not is_coordinator(user):
        return []
    return list(
        db.session.scalars(
            select(Concern)
            .options(  # what the home page shows: the case, the agency and the audit (not who raised it)
                joinedload(Concern.ret).joinedload(Return.case), joinedload(Concern.agency), joinedload(Concern.audit)
            )
            .where(Concern.state == ConcernState.RAISED)
            .order_by(Concern.raised_at, Concern.id)
        ).unique()
    )


def concerns_of_audit(audit: Audit) -> list[Concern]:
    """The audit's concerns not yet closed: those waiting for an acknowledgement first, then oldest first."""
    rows = db.session.scalars(
        select(Concern)
        .options(*_loaded())  # type: ignore[arg-type]
        .where(Concern.audit_id == audit.id, Concern.state.in_(OPEN_STATES))
        .order_by(Concern.raised_at, Concern.id)
    ).unique()
    return sorted(rows, key=lambda c: c.state != ConcernState.RAISED)


def get_concern_in_audit(audit: Audit, concern_id: int) -> Concern | None:
    return db.session.scalar(select(Concern).where(Concern.id == concern_id, Concern.audit_id == audit.id))


def acknowledge(concern: Concern, action_taken: str, user: User) -> None:
    """The coordinator has seen the concern and says what they did about it (required). Two coordinators
    acting at once (or one in two tabs): the first acknowledgement stands, the second is refused."""
    check_move(
        CONCERN_MOVES,
        concern.state,
        ConcernState.ACKNOWLEDGED,
        f"Only a newly raised concern can be acknowledged; this one is {concern.state}.",
        ConcernError,
    )
    action = as_typed(action_taken)
    if not action:
        raise ConcernError("Say what action you have taken about the concern.", field="action_taken")
    _move(
        concern,
        ConcernState.RAISED,
        ConcernState.ACKNOWLEDGED,
        "This concern has already been acknowledged by someone else: what they did is shown below.",
        action_taken=action,
        acknowledged_by_id=user.id,
        acknowledged_at=datetime.now(UTC),
    )
    record_event(
        "concern.acknowledged",
        "concern",
        concern.id,
        user=user,
        before={"state": ConcernState.RAISED},
        after={"state": ConcernState.ACKNOWLEDGED},
    )


def close(concern: Concern, user: User) -> None:
    """The concern needs nothing more from the audit."""
    check_move(
        CONCERN_MOVES,
        concern.state,
        ConcernState.CLOSED,
        "A concern is acknowledged, saying what was done, before it is closed."
        if concern.state == ConcernState.RAISED
        else f"This concern is already {concern.state}.",
        ConcernError,
    )
    _move(
        concern,
        ConcernState.ACKNOWLEDGED,
        ConcernState.CLOSED,
        "This concern has already been closed.",
        closed_by_id=user.id,
        closed_at=datetime.now(UTC),
    )
    record_event(
        "concern.closed",
        "concern",
        concern.id,
        user=user,
        before={"state": ConcernState.ACKNOWLEDGED},
        after={"state": ConcernState.CLOSED},
    )


def _move(concern: Concern, before: ConcernState, after: ConcernState, refused: str, **values: object) -> None:
    """Change the concern's state only if it is still ``before`` in the database (a conditional update:
    a change committed meanwhile by someone else is never overwritten), then read it again."""
    moved = db.session.execute(
        update(Concern)
        .where(Concern.id == concern.id, Concern.state == before)
        .values(state=after, **values)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise ConcernError(refused)
    db.session.refresh(concern)


def concern_messages(concern: Concern) -> list[tuple[str, str, str]]:
    """(to, subject, body) for each person told at once of a new concern: the audit's coordinators and the
    agency's safeguarding lead. Each names the case's pseudonymous reference and links to the audit's
    concerns; none holds case detail or anything typed."""
    case = db.session.get(Case, concern.ret.case_id) if concern.ret else None
    reference = case.reference if case else ""
    link = external_url("audits.show", audit_id=concern.audit_id) + "#concerns"
    subject, body = concern_message(reference, concern.audit.title_with_year, concern.agency.name, link)
    recipients = [user.email for user in coordinators_of(concern.audit)]
    lead = (concern.agency.safeguarding_lead_email or "").strip()
    if lead and lead.lower() not in {r.lower() for r in recipients}:
        recipients.append(lead)
    return [(to, subject, body) for to in recipients]
