"""Moderation (issue 21): an audit's moderation sample, each sampled return's blind second grading and
its reconciliation, question by question; and the calibration exercise every auditor grades before the
audit opens.

Revision ID: 0023
Revises: 0022
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "moderation_samples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("rate_percent", sa.Integer(), nullable=False),
        sa.Column("minimum", sa.Integer(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("pool_size", sa.Integer(), nullable=False),
        sa.Column("drawn_by_id", sa.Integer(), nullable=True),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"], ["audits.id"], name=op.f("fk_moderation_samples_audit_id_audits"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["drawn_by_id"], ["users.id"], name=op.f("fk_moderation_samples_drawn_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_samples")),
        sa.UniqueConstraint("audit_id", name=op.f("uq_moderation_samples_audit_id")),
    )
    op.create_table(
        "moderations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("moderator_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reconciled_by_id", sa.Integer(), nullable=True),
        sa.Column("reconciled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('assigned', 'submitted', 'reconciled')", name=op.f("ck_moderations_known_state")),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["moderation_samples.id"],
            name=op.f("fk_moderations_sample_id_moderation_samples"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["return_id"], ["returns.id"], name=op.f("fk_moderations_return_id_returns"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["moderator_id"], ["users.id"], name=op.f("fk_moderations_moderator_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["reconciled_by_id"], ["users.id"], name=op.f("fk_moderations_reconciled_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderations")),
        sa.UniqueConstraint("return_id", name=op.f("uq_moderations_return_id")),
    )
    op.create_index(op.f("ix_moderations_sample_id"), "moderations", ["sample_id"])
    op.create_index(op.f("ix_moderations_moderator_id"), "moderations", ["moderator_id"])
    op.create_table(
        "moderation_grades",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("moderation_id", sa.Integer(), nullable=False),
        sa.Column("question_key", sa.String(length=60), nullable=False),
        sa.Column("first_value", sa.String(length=60), nullable=False),
        sa.Column("second_value", sa.String(length=60), nullable=False),
        sa.Column("agreed_value", sa.String(length=60), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["moderation_id"],
            ["moderations.id"],
            name=op.f("fk_moderation_grades_moderation_id_moderations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_grades")),
        sa.UniqueConstraint(
            "moderation_id", "question_key", name=op.f("uq_moderation_grades_moderation_id_question_key")
        ),
    )
    op.create_index(op.f("ix_moderation_grades_moderation_id"), "moderation_grades", ["moderation_id"])
    op.create_table(
        "calibration_exercises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("agreed", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["audit_id"], ["audits.id"], name=op.f("fk_calibration_exercises_audit_id_audits"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_calibration_exercises_created_by_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_exercises")),
        sa.UniqueConstraint("audit_id", name=op.f("uq_calibration_exercises_audit_id")),
    )
    op.create_table(
        "calibration_grades",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("question_key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(["exercise_id"], ["calibration_exercises.id"],
                                name=op.f("fk_calibration_grades_exercise_id_calibration_exercises"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_calibration_grades_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calibration_grades")),
        sa.UniqueConstraint("exercise_id", "user_id", "question_key",
                            name=op.f("uq_calibration_grades_exercise_id_user_id_question_key")),
    )
    op.create_index(op.f("ix_calibration_grades_exercise_id"), "calibration_grades", ["exercise_id"])


def downgrade():
    op.drop_table("calibration_grades")
    op.drop_table("calibration_exercises")
    op.drop_table("moderation_grades")
    op.drop_table("moderations")
    op.drop_table("moderation_samples")
