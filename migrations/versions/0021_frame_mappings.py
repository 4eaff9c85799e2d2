"""The mapping step of a sample frame's import: staged uploads (without identifying columns), named
sources with their remembered mapping, and agency aliases.

Revision ID: 0021
Revises: 0020
"""
import sqlalchemy as sa
from alembic import op


revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "staged_frames",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("upload_file", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("left_out", sa.JSON(), nullable=False),
        sa.Column("derived_ages", sa.JSON(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["audit_id"], ["audits.id"], name=op.f("fk_staged_frames_audit_id_audits"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_staged_frames_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staged_frames")),
    )
    with op.batch_alter_table("staged_frames") as batch:
        batch.create_index(batch.f("ix_staged_frames_audit_id"), ["audit_id"], unique=False)
        batch.create_index(batch.f("ix_staged_frames_user_id"), ["user_id"], unique=False)
        batch.create_index(batch.f("ix_staged_frames_created_at"), ["created_at"], unique=False)
    op.create_table(
        "frame_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("not_agencies", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("numbers_agency_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["numbers_agency_id"], ["agencies.id"],
                                name=op.f("fk_frame_sources_numbers_agency_id_agencies"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frame_sources")),
        sa.UniqueConstraint("label", name=op.f("uq_frame_sources_label")),
    )
    op.create_table(
        "agency_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_agency_aliases_agency_id_agencies"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_aliases")),
        sa.UniqueConstraint("alias", name=op.f("uq_agency_aliases_alias")),
    )
    with op.batch_alter_table("agency_aliases") as batch:
        batch.create_index(batch.f("ix_agency_aliases_agency_id"), ["agency_id"], unique=False)
    # An agency's own case numbers, sealed with a key outside the database (docs/PSEUDONYMS.md).
    with op.batch_alter_table("frame_rows") as batch:
        batch.add_column(sa.Column("own_number", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("sample_frames") as batch:
        batch.add_column(sa.Column("own_number_agency_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f("fk_sample_frames_own_number_agency_id_agencies"), "agencies",
                                 ["own_number_agency_id"], ["id"], ondelete="SET NULL")
    with op.batch_alter_table("cases") as batch:  # no foreign key: see Case.own_number_agency_id
        batch.add_column(sa.Column("own_number", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("own_number_agency_id", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("own_number_agency_id")
        batch.drop_column("own_number")
    with op.batch_alter_table("sample_frames") as batch:
        batch.drop_constraint(batch.f("fk_sample_frames_own_number_agency_id_agencies"), type_="foreignkey")
        batch.drop_column("own_number_agency_id")
    with op.batch_alter_table("frame_rows") as batch:
        batch.drop_column("own_number")
    op.drop_table("agency_aliases")
    op.drop_table("frame_sources")
    op.drop_table("staged_frames")
