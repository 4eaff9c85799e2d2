"""An agency can declare it had no involvement with the child, with a reason, instead of a return.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OLD_STATES = ("draft", "submitted", "returned", "accepted")
NEW_STATES = OLD_STATES + ("no_involvement",)


def _states(states) -> str:
    return "state IN (" + ", ".join(f"'{s}'" for s in states) + ")"


def upgrade():
    with op.batch_alter_table("returns") as batch:
        batch.add_column(sa.Column("no_involvement_reason", sa.Text(), nullable=False, server_default=""))
        batch.drop_constraint(op.f("ck_returns_known_state"), type_="check")
        batch.create_check_constraint("known_state", _states(NEW_STATES))


def downgrade():
    op.execute("UPDATE returns SET state = 'draft' WHERE state = 'no_involvement'")
    with op.batch_alter_table("returns") as batch:
        batch.drop_constraint(op.f("ck_returns_known_state"), type_="check")
        batch.create_check_constraint("known_state", _states(OLD_STATES))
        batch.drop_column("no_involvement_reason")
