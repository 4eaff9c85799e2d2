"""Evidence notes: one per answered question, in a table of their own.

The unused ``answers.note`` column goes: a note belongs to the question, and a
multiple choice has several answer rows. Any text found there is moved across.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "evidence_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("question_key", sa.String(length=60), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["return_id"], ["returns.id"], name=op.f("fk_evidence_notes_return_id_returns"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_notes")),
        sa.UniqueConstraint("return_id", "question_key", name=op.f("uq_evidence_notes_return_id_question_key")),
    )
    with op.batch_alter_table("evidence_notes") as batch:
        batch.create_index(batch.f("ix_evidence_notes_return_id"), ["return_id"], unique=False)
    op.execute("INSERT INTO evidence_notes (return_id, question_key, text) "
               "SELECT return_id, question_key, note FROM answers WHERE ordinal = 0 AND note <> ''")
    with op.batch_alter_table("answers") as batch:
        batch.drop_column("note")


def downgrade():
    with op.batch_alter_table("answers") as batch:
        batch.add_column(sa.Column("note", sa.Text(), nullable=False, server_default=""))
    op.execute("UPDATE answers SET note = (SELECT text FROM evidence_notes n WHERE n.return_id = answers.return_id "
               "AND n.question_key = answers.question_key) WHERE ordinal = 0 AND EXISTS (SELECT 1 FROM evidence_notes n "
               "WHERE n.return_id = answers.return_id AND n.question_key = answers.question_key)")
    with op.batch_alter_table("evidence_notes") as batch:
        batch.drop_index(batch.f("ix_evidence_notes_return_id"))
    op.drop_table("evidence_notes")
