"""The demo audit's calibration exercise and moderated sample. The sample: a quarter of its returns
graded again, blind, by an auditor of the same agency, at every stage a newcomer should see. Children's
social care's are compared and waiting to be reconciled (the first) or reconciled; one other agency's is
still being graded blind (by the quality-assurance group's member); the rest are reconciled. The second
gradings differ from the first in a fixed pattern, so the reliability section of the analysis page has real
figures to show."""

from __future__ import annotations

from audit_app.data import calibration as calibration_data
from audit_app.data import moderation as moderation_data
from audit_app.data.tools import definition_of
from audit_app.extensions import db
from audit_app.models import Audit, CalibrationExercise, Moderation, User
from audit_tools.reliability import graded_definition, scale_of
from audit_tools.tools import Question, ToolDefinition

DEMO_SEED = 2026
REASON = "Agreed at the moderation meeting after both auditors went back to the records together."


def moderate_demo_audit(audit: Audit, coordinator: User, preferred: User | None, quality: User | None = None) -> None:
    """Draw the sample, name moderators and take each moderation as far as its stage (see the module); the
    one still graded blind is the quality-assurance group member's, when there is one."""
    definition = definition_of(audit.tool_version)
    sample = moderation_data.draw(audit, 25, 4, DEMO_SEED, coordinator)
    moderations = list(sample.moderations)
    csc = [m for m in moderations if m.ret.agency.short_name == "CSC"]
    others = [m for m in moderations if m not in csc]
    blind = others[-1] if others else None
    for number, moderation in enumerate(moderations):
        choices = moderation_data.moderator_choices(moderation)
        moderator = preferred if preferred in choices else choices[0] if choices else None
        if moderation is blind and quality in choices:
            moderator = quality
        if moderator is None:
            continue
        moderation_data.name_moderator(moderation, moderator.id, coordinator)
        if moderation is blind:
            continue
        second = _second_grading(moderation, definition, number)
        moderation_data.save_grading(moderation, second, definition, moderator, submit=True)
        if not (csc and moderation is csc[0]):
            _reconcile(moderation, definition, coordinator)


def _second_grading(moderation: Moderation, definition: ToolDefinition, number: int) -> dict[str, str | list[str]]:
    """The first grades, one in five moved a grade and one in eleven moved two (where the scale allows);
    a question the first auditor left blank is graded in the middle of its scale."""
    first = moderation_data.first_grades(moderation, definition)
    second: dict[str, str | list[str]] = {}
    for index, question in enumerate(graded_definition(definition).questions):
        second[question.key] = _moved(question, first.get(question.key), (index + number) % 11 == 0, index + number)
    return second


def _moved(question: Question, value: str | None, far: bool, turn: int) -> str:
    scale = scale_of(question)
    if value not in scale:
        return value or scale[len(scale) // 2]
    place = scale.index(value)
    step = 2 if far else 1 if turn % 5 == 0 else 0
    if place + step < len(scale):
        return scale[place + step]
    return scale[max(place - step, 0)]


def _reconcile(moderation: Moderation, definition: ToolDefinition, coordinator: User) -> None:
    agreed = {
        g.question_key: (g.first_value or g.second_value, REASON)
        for g in moderation.grades
        if g.first_value != g.second_value
    }
    moderation_data.reconcile(moderation, agreed, definition, coordinator)


CALIBRATION_CASE = (
    "Invented for calibration. Mia is three and lives with her mother and her older brother Leo, who is seven. "
    "Nursery has noticed that Mia often arrives hungry and in the same clothes for several days; Leo's school "
    "reports late arrival most mornings. The family was known to early help two years ago after the "
    "children's father left. A neglect assessment tool was started at the first strategy meeting but not "
    "repeated. The plan lists tasks for each agency but says little about what should be different for the "
    "children, and core group meetings have been cancelled twice."
)
CALIBRATION_AGREED = (
    "A plan that lists tasks but no change for the child is graded no better than 'partly' on SMART planning. "
    "An assessment tool started but never repeated counts as 'partly'. Where the records say nothing about "
    "the child's daily life we answer 'no', not 'not known'."
)


def calibrate_demo_audit(audit: Audit, coordinator: User, auditors: list[User]) -> None:
    """The calibration exercise the demo audit held before it opened: each demo auditor's grades of the
    invented case (mostly the same, one in six a grade apart, in a fixed pattern) and what they agreed."""
    exercise = CalibrationExercise(audit_id=audit.id, summary=CALIBRATION_CASE, created_by_id=coordinator.id)
    db.session.add(exercise)
    db.session.flush()
    definition = definition_of(audit.tool_version)
    for number, auditor in enumerate(auditors):
        grades: dict[str, str | list[str]] = {}
        for index, question in enumerate(graded_definition(definition).questions):
            scale = scale_of(question)
            place = index % 3 % 2 + (1 if (index + number) % 6 == 0 else 0)  # mostly agreed, a few a grade apart
            grades[question.key] = scale[min(place, len(scale) - 1)]
        calibration_data.save_grades(exercise, grades, definition, auditor)
    calibration_data.record_agreed(exercise, CALIBRATION_AGREED, coordinator)
