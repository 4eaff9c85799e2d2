"""Counted answers found by a plain condition: each return carries its case's audit and whether it
counts (submitted or accepted), and passes both on to its answers beside its agency. Keys on the
copied columns keep every copy equal to its source, the database carries a submission's change of
``counted`` on to the answers, and a check keeps ``counted`` true to the return's state.

The analysis then counts an audit's answers with ``WHERE audit_id = ? AND counted`` instead of a
join to the returns and cases. The single-column index on ``answers.return_id`` goes: the unique
(return_id, question_key, ordinal) index serves every lookup by return.

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

CASE_FK = "fk_returns_case_id_cases"
RETURN_FK = "fk_answers_return_id_returns"
COUNTED = "state IN ('submitted', 'accepted')"


def upgrade():
    with op.batch_alter_table("cases") as batch:
        batch.create_unique_constraint(batch.f("uq_cases_id_audit_id"), ["id", "audit_id"])
    _restore_reference_index()
    with op.batch_alter_table("returns") as batch:
        batch.add_column(sa.Column("audit_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("counted", sa.Boolean(), nullable=True))
    op.execute(f"UPDATE returns SET audit_id = (SELECT audit_id FROM cases WHERE cases.id = returns.case_id), "
               f"counted = ({COUNTED})")
    with op.batch_alter_table("returns") as batch:
        batch.alter_column("audit_id", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("counted", existing_type=sa.Boolean(), nullable=False)
        batch.drop_constraint(CASE_FK, type_="foreignkey")
        batch.create_foreign_key(CASE_FK, "cases", ["case_id", "audit_id"], ["id", "audit_id"],
                                 ondelete="CASCADE", onupdate="CASCADE")
        batch.create_check_constraint("counted_follows_state", f"counted = ({COUNTED})")
        batch.create_unique_constraint(batch.f("uq_returns_id_agency_id_audit_id_counted"),
                                       ["id", "agency_id", "audit_id", "counted"])
    with op.batch_alter_table("answers") as batch:
        batch.add_column(sa.Column("audit_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("counted", sa.Boolean(), nullable=True))
    op.execute("UPDATE answers SET (audit_id, counted) = "
               "(SELECT audit_id, counted FROM returns WHERE returns.id = answers.return_id)")
    with op.batch_alter_table("answers") as batch:
        batch.alter_column("audit_id", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("counted", existing_type=sa.Boolean(), nullable=False)
        batch.drop_constraint(RETURN_FK, type_="foreignkey")
        batch.create_foreign_key(RETURN_FK, "returns", ["return_id", "agency_id", "audit_id", "counted"],
                                 ["id", "agency_id", "audit_id", "counted"], ondelete="CASCADE", onupdate="CASCADE")
        batch.drop_index(batch.f("ix_answers_return_id"))
        batch.create_index(batch.f("ix_answers_audit_id"), ["audit_id"], unique=False)
    with op.batch_alter_table("returns") as batch:
        batch.drop_constraint(batch.f("uq_returns_id_agency_id"), type_="unique")


def downgrade():
    with op.batch_alter_table("returns") as batch:
        batch.create_unique_constraint(batch.f("uq_returns_id_agency_id"), ["id", "agency_id"])
    with op.batch_alter_table("answers") as batch:
        batch.drop_index(batch.f("ix_answers_audit_id"))
        batch.create_index(batch.f("ix_answers_return_id"), ["return_id"], unique=False)
        batch.drop_constraint(RETURN_FK, type_="foreignkey")
        batch.create_foreign_key(RETURN_FK, "returns", ["return_id", "agency_id"], ["id", "agency_id"],
                                 ondelete="CASCADE", onupdate="CASCADE")
        batch.drop_column("counted")
        batch.drop_column("audit_id")
    with op.batch_alter_table("returns") as batch:
        batch.drop_constraint(batch.f("uq_returns_id_agency_id_audit_id_counted"), type_="unique")
        batch.drop_constraint(op.f("ck_returns_counted_follows_state"), type_="check")
        batch.drop_constraint(CASE_FK, type_="foreignkey")
        batch.create_foreign_key(CASE_FK, "cases", ["case_id"], ["id"], ondelete="CASCADE")
        batch.drop_column("counted")
        batch.drop_column("audit_id")
    with op.batch_alter_table("cases") as batch:
        batch.drop_constraint(batch.f("uq_cases_id_audit_id"), type_="unique")
    _restore_reference_index()


def _restore_reference_index():
    """SQLite's batch rebuild cannot see expression indexes, so it drops this one: put it back (as 0003)."""
    op.execute("DROP INDEX IF EXISTS uq_cases_audit_id_lower_reference")
    op.create_index("uq_cases_audit_id_lower_reference", "cases", ["audit_id", sa.text("lower(reference)")],
                    unique=True)
