"""Routes of the moderation blueprint and the roles allowed on each (merged into test_access.EXPECTED_ROLES)."""

from sqlalchemy import select

from audit_app.extensions import db
from audit_app.models import Audit, CalibrationExercise, Moderation, ModerationSample, User
from audit_tools.states import AuditState, ModerationState

ROLES: dict = {
    "moderation.sample": {"coordinator"},
    "moderation.draw": {"coordinator"},
    "moderation.name_moderator": {"coordinator"},
    "moderation.reconcile": {"coordinator"},
    "moderation.mine": {"auditor", "quality_assurance"},
    "moderation.grade": {"auditor", "quality_assurance"},
    "moderation.compare": {"auditor", "quality_assurance"},
    "moderation.calibration": {"coordinator"},
    "moderation.start_calibration": {"coordinator"},
    "moderation.calibration_agreed": {"coordinator"},
    "moderation.calibration_grade": {"auditor"},
}
# GET pages this blueprint adds per role, added to test_access.PAGES_PER_ROLE.
PAGES: dict = {"coordinator": 3, "auditor": 4, "quality_assurance": 3}


def url_values(_revealed: Audit, role: str) -> dict:
    """A moderation of the open audit's first return, submitted (so both gradings may be shown), whose
    moderator is the signed-in person."""
    audit = db.session.scalar(select(Audit).where(Audit.state == AuditState.OPEN))
    person = db.session.scalar(select(User).where(User.email == f"{role}@test.example"))
    sample = ModerationSample(audit_id=audit.id, rate_percent=10, minimum=1, seed=1, pool_size=1)
    moderation = Moderation(
        return_id=audit.cases[0].returns[0].id,
        moderator_id=person.id if role in ("auditor", "quality_assurance") else None,
        state=ModerationState.SUBMITTED,
    )
    sample.moderations = [moderation]
    exercise = CalibrationExercise(audit_id=audit.id, summary="An invented family of three.")
    db.session.add_all([sample, exercise])
    db.session.commit()
    return {"moderation_id": moderation.id, "exercise_id": exercise.id}
