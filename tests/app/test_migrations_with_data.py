"""Migrations must work on a database that already holds an audit, not only on an empty one."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from audit_app.extensions import db

ROWS_AT_0001 = [
    "INSERT INTO agencies (id, name, short_name, sector) VALUES (1, 'Children''s social care', 'CSC', 'local "
    "authority')",
    "INSERT INTO tools (id, slug, name) VALUES (1, 't', 'T')",
    "INSERT INTO tool_versions (id, tool_id, version, status, definition, published_at) "
    "VALUES (1, 1, 1, 'published', '{}', '2026-04-01 09:00:00')",
    "INSERT INTO users (id, email, display_name, password_hash, agency_id, active, failed_logins, created_at) "
    "VALUES (1, 'a@test.example', 'A', 'x', 1, true, 0, '2026-04-01 09:00:00')",
    "INSERT INTO audits (id, title, topic, year, purpose, scope, tool_version_id, state, created_at) "
    "VALUES (1, 'Audit', 'Neglect', 2026, '', '', 1, 'open', '2026-04-01 09:00:00')",
    "INSERT INTO cases (id, audit_id, reference, age_band, locality, plan_type, attributes) "
    "VALUES (1, 1, 'NA-1', '0-2', 'X', 'Y', '{}')",
    "INSERT INTO returns (id, case_id, agency_id, auditor_id, state, version, updated_at, submitted_at) "
    "VALUES (1, 1, 1, 1, 'submitted', 3, '2026-04-02 10:00:00', '2026-04-02 10:30:00')",
    "INSERT INTO answers (id, return_id, question_key, ordinal, value, score, note) VALUES (1, 1, 'q', 0, "
    "'yes', 2, '')",
]


def test_upgrading_a_populated_database_keeps_every_row(migrating_app):
    with migrating_app.app_context():
        upgrade(revision="0001")
        with db.engine.begin() as conn:
            for statement in ROWS_AT_0001:
                conn.execute(sa.text(statement))
        upgrade()
        downgrade(revision="0001")
        upgrade()
        with db.engine.connect() as conn:
            counts = [
                conn.scalar(sa.text(f"SELECT count(*) FROM {t}")) for t in ("audits", "cases", "returns", "answers")
            ]
            assert counts == [1, 1, 1, 1]
        from audit_app.models import Return

        ret = db.session.get(Return, 1)
        assert ret.submitted_at == datetime(2026, 4, 2, 10, 30, tzinfo=UTC)
        assert ret.version == 3
        with db.engine.begin() as conn:  # 0012 gave each answer its return's agency, and keeps the two equal
            assert conn.scalar(sa.text("SELECT agency_id FROM answers WHERE id = 1")) == 1
            conn.execute(
                sa.text(
                    "INSERT INTO agencies (id, name, short_name, sector) "
                    "VALUES (2, 'Early help', 'EH', 'local authority')"
                )
            )
            conn.execute(sa.text("UPDATE returns SET agency_id = 2 WHERE id = 1"))
            assert conn.scalar(sa.text("SELECT agency_id FROM answers WHERE id = 1")) == 2
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO answers (return_id, agency_id, audit_id, counted, question_key, ordinal, "
                    "value) VALUES (1, 1, 1, true, 'other', 0, 'no')"
                )
            )  # not the return's agency
        with db.engine.begin() as conn:  # 0013 gave returns and answers the audit and whether they count
            assert conn.execute(sa.text("SELECT audit_id, counted FROM returns")).one() == (1, True)
            assert conn.execute(sa.text("SELECT audit_id, counted FROM answers")).one() == (1, True)
            conn.execute(sa.text("UPDATE returns SET state = 'returned', counted = false WHERE id = 1"))
            assert conn.scalar(sa.text("SELECT counted FROM answers WHERE id = 1")) == 0  # carried on (false is 0)
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE returns SET state = 'accepted' WHERE id = 1"))  # counted left false
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO answers (return_id, agency_id, audit_id, counted, question_key, ordinal, "
                    "value) VALUES (1, 2, 1, true, 'other', 0, 'no')"
                )
            )  # counted, but its return is not
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:  # the index survived every rebuild
            conn.execute(
                sa.text(
                    "INSERT INTO cases (audit_id, reference, age_band, locality, plan_type, attributes, "
                    "stratum, included, exclusion_reason) VALUES (1, 'na-1', '', '', '', '{}', '', true, '')"
                )
            )
