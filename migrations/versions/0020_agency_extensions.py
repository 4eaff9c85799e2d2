"""A per-agency extension of an audit's returns-due date: the agency's date when it has one, else the audit's.

Revision ID: 0020
Revises: 0019
"""
import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "agency_extensions",
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("returns_due", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["audit_id"], ["audits.id"], name=op.f("fk_agency_extensions_audit_id_audits"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_agency_extensions_agency_id_agencies"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("audit_id", "agency_id", name=op.f("pk_agency_extensions")),
    )


def downgrade():
    op.drop_table("agency_extensions")
