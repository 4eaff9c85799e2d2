"""Time-zone-aware timestamps, time-limited sign-in lockout, case-insensitive case references.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# (table, column, nullable): every moment in time the app stores.
TIMESTAMPS = (
    ("tool_versions", "published_at", True), ("users", "created_at", False), ("audit_events", "at", False),
    ("audits", "created_at", False), ("returns", "updated_at", False), ("returns", "submitted_at", True),
)


def _retype(timezone: bool) -> None:
    """Existing values were written as UTC, so PostgreSQL is told to read them as UTC."""
    using = "AT TIME ZONE 'UTC'"
    for table, column, nullable in TIMESTAMPS:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, type_=sa.DateTime(timezone=timezone), existing_nullable=nullable,
                               postgresql_using=f"{column} {using}")


def upgrade():
    _retype(timezone=True)
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("last_failed_login_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("cases") as batch:
        batch.drop_constraint("uq_cases_audit_id_reference", type_="unique")
    op.create_index("uq_cases_audit_id_lower_reference", "cases", ["audit_id", sa.text("lower(reference)")], unique=True)


def downgrade():
    op.drop_index("uq_cases_audit_id_lower_reference", table_name="cases")
    with op.batch_alter_table("cases") as batch:
        batch.create_unique_constraint("uq_cases_audit_id_reference", ["audit_id", "reference"])
    with op.batch_alter_table("users") as batch:
        batch.drop_column("last_failed_login_at")
    _retype(timezone=False)
