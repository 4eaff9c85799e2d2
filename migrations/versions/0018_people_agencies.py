"""Agencies gain their safeguarding lead's e-mail address and can be retired (kept with their history,
no longer offered for new cases or returns).

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("agencies") as batch:
        batch.add_column(sa.Column("safeguarding_lead_email", sa.String(length=254), nullable=True))
        batch.add_column(sa.Column("retired", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("agencies") as batch:
        batch.drop_column("retired")
        batch.drop_column("safeguarding_lead_email")
