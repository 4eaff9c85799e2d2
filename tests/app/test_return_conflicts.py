"""Two people (or two tabs) saving one return: a three-way merge, and nothing saved without validation.

base = the answers when the form was opened, theirs = the answers saved meanwhile, mine = the typed
answers. A field only one side changed merges without asking; a field both changed is asked about
with no default; resolved answers are validated exactly like any other save.
"""

import copy
import re

import pytest
from sqlalchemy import select

from audit_app.data import returns as return_data
from audit_app.data.tools import definition_of
from audit_app.extensions import db
from audit_app.models import Answer, EvidenceNote, Return, Tool, ToolVersion
from audit_tools.tools import DATE, LONGTEXT, NUMBER, SCALE, SINGLE
from tests.app.conflict_forms import as_post, form_pairs

RATIONALE = "q_overall_rationale"


@pytest.fixture
def dated(setup):
    """The audit on a copy of the tool with a date question added (the built-in tool has none)."""
    audit, ret, _ = setup
    raw = copy.deepcopy(audit.tool_version.definition)
    raw["slug"] = "neglect-with-a-date"
    raw["sections"][0]["questions"].append(
        {"key": "last_seen", "type": "date", "required": False, "text": "When did your agency last see the child?"}
    )
    tool = Tool(slug=raw["slug"], name="Neglect, with a date")
    audit.tool_version = ToolVersion(tool=tool, version=1, status="published", definition=raw)
    db.session.commit()
    return audit, ret, definition_of(audit.tool_version)


@pytest.fixture
def colleague(app, factory, login, setup):
    """A second auditor of the same agency, signed in on a client of their own."""
    factory.user("auditor", agency=factory.agency("CSC"), email="csc-colleague@test.example")
    other = app.test_client()
    login(other, "csc-colleague@test.example")
    return other


def opened(client, ret) -> list[tuple[str, str]]:
    """The return form's fields as the browser holds them when the page is opened."""
    return form_pairs(client.get(f"/returns/{ret.id}").get_data(as_text=True), "version")


def stored(ret) -> dict:
    db.session.expire_all()
    return {**return_data.load_answers(ret, _definition(ret))}


def _definition(ret):
    return definition_of(db.session.get(Return, ret.id).case.audit.tool_version)


def scale_question(definition):
    return next(q for q in definition.questions if q.type == SCALE and q.show_if is None)


def press_default_button(client, ret, conflict_html: str, **changes):
    """Send the conflict page's form exactly as it stands (plus ``changes``) with its save button."""
    pairs = form_pairs(conflict_html, "resolve_conflict")
    return client.post(f"/returns/{ret.id}", data=as_post(pairs, save_draft="y", **changes))


def a_conflict(client, colleague, ret, theirs: dict, mine: dict):
    """Both open the form; the colleague saves ``theirs``; this person then saves ``mine``: the conflict page."""
    my_form, their_form = opened(client, ret), opened(colleague, ret)
    assert colleague.post(f"/returns/{ret.id}", data=as_post(their_form, save_draft="y", **theirs)).status_code == 302
    response = client.post(f"/returns/{ret.id}", data=as_post(my_form, save_draft="y", **mine))
    assert response.status_code == 409
    return response.get_data(as_text=True)


def test_a_field_only_the_other_person_changed_survives_the_default_button(client, colleague, setup):
    _, ret, definition = setup
    scale = scale_question(definition)
    html = a_conflict(
        client, colleague, ret, theirs={RATIONALE: "The colleague's reasons."}, mine={f"q_{scale.key}": "partly"}
    )
    assert "checked" not in html  # nothing is chosen for the person
    response = press_default_button(client, ret, html)
    assert response.status_code == 302
    answers = stored(ret)
    assert answers["overall_rationale"] == "The colleague's reasons." and answers[scale.key] == "partly"


def test_a_note_only_the_other_person_wrote_is_kept_beside_my_answer(client, colleague, setup):
    _, ret, definition = setup
    scale = scale_question(definition)
    html = a_conflict(
        client, colleague, ret, theirs={f"n_{scale.key}": "Strategy minutes, May"}, mine={f"q_{scale.key}": "yes"}
    )
    assert press_default_button(client, ret, html).status_code == 302
    answers = stored(ret)
    assert answers[f"{scale.key}:note"] == "Strategy minutes, May" and answers[scale.key] == "yes"


