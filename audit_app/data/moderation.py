"""Moderation: an audit's sample of submitted returns, each graded again blind by a moderator and then
reconciled by the coordinator, question by question.

The blind rule lives here: ``blind_to`` says whether a person is the named moderator of a return whose
second grading is not in yet, and the returns' own access check (``data.returns``) asks it, so no page
shows the first return to its moderator early. Where the two grades differ, the agreed grade replaces the
return's counted answer; the first and second grades stay on ``ModerationGrade``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import ColumnElement, delete, exists, or_, select

from audit_app.data.events import record_event
from audit_app.data.notifications import send_once
from audit_app.data.tools import definition_of
from audit_app.extensions import db
from audit_app.links import external_url
from audit_app.models import (
    Answer,
    Audit,
    Case,
    Moderation,
    ModerationGrade,
    ModerationSample,
    Return,
    User,
    UserRole,
)
from audit_tools.reliability import (
    GradesReliability,
    MissingGradesError,
    ModerationError,
    ReliabilityReport,
    comparison,
    draw_moderation_sample,
    graded_definition,
    graded_questions,
    grades_reliability,
    reliability_report,
    reliability_sentence,
    scale_of,
)
from audit_tools.returns import answers as answer_rules
from audit_tools.states import MODERATION_MOVES, AuditState, ModerationState, Role, check_move
from audit_tools.tools import Option, ToolDefinition

MAX_REASON = 2_000
DRAWN_IN = (AuditState.OPEN, AuditState.PANEL, AuditState.ANALYSIS)  # returns exist and can still be counted


def sample_of(audit: Audit) -> ModerationSample | None:
    return db.session.scalar(select(ModerationSample).where(ModerationSample.audit_id == audit.id))


def submitted_returns(audit: Audit) -> list[int]:
    """The keys of the audit's counted (submitted or accepted) returns."""
    return list(db.session.scalars(select(Return.id).where(Return.audit_id == audit.id, Return.counted)))


def draw(audit: Audit, rate_percent: int, minimum: int, seed: int, user: User) -> ModerationSample:
    """Draw the audit's moderation sample (once): ``rate_percent`` of its submitted returns, at least ``minimum``."""
    if audit.state not in DRAWN_IN:
        raise ModerationError("A moderation sample is drawn while the audit is open, with the panel or in analysis.")
    if sample_of(audit) is not None:
        raise ModerationError("This audit's moderation sample has already been drawn.")
    pool = submitted_returns(audit)
    chosen = draw_moderation_sample(pool, rate_percent, seed, minimum)
    sample = ModerationSample(
        audit_id=audit.id,
        rate_percent=rate_percent,
        minimum=minimum,
        seed=seed,
        pool_size=len(pool),
        drawn_by_id=user.id,
    )
    sample.moderations = [Moderation(return_id=return_id) for return_id in chosen]
    db.session.add(sample)
    db.session.flush()
    record_event(
        "moderation.sample_drawn",
        "audit",
        audit.id,
        user=user,
        after={"seed": seed, "rate_percent": rate_percent, "minimum": minimum, "returns": list(chosen)},
    )
    return sample


def moderations_of(audit: Audit) -> list[Moderation]:
    sample = sample_of(audit)
    return list(sample.moderations) if sample else []


def get_moderation(audit: Audit, moderation_id: int) -> Moderation | None:
    moderation = db.session.get(Moderation, moderation_id)
    if moderation is None or moderation.sample.audit_id != audit.id:
        return None
    return moderation


def moderator_choices(moderation: Moderation) -> list[User]:
    """Who may moderate a return, other than the person who wrote it: an active auditor of the same agency,
    or an active member of the quality-assurance group (of any agency, or none); never a coordinator or panel
    member, who can read the return through other pages, so the server could not keep them blind."""
    ret = moderation.ret
    quality = exists().where(UserRole.user_id == User.id, UserRole.role == Role.QUALITY)
    people = db.session.scalars(
        select(User).where(User.active, or_(User.agency_id == ret.agency_id, quality)).order_by(User.id)
    )
    return [
        p
        for p in people
        if p.id != ret.auditor_id and may_moderate(p, ret) and not p.has_role(Role.COORDINATOR, Role.PANEL)
    ]


def may_moderate(user: User, ret: Return) -> bool:
    """An auditor of the return's agency, or a member of the quality-assurance group."""
    return user.has_role(Role.QUALITY) or (user.has_role(Role.AUDITOR) and user.agency_id == ret.agency_id)


