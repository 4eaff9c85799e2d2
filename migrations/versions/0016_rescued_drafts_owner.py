"""Rescued drafts belong to one auditor: the user a signed rescue token named, the fields the form
held, a keyed digest of the address it came from (for the rate limit) and whether a newer draft has
superseded it.

Drafts kept before this revision carry no proof that the auditor's own page sent them (any signed-out
post was kept), so they are deleted: at worst an auditor whose session ended in the minutes before the
upgrade types a few answers again.

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM rescued_drafts")
    with op.batch_alter_table("rescued_drafts") as batch:
        batch.add_column(sa.Column("user_id", sa.Integer(), nullable=False))
        batch.add_column(sa.Column("fields", sa.JSON(), nullable=False))
        batch.add_column(sa.Column("address_digest", sa.String(length=64), nullable=False))
        batch.add_column(sa.Column("superseded", sa.Boolean(), nullable=False))
        batch.create_foreign_key(batch.f("fk_rescued_drafts_user_id_users"), "users", ["user_id"], ["id"],
                                 ondelete="CASCADE")
        batch.create_index(batch.f("ix_rescued_drafts_user_id"), ["user_id"], unique=False)
        batch.create_index(batch.f("ix_rescued_drafts_address_digest"), ["address_digest"], unique=False)


def downgrade():
    with op.batch_alter_table("rescued_drafts") as batch:
        batch.drop_index(batch.f("ix_rescued_drafts_address_digest"))
        batch.drop_index(batch.f("ix_rescued_drafts_user_id"))
        batch.drop_constraint(batch.f("fk_rescued_drafts_user_id_users"), type_="foreignkey")
        batch.drop_column("superseded")
        batch.drop_column("address_digest")
        batch.drop_column("fields")
        batch.drop_column("user_id")
