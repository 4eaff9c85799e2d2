"""The notification ledger: every message the workbench sends (or keeps in its outbox when no
MAIL_SERVER is set), once per key, with whom it was for, what kind, and which object.

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("to_email", sa.String(length=254), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=True),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=250), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('waiting', 'sent', 'kept', 'failed')", name=op.f("ck_notifications_known_state")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("key", name=op.f("uq_notifications_key")),
    )
    with op.batch_alter_table("notifications") as batch:
        batch.create_index(batch.f("ix_notifications_kind"), ["kind"], unique=False)
        batch.create_index(batch.f("ix_notifications_user_id"), ["user_id"], unique=False)
        batch.create_index(batch.f("ix_notifications_created_at"), ["created_at"], unique=False)


def downgrade():
    with op.batch_alter_table("notifications") as batch:
        batch.drop_index(batch.f("ix_notifications_created_at"))
        batch.drop_index(batch.f("ix_notifications_user_id"))
        batch.drop_index(batch.f("ix_notifications_kind"))
    op.drop_table("notifications")
