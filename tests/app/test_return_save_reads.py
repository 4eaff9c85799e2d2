"""A return save reads the stored answers once: the view reads them (to compare with the form's base,
or to merge), and the save uses that read rather than reading them again."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from audit_app.data.tools import definition_of
from audit_app.extensions import db
from audit_tools.tools import LONGTEXT, SCALE

READS = {
    "answers": re.compile(r"^\s*SELECT\b.*\bFROM answers\b", re.S | re.I),
    "evidence_notes": re.compile(r"^\s*SELECT\b.*\bFROM evidence_notes\b", re.S | re.I),
}


@pytest.fixture
def setup(client, factory, login):
    factory.user("auditor", agency=factory.agency("CSC"), email="csc@test.example")
    audit = factory.audit()
    ret = factory.return_for(audit, "CSC")
    login(client, "csc@test.example")
    return ret, definition_of(audit.tool_version)


def reads_of_stored_answers(client, csrf, url: str, data: dict) -> tuple[dict[str, int], int]:
    """SELECTs from the answers and the evidence notes while the form is posted, and the response's status."""
    data = {**data, "csrf_token": csrf(client, url)}
    counts = dict.fromkeys(READS, 0)

    def count(_conn, _cursor, statement, *_args):
        for table, pattern in READS.items():
            counts[table] += bool(pattern.search(statement))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        status = client.post(url, data=data).status_code
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return counts, status


def test_a_draft_save_reads_the_stored_answers_once(client, setup, csrf):
    ret, definition = setup
    scale = next(q for q in definition.questions if q.type == SCALE)
    note = next(q for q in definition.questions if q.type == LONGTEXT and q.show_if is None)
    url = f"/returns/{ret.id}"
    counts, status = reads_of_stored_answers(
        client,
        csrf,
        url,
        {
            f"q_{scale.key}": scale.options[0].value,
            f"q_{note.key}": "Seen in the records.",
            "version": "1",
            "save_draft": "y",
        },
    )
    assert status == 302
    assert counts == {"answers": 1, "evidence_notes": 1}
    # and again with answers already stored, so there is something to read
    counts, status = reads_of_stored_answers(
        client, csrf, url, {f"q_{scale.key}": scale.options[-1].value, "version": "2", "save_draft": "y"}
    )
    assert status == 302
    assert counts == {"answers": 1, "evidence_notes": 1}