def test_a_field_both_changed_is_asked_about_and_the_default_button_keeps_the_saved_value(client, colleague, setup):
    _, ret, definition = setup
    scale = scale_question(definition)
    html = a_conflict(
        client,
        colleague,
        ret,
        theirs={RATIONALE: "Colleague's reasons.", f"q_{scale.key}": "no"},
        mine={RATIONALE: "My reasons.", f"q_{scale.key}": "partly"},
    )
    assert 'name="choice_overall_rationale"' in html and f'name="choice_{scale.key}"' in html
    assert not re.search(r'name="choice_[^"]*"[^>]*checked', html)  # no radio chosen in advance
    response = press_default_button(client, ret, html)
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 400
    assert "There is a problem" in page and 'href="#choice_overall_rationale-mine"' in page
    assert f'href="#choice_{scale.key}-mine"' in page and "Choose which answer to keep" in page
    assert "My reasons." in page and "Colleague's reasons." in page  # nothing typed is lost
    assert stored(ret)["overall_rationale"] == "Colleague's reasons." and stored(ret)[scale.key] == "no"
    chosen = press_default_button(
        client,
        ret,
        page,
        choice_overall_rationale="merged",
        merged_overall_rationale="Both.",
        **{f"choice_{scale.key}": "saved"},
    )
    assert chosen.status_code == 302
    assert stored(ret)["overall_rationale"] == "Both." and stored(ret)[scale.key] == "no"


