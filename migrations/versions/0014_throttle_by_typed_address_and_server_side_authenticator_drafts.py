"""Sign-in tries are counted by the address typed (an HMAC of it, known account or not) instead of by
account, and a new authenticator key waits on the server while it is scanned, never in the cookie.

The tries recorded before this are dropped: they only ever mattered for five minutes.

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM sign_in_failures")
    with op.batch_alter_table("sign_in_failures") as batch:
        batch.drop_index("ix_sign_in_failures_user_id")
        batch.drop_constraint("fk_sign_in_failures_user_id_users", type_="foreignkey")
        batch.drop_column("user_id")
        batch.add_column(sa.Column("account_key", sa.String(length=64), nullable=False))
        batch.create_index(batch.f("ix_sign_in_failures_account_key"), ["account_key"], unique=False)

    op.create_table(
        "authenticator_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reference_hash", sa.String(length=64), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_authenticator_drafts_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authenticator_drafts")),
        sa.UniqueConstraint("reference_hash", name=op.f("uq_authenticator_drafts_reference_hash")),
    )
    with op.batch_alter_table("authenticator_drafts") as batch:
        batch.create_index(batch.f("ix_authenticator_drafts_user_id"), ["user_id"], unique=False)
        batch.create_index(batch.f("ix_authenticator_drafts_expires_at"), ["expires_at"], unique=False)


def downgrade():
    with op.batch_alter_table("authenticator_drafts") as batch:
        batch.drop_index(batch.f("ix_authenticator_drafts_expires_at"))
        batch.drop_index(batch.f("ix_authenticator_drafts_user_id"))
    op.drop_table("authenticator_drafts")

    op.execute("DELETE FROM sign_in_failures")
    with op.batch_alter_table("sign_in_failures") as batch:
        batch.drop_index(batch.f("ix_sign_in_failures_account_key"))
        batch.drop_column("account_key")
        batch.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_sign_in_failures_user_id_users", "users", ["user_id"], ["id"], ondelete="CASCADE")
        batch.create_index("ix_sign_in_failures_user_id", ["user_id"], unique=False)