def name_moderator(moderation: Moderation, moderator_id: int, user: User) -> User:
    """Name the moderator of a sampled return and tell them (once)."""
    if moderation.state != ModerationState.ASSIGNED:
        raise ModerationError("The moderator has already submitted their grading, so it cannot be given to another.")
    moderator = next((p for p in moderator_choices(moderation) if p.id == moderator_id), None)
    if moderator is None:
        raise ModerationError(
            "Choose an auditor of the same agency, or a member of the quality-assurance group, who did not write "
            "this return."
        )
    moderation.moderator_id = moderator.id
    db.session.flush()
    record_event("moderation.moderator_named", "moderation", moderation.id, user=user, after={"user": moderator.id})
    reference, audit = moderation.ret.case.reference, moderation.ret.case.audit
    send_once(
        f"moderation-assigned:{moderation.id}:{moderator.id}",
        moderator.email,
        f"Moderation: please grade case {reference} – {audit.title}",
        f"Hello {moderator.display_name},\n\nThe coordinator has asked you to moderate one return of {audit.title}: "
        f"grade case {reference} again from {moderation.ret.agency.name}'s records, without seeing the first return "
        "(it is shown to you once your grading is in).\n\n"
        f"Open it: {external_url('moderation.grade', moderation_id=moderation.id)}",
        kind="moderation-assigned",
        user_id=moderator.id,
        object_type="moderation",
        object_id=moderation.id,
    )
    return moderator


def moderations_for(user: User) -> list[Moderation]:
    """The moderations a person has been named for, newest audit first."""
    return list(
        db.session.scalars(
            select(Moderation)
            .join(Moderation.ret)
            .join(Return.case)
            .where(Moderation.moderator_id == user.id)
            .order_by(Case.audit_id.desc(), Case.reference)
        )
    )


def moderation_for_moderator(moderation_id: int, user: User) -> Moderation | None:
    """The moderation if ``user`` is its named moderator and may still moderate it (an auditor of the return's
    agency, or a member of the quality-assurance group, who sees no more of the agency than this case)."""
    moderation = db.session.get(Moderation, moderation_id)
    if moderation is None or moderation.moderator_id != user.id or not may_moderate(user, moderation.ret):
        return None
    return moderation


def blind_to(user: User, return_id: int) -> bool:
    """Whether ``user`` is named to moderate this return and has not submitted their grading yet."""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Moderation.return_id == return_id,
                    Moderation.moderator_id == user.id,
                    Moderation.state == ModerationState.ASSIGNED,
                )
            )
        )
    )


def graded_blind_by(user: User) -> ColumnElement[bool]:
    """A SQL condition on Return: ``user`` is its moderator and grades it blind now (see ``blind_to``)."""
    return exists().where(
        Moderation.return_id == Return.id,
        Moderation.moderator_id == user.id,
        Moderation.state == ModerationState.ASSIGNED,
    )


def blind_moderations(user: User) -> dict[int, int]:
    """Return key → moderation key of every return ``user`` grades blind now: "My returns" links these to the
    blind grading, never to the return (which is refused them until their grading is in)."""
    rows = db.session.execute(
        select(Moderation.return_id, Moderation.id).where(
            Moderation.moderator_id == user.id, Moderation.state == ModerationState.ASSIGNED
        )
    )
    return dict(rows.all())


def second_grades(moderation: Moderation) -> answer_rules.Answers:
    return {g.question_key: g.second_value for g in moderation.grades if g.second_value}


def first_grades(moderation: Moderation, definition: ToolDefinition) -> dict[str, str]:
    """The first return's graded answers as stored now (its counted answers, agreed grades included)."""
    keys = [q.key for q in graded_questions(definition)]
    rows = db.session.execute(
        select(Answer.question_key, Answer.value).where(
            Answer.return_id == moderation.return_id, Answer.question_key.in_(keys)
        )
    )
    return dict(rows.all())


def save_grading(
    moderation: Moderation, answers: answer_rules.Answers, definition: ToolDefinition, user: User, submit: bool
) -> None:
    """Keep the moderator's grades; on ``submit`` every required graded question must have one, the first
    return's grades are copied beside them as they stand, and the first return becomes visible to them."""
    if moderation.state != ModerationState.ASSIGNED or moderation.moderator_id != user.id:
        raise ModerationError("This grading has been submitted and can no longer be changed.")
    graded = graded_definition(definition)
    problems = answer_rules.answer_problems(graded, answers)
    if problems:
        raise ModerationError("Some grades are not options of the audit tool's questions.")
    if submit and (missing := answer_rules.missing_required(graded, answers)):
        raise MissingGradesError(
            f"Grade every question before submitting: {len(missing)} still to grade.", [q.key for q in missing]
        )
    grades = {g.question_key: g for g in moderation.grades}
    first = first_grades(moderation, definition) if submit else {}
    for question in graded.questions:
        grade = grades.get(question.key) or ModerationGrade(question_key=question.key)
        if grade.id is None:
            moderation.grades.append(grade)
        grade.second_value = str(answers.get(question.key) or "")
        if submit:
            grade.first_value = first.get(question.key, "")
    if submit:
        check_move(MODERATION_MOVES, moderation.state, ModerationState.SUBMITTED, error=ModerationError)
        moderation.state = ModerationState.SUBMITTED
        moderation.submitted_at = datetime.now(UTC)
        record_event("moderation.submitted", "moderation", moderation.id, user=user)
    db.session.flush()


