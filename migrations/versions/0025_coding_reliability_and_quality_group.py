"""Coding reliability (issue 21): an audit's sample of coded excerpts, drawn with a recorded seed, coded
again blind by a second coder and reconciled; and the quality-assurance group role, whose members moderate
the returns of any agency they are named for.

Revision ID: 0025
Revises: 0024
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

OLD_ROLES = ("admin", "coordinator", "auditor", "panel", "editor", "viewer")
NEW_ROLES = (*OLD_ROLES, "quality_assurance")


def _roles(roles):
    return "role IN ({})".format(", ".join(f"'{r}'" for r in roles))


def upgrade():
    with op.batch_alter_table("user_roles") as batch:
        batch.drop_constraint(op.f("ck_user_roles_known_role"), type_="check")
        batch.create_check_constraint("known_role", _roles(NEW_ROLES))
    op.create_table(
        "coding_samples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("rate_percent", sa.Integer(), nullable=False),
        sa.Column("minimum", sa.Integer(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("pool_size", sa.Integer(), nullable=False),
        sa.Column("drawn_by_id", sa.Integer(), nullable=True),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("coder_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reconciled_by_id", sa.Integer(), nullable=True),
        sa.Column("reconciled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('assigned', 'submitted', 'reconciled')", name=op.f("ck_coding_samples_known_state")
        ),
        sa.ForeignKeyConstraint(
            ["audit_id"], ["audits.id"], name=op.f("fk_coding_samples_audit_id_audits"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["drawn_by_id"], ["users.id"], name=op.f("fk_coding_samples_drawn_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["coder_id"], ["users.id"], name=op.f("fk_coding_samples_coder_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["reconciled_by_id"],
            ["users.id"],
            name=op.f("fk_coding_samples_reconciled_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coding_samples")),
        sa.UniqueConstraint("audit_id", name=op.f("uq_coding_samples_audit_id")),
    )
    op.create_index(op.f("ix_coding_samples_coder_id"), "coding_samples", ["coder_id"])
    op.create_table(
        "coding_sample_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("source_key", sa.String(length=120), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=False),
        sa.Column("first_themes", sa.JSON(), nullable=False),
        sa.Column("second_themes", sa.JSON(), nullable=False),
        sa.Column("agreed_themes", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["coding_samples.id"],
            name=op.f("fk_coding_sample_items_sample_id_coding_samples"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_coding_sample_items_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coding_sample_items")),
        sa.UniqueConstraint(
            "sample_id", "source", "source_key", name=op.f("uq_coding_sample_items_sample_id_source_source_key")
        ),
    )
    op.create_index(op.f("ix_coding_sample_items_sample_id"), "coding_sample_items", ["sample_id"])


def downgrade():
    op.drop_table("coding_sample_items")
    op.drop_table("coding_samples")
    op.execute(sa.text("DELETE FROM user_roles WHERE role = 'quality_assurance'"))
    with op.batch_alter_table("user_roles") as batch:
        batch.drop_constraint(op.f("ck_user_roles_known_role"), type_="check")
        batch.create_check_constraint("known_role", _roles(OLD_ROLES))
