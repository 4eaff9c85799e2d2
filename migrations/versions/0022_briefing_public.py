"""A published briefing can be given a public address: an unguessable token, unique, empty until given.

Revision ID: 0022
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("briefings") as batch:
        batch.add_column(sa.Column("public_token", sa.String(length=40), nullable=True))
        batch.create_unique_constraint(batch.f("uq_briefings_public_token"), ["public_token"])


def downgrade():
    with op.batch_alter_table("briefings") as batch:
        batch.drop_constraint(batch.f("uq_briefings_public_token"), type_="unique")
        batch.drop_column("public_token")
