"""An audit's lead coordinator: the person told of its concerns, its submitted returns and its late
agencies (every coordinator is told when it has none). Existing audits get no lead.

Revision ID: 0024
Revises: 0023
"""
import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audits") as batch:
        batch.add_column(sa.Column("coordinator_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_audits_coordinator_id_users"), "users", ["coordinator_id"], ["id"], ondelete="SET NULL"
        )


def downgrade():
    with op.batch_alter_table("audits") as batch:
        batch.drop_constraint(batch.f("fk_audits_coordinator_id_users"), type_="foreignkey")
        batch.drop_column("coordinator_id")
