"""`flask backup FILE` and `flask restore FILE`: a private file, and a restore that gives back every
row of every table exactly — on SQLite, and on PostgreSQL when the suite runs there."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from audit_app.data.events import record_event
from audit_app.data.trail_check import parse_checkpoint
from audit_app.extensions import db
from audit_app.maintenance.backup import pg_dump_command, pg_environment, pg_restore_command
from audit_app.models import Agency, Answer, Case


def fingerprint() -> dict[str, tuple[int, str]]:
    """Every table of the live schema (migrations' own table too): its row count and a checksum of its rows."""
    db.session.close()
    inspector = sa.inspect(db.engine)
    result = {}
    with db.engine.connect() as connection:
        for name in inspector.get_table_names():
            rows = sorted(
                repr(tuple(row)) for row in connection.execute(sa.select(sa.text("*")).select_from(sa.table(name)))
            )
            result[name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return result


@pytest.fixture
def filled(factory):
    """An audit with cases, returns, answers and audit-trail events."""
    audit = factory.audit(cases=3, agencies=("CSC", "EH", "School"))
    factory.user("coordinator", email="c@test.example")
    for ret in audit.cases[0].returns:
        ret.answers.append(Answer(question_key="home", value="partly", score=0.5))
    record_event("audit.created", "audit", audit.id, after={"title": audit.title})
    db.session.commit()
    return audit


@pytest.fixture
def backup_file(tmp_path):
    return str(tmp_path / "audit-backup.db")


def test_v14_2_4_a_restore_gives_back_every_row_of_every_table(runner, filled, backup_file):
    """ASVS 5.0 V14.2.4 (integrity of the data as documented); ASVS 5.0 has no backup requirement of its own."""
    original = fingerprint()
    assert original["cases"][0] == 3 and original["answers"][0] == 3 and original["alembic_version"][0] == 1
    made = runner.invoke(args=["backup", backup_file])
    assert made.exit_code == 0, made.output
    assert f"Backup written to {backup_file}" in made.output and "SHA-256" in made.output

    db.session.delete(db.session.scalar(sa.select(Case).where(Case.reference == "T-03")))
    db.session.add(Agency(short_name="Police", name="Westmere Police", sector="police"))
    db.session.commit()
    assert fingerprint() != original

    restored = runner.invoke(args=["restore", backup_file, "--yes"])
    assert restored.exit_code == 0, restored.output
    assert "Restored" in restored.output and "schema version" in restored.output
    assert fingerprint() == original


def test_v14_2_4_a_backup_can_be_read_by_its_owner_only(runner, filled, backup_file):
    previous = os.umask(0)  # even a careless umask must not make the backup readable by others
    try:
        result = runner.invoke(args=["backup", backup_file])
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(backup_file).st_mode) == 0o600


def test_a_backup_never_overwrites_a_file(runner, filled, backup_file):
    with open(backup_file, "w", encoding="utf-8") as handle:
        handle.write("last week's backup")
    result = runner.invoke(args=["backup", backup_file])
    assert result.exit_code == 1
    assert "already exists. Choose a new file name" in result.output
    with open(backup_file, encoding="utf-8") as handle:
        assert handle.read() == "last week's backup"


def test_a_restore_asks_first_and_changes_nothing_without_yes(runner, filled, backup_file):
    assert runner.invoke(args=["backup", backup_file]).exit_code == 0
    db.session.add(Agency(short_name="Police", name="Westmere Police", sector="police"))
    db.session.commit()
    before = fingerprint()
    result = runner.invoke(args=["restore", backup_file], input="n\n")
    assert result.exit_code == 1 and "replaces everything in the database" in result.output
    assert fingerprint() == before


def test_v16_5_3_a_file_that_is_not_a_backup_is_refused_and_changes_nothing(runner, filled, tmp_path):
    before = fingerprint()
    for name, content in (("notes.txt", b"not a backup at all"), ("empty.db", b"SQLite format 3\x00" + b"\x00" * 84)):
        path = tmp_path / name
        path.write_bytes(content)
        result = runner.invoke(args=["restore", str(path), "--yes"])
        assert result.exit_code == 1, (name, result.output)
        assert "Error:" in result.output and "Restored" not in result.output
    assert fingerprint() == before


def test_v13_3_1_the_database_password_never_appears_on_a_command_line(monkeypatch):
    """ASVS 5.0 V13.3.1 (secrets kept out of places they can leak from: here the process list)."""
    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}")
    url = sa.engine.make_url("postgresql+psycopg://audit:s3cret-pw@db.internal:5433/casework?sslmode=require")
    argv = pg_dump_command() + pg_restore_command(url, "/backups/audit.dump")
    env = pg_environment(url)
    assert argv[0] == "/usr/bin/pg_dump" and "--format=custom" in argv and "--clean" in argv
    assert not any("s3cret-pw" in part for part in argv)
    assert {key: env[key] for key in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSSLMODE")} == {
        "PGHOST": "db.internal",
        "PGPORT": "5433",
        "PGUSER": "audit",
        "PGPASSWORD": "s3cret-pw",
        "PGDATABASE": "casework",
        "PGSSLMODE": "require",
    }


def test_every_backup_keeps_an_audit_trail_checkpoint_beside_it_and_in_the_log(
    app, runner, filled, backup_file, caplog, monkeypatch
):
    """Issue 16 item 9: a checkpoint outside the database shows later whether the newest events were removed."""
    monkeypatch.setattr(app.logger, "disabled", False)  # a migration test's alembic fileConfig disables it
    with caplog.at_level("INFO"):
        made = runner.invoke(args=["backup", backup_file])
    assert made.exit_code == 0, made.output
    saved = backup_file + ".checkpoint"
    assert f"Audit trail checkpoint written to {saved}" in made.output
    assert stat.S_IMODE(os.stat(saved).st_mode) == 0o600
    checkpoint = parse_checkpoint(Path(saved).read_text(encoding="utf-8"))
    assert checkpoint.events == 1 and f"Audit trail checkpoint: {checkpoint.to_json()}" in caplog.text
    record_event("audit.state", "audit", filled.id, after={"state": "closed"})
    db.session.commit()
    assert runner.invoke(args=["trail", "verify", "--checkpoint", saved]).exit_code == 0
    newer = runner.invoke(args=["trail", "checkpoint"]).output.strip().splitlines()[-1]
    assert runner.invoke(args=["restore", backup_file, "--yes"]).exit_code == 0
    assert runner.invoke(args=["trail", "verify", "--checkpoint", saved]).exit_code == 0
    with open(backup_file + ".newer", "w", encoding="utf-8") as handle:
        handle.write(newer)
    rolled_back = runner.invoke(args=["trail", "verify", "--checkpoint", backup_file + ".newer"])
    assert rolled_back.exit_code == 1 and "the newest events have been removed" in rolled_back.output


def test_a_backup_whose_checkpoint_file_exists_writes_nothing(runner, filled, backup_file):
    with open(backup_file + ".checkpoint", "w", encoding="utf-8") as handle:
        handle.write("kept")
    result = runner.invoke(args=["backup", backup_file])
    assert result.exit_code == 1 and "already exists" in result.output and not os.path.exists(backup_file)
