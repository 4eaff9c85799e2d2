"""Each answer can carry a note of the evidence behind it; notes are saved, shown and merged like answers."""

import re

from sqlalchemy import select

from audit_app.extensions import db
from audit_app.models import Answer, EvidenceNote
from audit_tools.returns import MAX_NOTE_LENGTH
from audit_tools.tools import LONGTEXT, SCALE


def first_scale(definition):
    return next(q for q in definition.questions if q.type == SCALE and q.show_if is None)


def stored_notes(ret) -> dict[str, str]:
    return dict(
        db.session.execute(
            select(EvidenceNote.question_key, EvidenceNote.text).where(EvidenceNote.return_id == ret.id)
        ).all()
    )


def test_a_note_is_saved_beside_its_answer_and_shown_again(client, setup, post):
    _, ret, definition = setup
    question = first_scale(definition)
    response = post(
        client,
        f"/returns/{ret.id}",
        {
            f"q_{question.key}": "yes",
            f"n_{question.key}": "Case note of 3 March:\r\nhome visit seen the bedroom",
            "version": "1",
            "save_draft": "y",
        },
    )
    assert response.status_code == 302
    assert stored_notes(ret) == {question.key: "Case note of 3 March:\nhome visit seen the bedroom"}
    assert db.session.scalar(select(Answer.value).where(Answer.return_id == ret.id)) == "yes"
    page = client.get(f"/returns/{ret.id}").get_data(as_text=True)
    assert re.search(rf'<textarea[^>]*name="n_{question.key}"[^>]*>\s*Case note of 3 March:', page)


def test_free_text_questions_have_no_separate_note(client, setup):
    _, ret, definition = setup
    page = client.get(f"/returns/{ret.id}").get_data(as_text=True)
    longtext = next(q for q in definition.questions if q.type == LONGTEXT)
    assert f'name="n_{longtext.key}"' not in page
    assert f'name="n_{first_scale(definition).key}"' in page


def test_a_note_too_long_is_refused_by_name_and_nothing_is_saved(client, setup, post):
    _, ret, definition = setup
    question = first_scale(definition)
    response = post(
        client,
        f"/returns/{ret.id}",
        {
            f"q_{question.key}": "yes",
            f"n_{question.key}": "x" * (MAX_NOTE_LENGTH + 1),
            "version": "1",
            "save_draft": "y",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Evidence note must be 2,000 characters or fewer." in html
    assert f'href="#n_{question.key}"' in html  # the error summary links to the note itself
    assert stored_notes(ret) == {} and db.session.scalar(select(Answer.id).where(Answer.return_id == ret.id)) is None


def test_a_note_left_behind_a_hidden_question_is_not_kept(client, setup, post):
    _, ret, definition = setup
    hidden = next(q for q in definition.questions if q.show_if is not None and q.takes_note)
    post(client, f"/returns/{ret.id}", {f"n_{hidden.key}": "Should not be kept", "version": "1", "save_draft": "y"})
    assert stored_notes(ret) == {}


def test_two_auditors_editing_the_same_note_see_both_and_can_keep_either(app, client, factory, login, post, setup):
    _, ret, definition = setup
    key = first_scale(definition).key
    factory.user("auditor", agency=factory.agency("CSC"), email="csc-colleague@test.example")
    colleague = app.test_client()
    login(colleague, "csc-colleague@test.example")
    assert (
        post(
            colleague, f"/returns/{ret.id}", {f"n_{key}": "Colleague's evidence", "version": "1", "save_draft": "y"}
        ).status_code
        == 302
    )
    response = post(client, f"/returns/{ret.id}", {f"n_{key}": "My evidence", "version": "1", "save_draft": "y"})
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 409
    assert "My evidence" in html and "Colleague's evidence" in html and "evidence note" in html
    assert f'name="choice_{key}:note"' in html
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    resolved = post(
        client,
        f"/returns/{ret.id}",
        {
            f"n_{key}": "My evidence",
            "version": version,
            "resolve_conflict": "1",
            f"choice_{key}:note": "saved",
            "save_draft": "y",
        },
    )
    assert resolved.status_code == 302
    assert stored_notes(ret) == {key: "Colleague's evidence"}


def test_the_submitted_return_shows_each_note_under_its_answer(client, setup, post):
    from tests.app.conftest import complete_answers

    _, ret, definition = setup
    key = first_scale(definition).key
    data = {**complete_answers(definition), f"n_{key}": "<b>Strategy</b> minutes", "version": "1", "submit_return": "y"}
    assert post(client, f"/returns/{ret.id}", data).status_code == 302
    page = client.get(f"/returns/{ret.id}").get_data(as_text=True)
    assert "&lt;b&gt;Strategy&lt;/b&gt; minutes" in page and "<b>Strategy" not in page
