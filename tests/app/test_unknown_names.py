"""A child's or relative's name nobody told the workbench about is flagged by the briefing's disclosure check."""

from audit_app.extensions import db
from tests.app.roles_briefings import draft_for, reload, signed_in

AUTHOR = "author@test.example"


def test_the_check_page_says_a_name_was_found_and_where(app, factory, login):
    _, briefing = draft_for(factory, AUTHOR)
    row = reload(briefing)
    row.content = {**row.content, "findings": ["Drift set in.", "Jayden Smith was not brought to the dentist."]}
    db.session.commit()
    client = signed_in(app, login, AUTHOR)
    body = client.get(f"/briefings/{briefing.id}/check").get_data(as_text=True)
    assert "Name of a person" in body and "Jayden Smith" in body
    assert body.count(". Name of a person</h2>") == 1 and "Finding 2</dd>" in body
    assert "<mark>Jayden Smith</mark> was not brought to the dentist." in body


def test_the_command_line_check_prints_the_name_with_line_and_column(runner, tmp_path):
    path = tmp_path / "briefing.txt"
    path.write_text("Learning from the audit\nHis mother, Kerry Walsh, asked for help.\n", encoding="utf-8")
    result = runner.invoke(args=["disclosure", "check", str(path)])
    assert (result.exit_code, result.output) == (1, '2:13 name "Kerry Walsh"\n')
