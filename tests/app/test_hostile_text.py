"""Every hostile string, typed into every kind of text field, is stored exactly and shown escaped."""

import json
import re
from pathlib import Path

from markupsafe import escape
from sqlalchemy import select

from audit_app.data.tools import definition_of
from audit_app.extensions import db
from audit_app.models import Answer, EvidenceNote, Return
from audit_tools.returns import as_typed
from audit_tools.tools import LONGTEXT, TEXT

BLNS = json.loads((Path(__file__).parents[1] / "data" / "blns.json").read_text("utf-8"))  # MIT, see blns.LICENSE


def test_all_515_strings_in_every_text_field(client, factory, login, post):
    factory.user("auditor", agency=factory.agency("CSC"), email="csc@test.example")
    audit = factory.audit()
    ret = factory.return_for(audit, "CSC")
    definition = definition_of(audit.tool_version)
    fields = [q for q in definition.questions if q.type in (TEXT, LONGTEXT) and q.show_if is None]
    assert {q.type for q in fields} == {TEXT, LONGTEXT}
    noted = [q for q in definition.questions if q.takes_note and q.show_if is None][:4]  # evidence notes
    login(client, "csc@test.example")
    version = 1
    for number, text in enumerate(BLNS):
        # each field gets a different string, so every string visits every kind of field
        data = {f"q_{q.key}": BLNS[(number + i) % len(BLNS)] for i, q in enumerate(fields)}
        data |= {f"n_{q.key}": BLNS[(number + len(fields) + i) % len(BLNS)] for i, q in enumerate(noted)}
        response = post(client, f"/returns/{ret.id}", {**data, "version": str(version), "save_draft": "y"})
        assert response.status_code == 302, (number, text, response.status_code)
        version = db.session.scalar(select(Return.version).where(Return.id == ret.id))
        stored = dict(
            db.session.execute(select(Answer.question_key, Answer.value).where(Answer.return_id == ret.id)).all()
        )
        for question in fields:
            expected = as_typed(data[f"q_{question.key}"])
            assert stored.get(question.key, "") == expected, (number, question.key)
        notes = dict(
            db.session.execute(
                select(EvidenceNote.question_key, EvidenceNote.text).where(EvidenceNote.return_id == ret.id)
            ).all()
        )
        assert notes == {q.key: as_typed(data[f"n_{q.key}"]) for q in noted if as_typed(data[f"n_{q.key}"])}, number
    page = client.get(f"/returns/{ret.id}").get_data(as_text=True)
    for question in fields:
        value = (
            db.session.scalar(
                select(Answer.value).where(Answer.return_id == ret.id, Answer.question_key == question.key)
            )
            or ""
        )
        assert str(escape(value)) in page.replace("&#34;", "&#34;"), question.key
    for note in db.session.scalars(select(EvidenceNote.text).where(EvidenceNote.return_id == ret.id)):
        assert str(escape(note)) in page
    assert not re.search(r"<script>alert", page)