def reconcile(
    moderation: Moderation, agreed: dict[str, tuple[str, str]], definition: ToolDefinition, user: User
) -> list[str]:
    """Record the agreed grade and reason for every question the two gradings answered differently; each
    agreed grade becomes the return's counted answer. Returns the keys of the questions changed."""
    if moderation.ret.case.audit.state not in DRAWN_IN:
        raise ModerationError("The audit's briefing is published, so its counted answers can no longer change.")
    check_move(
        MODERATION_MOVES,
        moderation.state,
        ModerationState.RECONCILED,
        "Only a submitted moderation can be reconciled, and only once.",
        error=ModerationError,
    )
    changed = []
    for grade in moderation.grades:
        if grade.first_value == grade.second_value:
            continue
        question = definition.question(grade.question_key)
        value, reason = agreed.get(grade.question_key, ("", ""))
        number = definition.number(question.key)
        if question.option(value) is None:
            raise ModerationError(f"Choose the agreed answer to question {number}.")
        if not reason.strip() or len(reason) > MAX_REASON:
            raise ModerationError(
                f"Give the reason for the agreed answer to question {number} (up to 2,000 characters)."
            )
        grade.agreed_value, grade.reason = value, answer_rules.as_typed(reason)
        _count_agreed(moderation.ret, question.key, value, question.option(value))
        changed.append(question.key)
    moderation.state = ModerationState.RECONCILED
    moderation.reconciled_by_id, moderation.reconciled_at = user.id, datetime.now(UTC)
    db.session.flush()
    record_event("moderation.reconciled", "moderation", moderation.id, user=user, after={"questions": changed})
    return changed


def _count_agreed(ret: Return, key: str, value: str, option: Option | None) -> None:
    """Replace the return's answer to ``key`` with the agreed grade (and its score)."""
    db.session.execute(delete(Answer).where(Answer.return_id == ret.id, Answer.question_key == key))
    db.session.add(ret.answer(question_key=key, ordinal=0, value=value, score=option.score if option else None))


def gradings_of(audit: Audit) -> list[tuple[dict[str, str], dict[str, str]]]:
    """(first, second) grades of each moderated return whose second grading is in: what reliability is measured on."""
    return gradings_by_audit([audit.id]).get(audit.id, [])


def gradings_by_audit(audit_ids: list[int]) -> dict[int, list[tuple[dict[str, str], dict[str, str]]]]:
    """``gradings_of`` for several audits in one statement: audit key → its (first, second) grades."""
    rows = db.session.execute(
        select(
            ModerationSample.audit_id,
            ModerationGrade.moderation_id,
            ModerationGrade.question_key,
            ModerationGrade.first_value,
            ModerationGrade.second_value,
        )
        .join(Moderation, Moderation.id == ModerationGrade.moderation_id)
        .join(ModerationSample, ModerationSample.id == Moderation.sample_id)
        .where(ModerationSample.audit_id.in_(audit_ids), Moderation.state != ModerationState.ASSIGNED)
        .order_by(ModerationGrade.moderation_id, ModerationGrade.id)
    )
    pairs: dict[int, dict[int, tuple[dict[str, str], dict[str, str]]]] = {}
    for audit_id, moderation_id, key, first, second in rows:
        one, other = pairs.setdefault(audit_id, {}).setdefault(moderation_id, ({}, {}))
        one[key], other[key] = first, second
    return {audit_id: list(by_moderation.values()) for audit_id, by_moderation in pairs.items()}


def grades_reliability_of(audit: Audit, definition: ToolDefinition) -> GradesReliability:
    """The overall agreement of the audit's moderated gradings (no bootstrap): for the one-sentence summary."""
    return grades_reliability(definition, gradings_of(audit))


def reliability_sentences(audits: list[Audit]) -> dict[int, str]:
    """Audit key → the plain sentence on how reliable its grades were, for the audits with enough moderated
    returns to say (the year-on-year summary)."""
    gradings = gradings_by_audit([a.id for a in audits])  # one statement, however many audits
    found = {
        a.id: reliability_sentence(grades_reliability(definition_of(a.tool_version), gradings.get(a.id, [])))
        for a in audits
    }
    return {key: sentence for key, sentence in found.items() if sentence}


def marks(moderation: Moderation, definition: ToolDefinition) -> list[tuple[str, ModerationGrade, str]]:
    """Each graded question's number, its grades, and how the two compare ("same", "within one", ...)."""
    return [
        (definition.number(g.question_key), g, _mark(g, scale_of(definition.question(g.question_key))))
        for g in moderation.grades
    ]


def _mark(grade: ModerationGrade, scale: tuple[str, ...]) -> str:
    if grade.first_value == grade.second_value:
        return "same"
    found = comparison(grade.first_value, grade.second_value, scale)
    return "different" if found == "no grade" else found


def reliability_of(audit: Audit, definition: ToolDefinition) -> ReliabilityReport:
    """How far the moderated gradings agree, question by question and overall."""
    frozen = tuple((tuple(sorted(a.items())), tuple(sorted(b.items()))) for a, b in gradings_of(audit))
    return _report(definition, frozen)


@lru_cache(maxsize=32)
def _report(
    definition: ToolDefinition, gradings: tuple[tuple[tuple[tuple[str, str], ...], ...], ...]
) -> ReliabilityReport:
    """The report for these gradings, kept: its thousand bootstrap draws a question take about a second."""
    return reliability_report(definition, [(dict(first), dict(second)) for first, second in gradings])
