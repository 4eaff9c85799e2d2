"""Answers arranged for the analysis: each carries its return's agency (kept equal to it by a foreign
key on both columns), so answers are counted by agency without a join; and an index by question, so
the few questions needed case by case (the overall judgement, the charted multiple choices) are read
without scanning every answer.

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

RETURN_FK = "fk_answers_return_id_returns"


def upgrade():
    with op.batch_alter_table("returns") as batch:
        batch.create_unique_constraint(batch.f("uq_returns_id_agency_id"), ["id", "agency_id"])
    with op.batch_alter_table("answers") as batch:
        batch.add_column(sa.Column("agency_id", sa.Integer(), nullable=True))
    op.execute("UPDATE answers SET agency_id = (SELECT agency_id FROM returns WHERE returns.id = answers.return_id)")
    with op.batch_alter_table("answers") as batch:
        batch.alter_column("agency_id", existing_type=sa.Integer(), nullable=False)
        batch.drop_constraint(RETURN_FK, type_="foreignkey")
        batch.create_foreign_key(RETURN_FK, "returns", ["return_id", "agency_id"], ["id", "agency_id"],
                                 ondelete="CASCADE", onupdate="CASCADE")
        batch.create_index(batch.f("ix_answers_question_key_return_id"), ["question_key", "return_id"], unique=False)


def downgrade():
    with op.batch_alter_table("answers") as batch:
        batch.drop_index(batch.f("ix_answers_question_key_return_id"))
        batch.drop_constraint(RETURN_FK, type_="foreignkey")
        batch.create_foreign_key(RETURN_FK, "returns", ["return_id"], ["id"], ondelete="CASCADE")
        batch.drop_column("agency_id")
    with op.batch_alter_table("returns") as batch:
        batch.drop_constraint(batch.f("uq_returns_id_agency_id"), type_="unique")
