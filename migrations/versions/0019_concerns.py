"""A current safeguarding concern becomes its own record (raised -> acknowledged -> closed); the agency's
safeguarding lead (0018) is told of it at once.

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "concerns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("question_key", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=True),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("what_was_done", sa.Text(), nullable=False),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("action_taken", sa.Text(), nullable=False),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('raised', 'acknowledged', 'closed')", name=op.f("ck_concerns_known_state")),
        sa.ForeignKeyConstraint(
            ["return_id"], ["returns.id"], name=op.f("fk_concerns_return_id_returns"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["audit_id"], ["audits.id"], name=op.f("fk_concerns_audit_id_audits"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_concerns_agency_id_agencies")),
        sa.ForeignKeyConstraint(
            ["raised_by_id"], ["users.id"], name=op.f("fk_concerns_raised_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"], ["users.id"], name=op.f("fk_concerns_acknowledged_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["users.id"], name=op.f("fk_concerns_closed_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concerns")),
        sa.UniqueConstraint("return_id", "question_key", name=op.f("uq_concerns_return_id_question_key")),
    )
    with op.batch_alter_table("concerns") as batch:
        batch.create_index(batch.f("ix_concerns_return_id"), ["return_id"], unique=False)
        batch.create_index(batch.f("ix_concerns_audit_id"), ["audit_id"], unique=False)
        batch.create_index(batch.f("ix_concerns_agency_id"), ["agency_id"], unique=False)


def downgrade():
    with op.batch_alter_table("concerns") as batch:
        batch.drop_index(batch.f("ix_concerns_agency_id"))
        batch.drop_index(batch.f("ix_concerns_audit_id"))
        batch.drop_index(batch.f("ix_concerns_return_id"))
    op.drop_table("concerns")