@pytest.mark.parametrize("base", [None, "", "garbled", "eyJhIjp7fX0.c2lnbmVk"])
def test_a_missing_or_garbled_base_asks_about_every_difference(client, colleague, setup, base):
    _, ret, definition = setup
    scale = scale_question(definition)
    my_form, their_form = opened(client, ret), opened(colleague, ret)
    colleague.post(f"/returns/{ret.id}", data=as_post(their_form, save_draft="y", **{RATIONALE: "Colleague's."}))
    response = client.post(
        f"/returns/{ret.id}", data=as_post(my_form, save_draft="y", base=base, **{f"q_{scale.key}": "partly"})
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and 'name="choice_overall_rationale"' in html  # not known who changed it
    assert press_default_button(client, ret, html).status_code == 400
    assert stored(ret) == {"overall_rationale": "Colleague's."}


def test_the_base_moves_with_each_autosave(client, colleague, setup):
    """Autosaved, then a colleague clears that answer: saving again must not bring the cleared text back."""
    _, ret, definition = setup
    scale = scale_question(definition)
    my_form = opened(client, ret)
    autosaved = client.post(f"/returns/{ret.id}/autosave", data=as_post(my_form, **{RATIONALE: "Draft reasons."}))
    assert autosaved.status_code == 200 and autosaved.json["saved"]
    their_form = opened(colleague, ret)  # opened after the autosave: sees "Draft reasons."
    assert (
        colleague.post(f"/returns/{ret.id}", data=as_post(their_form, save_draft="y", **{RATIONALE: ""})).status_code
        == 302
    )
    # the page's script puts the autosave's version and base into the form
    mine = as_post(
        my_form,
        save_draft="y",
        version=str(autosaved.json["version"]),
        base=autosaved.json["base"],
        **{RATIONALE: "Draft reasons.", f"q_{scale.key}": "yes"},
    )
    html = client.post(f"/returns/{ret.id}", data=mine).get_data(as_text=True)
    assert press_default_button(client, ret, html).status_code == 302
    assert stored(ret) == {scale.key: "yes"}  # the colleague's clearing stands


def test_a_resolution_after_yet_another_save_asks_again(client, colleague, setup):
    _, ret, definition = setup
    scale = scale_question(definition)
    html = a_conflict(client, colleague, ret, theirs={RATIONALE: "First."}, mine={RATIONALE: "Mine."})
    third = opened(colleague, ret)
    colleague.post(f"/returns/{ret.id}", data=as_post(third, save_draft="y", **{f"q_{scale.key}": "no"}))
    response = press_default_button(client, ret, html, choice_overall_rationale="mine")
    assert response.status_code == 409  # a new conflict page, against the newest save
    assert (
        press_default_button(client, ret, response.get_data(as_text=True), choice_overall_rationale="mine").status_code
        == 302
    )
    assert stored(ret) == {"overall_rationale": "Mine.", scale.key: "no"}


# ---------------------------------------------------------------- item 5: resolved answers are validated


def _question(definition, kind):
    return next(q for q in definition.questions if q.type == kind and q.show_if is None)


def crafted_cases(definition):
    """(name, what both saved, crafted resolution, the message expected) for each question type."""
    overall = definition.overall_question
    number, date, longtext = (_question(definition, k) for k in (NUMBER, DATE, LONGTEXT))
    single = next(q for q in definition.questions if q.type == SINGLE and q.show_if is None)
    scale = scale_question(definition)
    return [
        (
            "overall judgement 'superb' combined",
            overall.key,
            {f"q_{overall.key}": overall.options[0].value},
            {f"q_{overall.key}": overall.options[1].value},
            {f"choice_{overall.key}": "merged", f"merged_{overall.key}": "superb"},
            "Choose which answer to keep",
        ),
        (
            "overall judgement 'superb' as mine",
            overall.key,
            {f"q_{overall.key}": overall.options[0].value},
            {f"q_{overall.key}": overall.options[1].value},
            {f"q_{overall.key}": "superb", f"choice_{overall.key}": "mine"},
            "Choose one of the answers listed.",
        ),
        (
            "single choice outside the options",
            single.key,
            {f"q_{single.key}": single.options[0].value},
            {f"q_{single.key}": single.options[1].value},
            {f"q_{single.key}": "not-an-option", f"choice_{single.key}": "mine"},
            "Choose one of the answers listed.",
        ),
        (
            "negative count",
            number.key,
            {f"q_{number.key}": "3"},
            {f"q_{number.key}": "4"},
            {f"q_{number.key}": "-5000", f"choice_{number.key}": "mine"},
            "Enter a number from 0 to 100,000.",
        ),
        (
            "negative count combined",
            number.key,
            {f"q_{number.key}": "3"},
            {f"q_{number.key}": "4"},
            {f"choice_{number.key}": "merged", f"merged_{number.key}": "-5000"},
            "Choose which answer to keep",
        ),
        (
            "huge count",
            number.key,
            {f"q_{number.key}": "3"},
            {f"q_{number.key}": "4"},
            {f"q_{number.key}": "1e400", f"choice_{number.key}": "mine"},
            "Enter a number, like 3 or 2.5.",
        ),
        (
            "note ten times the limit",
            f"{scale.key}:note",
            {f"n_{scale.key}": "Theirs"},
            {f"n_{scale.key}": "Mine"},
            {f"choice_{scale.key}:note": "merged", f"merged_{scale.key}:note": "x" * 20_000},
            "Evidence note must be 2,000 characters or fewer.",
        ),
        (
            "long text over the limit",
            longtext.key,
            {f"q_{longtext.key}": "Theirs"},
            {f"q_{longtext.key}": "Mine"},
            {f"choice_{longtext.key}": "merged", f"merged_{longtext.key}": "y" * 10_001},
            "Answer must be 10,000 characters or fewer.",
        ),
        (
            "a date that does not exist",
            date.key,
            {f"q_{date.key}": ["1", "3", "2026"]},
            {f"q_{date.key}": ["2", "3", "2026"]},
            {f"q_{date.key}": ["30", "2", "2026"], f"choice_{date.key}": "mine"},
            "real date",
        ),
        (
            "a date combined by hand",
            date.key,
            {f"q_{date.key}": ["1", "3", "2026"]},
            {f"q_{date.key}": ["2", "3", "2026"]},
            {f"choice_{date.key}": "merged", f"merged_{date.key}": "2026-02-30"},
            "Choose which answer to keep",
        ),
    ]


CASE_NAMES = [
    "superb-combined",
    "superb-mine",
    "single",
    "negative",
    "negative-combined",
    "huge",
    "note",
    "longtext",
    "bad-date",
    "date-combined",
]


@pytest.mark.parametrize("index", range(len(CASE_NAMES)), ids=CASE_NAMES)
def test_a_crafted_resolution_is_validated_like_any_save(client, colleague, dated, index):
    _, ret, definition = dated
    _name, key, theirs, mine, crafted, message = crafted_cases(definition)[index]
    html = a_conflict(client, colleague, ret, theirs=theirs, mine=mine)
    before = stored(ret)
    version = db.session.scalar(select(Return.version).where(Return.id == ret.id))
    response = press_default_button(client, ret, html, **crafted)
    page = response.get_data(as_text=True).replace("&#39;", "'").replace("&amp;", "&")
    assert response.status_code == 400
    assert "There is a problem" in page and message in page
    assert stored(ret) == before and before[key]  # nothing saved: the colleague's answer stands
    assert db.session.scalar(select(Return.version).where(Return.id == ret.id)) == version


def test_a_counted_return_is_never_submitted_with_a_crafted_judgement(client, colleague, setup, post):
    """The probe's post: a resolve that submits "superb", -5000 and an over-long note, at the current version."""
    _, ret, definition = setup
    overall, number, scale = definition.overall_question, _question(definition, NUMBER), scale_question(definition)
    colleague_form = opened(colleague, ret)
    colleague.post(f"/returns/{ret.id}", data=as_post(colleague_form, save_draft="y", **{RATIONALE: "Theirs."}))
    version = db.session.scalar(select(Return.version).where(Return.id == ret.id))
    response = post(
        client,
        f"/returns/{ret.id}",
        {
            "version": str(version),
            "resolve_conflict": "1",
            "submit_return": "y",
            f"choice_{overall.key}": "merged",
            f"merged_{overall.key}": "superb",
            f"choice_{number.key}": "merged",
            f"merged_{number.key}": "-5000",
            f"choice_{scale.key}:note": "merged",
            f"merged_{scale.key}:note": "z" * 20_000,
        },
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Return, ret.id).state == "draft"
    assert stored(ret) == {"overall_rationale": "Theirs."}
    assert db.session.scalar(select(EvidenceNote.id).where(EvidenceNote.return_id == ret.id)) is None


def test_the_data_layer_refuses_invalid_answers_whatever_the_caller(setup, factory):
    _, ret, definition = setup
    user = factory.user("auditor", agency=factory.agency("CSC"), email="direct@test.example")
    number = _question(definition, NUMBER)
    with pytest.raises(return_data.InvalidAnswersError) as refused:
        return_data.save_answers(ret, {number.key: "-5000", "overall_judgement": "superb"}, definition, user, 1)
    assert set(refused.value.problems) == {number.key, "overall_judgement"}
    db.session.rollback()
    assert db.session.scalar(select(Answer.id).where(Answer.return_id == ret.id)) is None


def test_the_base_the_form_carries_is_small_and_holds_no_typed_text(client, setup, post):
    """Fingerprints, not a second copy of the answers: a 9,000-character answer leaves the base tiny."""
    _, ret, definition = setup
    longtext = next(q for q in definition.questions if q.type == LONGTEXT and q.show_if is None)
    typed = " ".join(str(n * 7919 % 100_003) for n in range(1_500))[:9_000]  # compresses poorly
    assert (
        post(client, f"/returns/{ret.id}", {f"q_{longtext.key}": typed, "version": "1", "save_draft": "y"}).status_code
        == 302
    )
    base = dict(opened(client, ret))["base"]
    assert 0 < len(base) < 1_000 and typed[:40] not in base


def test_a_plain_save_of_a_form_opened_from_older_answers_is_a_conflict_not_an_overwrite(client, colleague, setup):
    """The conflict page carries the newest version; sent without its resolve flag (as a restored draft of it
    would be), it must not overwrite the colleague's answers just because the version is current."""
    _, ret, definition = setup
    scale = scale_question(definition)
    html = a_conflict(client, colleague, ret, theirs={RATIONALE: "Colleague's."}, mine={f"q_{scale.key}": "no"})
    response = press_default_button(client, ret, html, resolve_conflict=None)
    assert response.status_code == 409 and 'name="resolve_conflict"' in response.get_data(as_text=True)
    assert stored(ret) == {"overall_rationale": "Colleague's."}
    assert press_default_button(client, ret, response.get_data(as_text=True)).status_code == 302
    assert stored(ret) == {"overall_rationale": "Colleague's.", scale.key: "no"}
