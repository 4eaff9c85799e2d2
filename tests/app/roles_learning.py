"""Routes of the learning blueprint and the roles allowed on each (merged into test_access.EXPECTED_ROLES)."""

from audit_app.extensions import db
from audit_app.models import Audit, LearningPoint, Recommendation, RecommendationCategory

BUSINESS_UNIT = {"coordinator", "editor"}
PLAN_READERS = {"coordinator", "editor", "panel", "viewer"}

ROLES: dict = {
    **{
        f"learning.{name}": BUSINESS_UNIT
        for name in (
            "learning_points",
            "new_learning_point",
            "edit_learning_point",
            "delete_learning_point",
            "move_learning_point",
            "recommendations",
            "new_recommendation",
            "edit_recommendation",
            "delete_recommendation",
            "move_recommendation",
            "add_progress_update",
            "categories",
            "rename_category",
            "delete_category",
            "move_category",
        )
    },
    **{f"learning.{name}": PLAN_READERS for name in ("recommendation", "action_plan", "action_plan_csv")},
    "learning.trends": {"coordinator", "editor", "panel"},
}
# GET pages this blueprint adds per role, added to test_access.PAGES_PER_ROLE.
PAGES: dict = {"coordinator": 12, "editor": 12, "panel": 4, "viewer": 3}


def url_values(revealed: Audit, role: str) -> dict:
    """Real values for this blueprint's other URL parameters: a learning point and a recommendation of the
    revealed audit, and a category. A viewer reads recommendations only once an audit is published, so for a
    viewer the recommendation belongs to a published copy of the audit."""
    category = RecommendationCategory(slug="communication", name="Communication", position=1)
    point = LearningPoint(audit_id=revealed.id, audience="managers", text="Check the plan with the family.")
    audit = revealed
    if role == "viewer":
        audit = Audit(
            title="Published audit",
            topic="Neglect",
            year=2025,
            state="published",
            tool_version_id=revealed.tool_version_id,
        )
    db.session.add_all([category, point, audit])
    db.session.flush()
    rec = Recommendation(audit_id=audit.id, text="Relaunch the checklist.", category="communication")
    db.session.add(rec)
    db.session.commit()
    return {"point_id": point.id, "recommendation_id": rec.id, "slug": category.slug}
