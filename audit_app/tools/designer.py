"""The designer: editing a draft tool version's details, sections and questions.

Every edit is a pure function of ``audit_tools.tools.editing`` applied to the draft,
then validated whole by ``save_draft``. When the result is invalid, nothing is
stored and the form is shown again with what was typed and each problem.
"""

from collections.abc import Callable
from typing import Any, cast

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.2; types-WTForms lacks it

from audit_app.data import tools as tool_data
from audit_app.forms import ConfirmForm
from audit_app.models import ToolVersion
from audit_app.security import roles_required
from audit_app.tools.forms import DetailsForm, QuestionForm, SectionForm
from audit_app.tools.routes import bp, version_or_404
from audit_app.transactions import saved
from audit_tools.states import QuestionType, Role, ToolState
from audit_tools.tools import DefinitionError, ToolDefinition, builtin_themes
from audit_tools.tools import editing as edit

THEMES = builtin_themes()


def _draft_or_404(tool_id: int, number: int) -> ToolVersion:
    version = version_or_404(tool_id, number)
    if version.status != ToolState.DRAFT:
        abort(409, description=f"Version {number} is {version.status} and can never change. Create a new version.")
    return version


def _back(version: ToolVersion, anchor: str = "") -> Response:
    return redirect(url_for("tools.version", tool_id=version.tool_id, number=version.version) + anchor)


def _save(version: ToolVersion, raw: dict, problems_out: list[str], message: str) -> bool:
    """Validate and store; on failure put the problems in ``problems_out`` and store nothing."""
    with saved(message, tell=False, refusals=(DefinitionError, tool_data.ToolError, edit.EditError)) as outcome:
        tool_data.save_draft(version, raw, current_user)
    if isinstance(outcome.error, DefinitionError):
        problems_out.extend(outcome.error.problems)
    elif outcome.error is not None:
        problems_out.append(str(outcome.error))
    return outcome.ok


@bp.route("/<int:tool_id>/v<int:number>/details", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def edit_details(tool_id: int, number: int) -> ResponseReturnValue:
    version = _draft_or_404(tool_id, number)
    raw = version.definition
    form = DetailsForm(data={k: raw.get(k, "") for k in ("name", "topic", "description")})
    problems: list[str] = []
    if form.validate_on_submit():  # the name is there: VisibleText
        changed = edit.update_details(
            raw, name=cast(str, form.name.data), topic=form.topic.data or "", description=form.description.data or ""
        )
        if _save(version, changed, problems, "Details saved."):
            return _back(version)
    return render_template("tools/details.html", version=version, form=form, problems=problems)


@bp.route("/<int:tool_id>/v<int:number>/new-section", methods=["GET", "POST"])
@bp.route("/<int:tool_id>/v<int:number>/sections/<section_key>", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def edit_section(tool_id: int, number: int, section_key: str | None = None) -> ResponseReturnValue:
    key = section_key
    version = _draft_or_404(tool_id, number)
    section = next((s for s in version.definition["sections"] if s["key"] == key), None) if key else None
    if key and section is None:
        abort(404)
    form = SectionForm(data=section or {})
    problems: list[str] = []
    if form.validate_on_submit():  # the key and the title are there: VisibleText
        if section and key:
            changed = edit.update_section(
                version.definition,
                key,
                title=cast(str, form.title.data),
                description=form.description.data or "",
                judgement=form.judgement.data,
            )
        else:
            first = {"key": f"{form.key.data}_q1", "type": QuestionType.SCALE, "text": "New question: edit this text"}
            changed = edit.add_section(
                version.definition,
                key=cast(str, form.key.data),
                title=cast(str, form.title.data),
                description=form.description.data or "",
                judgement=form.judgement.data,
                first_question=first,
            )
        if _save(version, changed, problems, f"Section ‘{form.title.data}’ saved."):
            return _back(version, f"#section-{form.key.data if not section else key}")
    return render_template("tools/section.html", version=version, form=form, section=section, problems=problems)


@bp.route("/<int:tool_id>/v<int:number>/sections/<section_key>/questions/new", methods=["GET", "POST"])
@bp.route("/<int:tool_id>/v<int:number>/questions/<key>", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def edit_question(
    tool_id: int, number: int, key: str | None = None, section_key: str | None = None
) -> ResponseReturnValue:
    version = _draft_or_404(tool_id, number)
    definition = tool_data.definition_of(version)
    question = next((q for s in version.definition["sections"] for q in s["questions"] if q["key"] == key), None)
    if (key and question is None) or (section_key and section_key not in {s.key for s in definition.sections}):
        abort(404)
    form = QuestionForm(data=_question_form_data(question) if question and request.method == "GET" else None)
    _question_choices(form, definition, key)
    problems: list[str] = []
    if form.validate_on_submit():
        raw_question, problems = _question_from_form(form, question or {})
        if not problems:
            changed = (
                edit.update_question(version.definition, key, raw_question)
                if question and key
                else edit.add_question(version.definition, section_key or "", raw_question)
            )
            saved_key = key or raw_question["key"]  # an existing question keeps its key
            if _save(version, changed, problems, f"Question {saved_key} saved."):
                return _back(version, f"#question-{saved_key}")
    return render_template("tools/question.html", version=version, form=form, question=question, problems=problems)


def _question_choices(form: QuestionForm, definition: ToolDefinition, own_key: str | None) -> None:
    form.show_if_question.choices = [SelectChoice("", "Always show")] + [
        SelectChoice(q.key, f"{q.key}: {q.text[:60]}") for q in definition.questions if q.is_choice and q.key != own_key
    ]
    form.themes.choices = [SelectChoice(t["slug"], t["name"]) for t in THEMES]
    if own_key:
        form.key.render_kw = {"readonly": True}


def _question_form_data(question: dict) -> dict:
    show_if = question.get("show_if") or {}
    return {
        **question,
        "required": question.get("required", True),
        "compare": question.get("compare", True),
        "options": edit.options_text(question.get("options", [])),
        "show_if_question": show_if.get("question", ""),
        "show_if_values": ", ".join(show_if.get("values", [])),
        "exclusive_values": ", ".join(o["value"] for o in question.get("options", []) if o.get("exclusive")),
        "themes": question.get("themes", []),
    }


def _question_from_form(form: QuestionForm, stored: dict) -> tuple[dict, list[str]]:
    """The question as the tool file holds it, and any problem reading the options.

    Starts from the stored question, so settings the form does not show (the overall
    judgement flag, which scale answers are allowed, the answers that escalate a concern) are kept.
    """
    kept = {k: v for k, v in stored.items() if k in ("overall", "allow", "escalate_if")}
    # the text is there: VisibleText
    question = {
        **kept,
        "key": form.key.data,
        "type": form.type.data,
        "text": cast(str, form.text.data).strip(),
        "help": (form.help.data or "").strip(),
        "required": bool(form.required.data),
        **({} if form.compare.data else {"compare": False}),
        "themes": list(form.themes.data or []),
        "finding": (form.finding.data or "").strip(),
        "chart_title": (form.chart_title.data or "").strip(),
        "guidance_url": (form.guidance_url.data or "").strip(),
    }
    problems: list[str] = []
    if form.type.data in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        question["options"], problems = edit.parse_options_text(form.options.data or "")
        exclusive = {v.strip() for v in (form.exclusive_values.data or "").split(",") if v.strip()}
        for option in question["options"]:
            if option["value"] in exclusive:
                option["exclusive"] = True
    if form.show_if_question.data:
        values = [v.strip() for v in (form.show_if_values.data or "").split(",") if v.strip()]
        question["show_if"] = {"question": form.show_if_question.data, "values": values}
    return question, problems


@bp.post("/<int:tool_id>/v<int:number>/sections/<section_key>/<action>")
@roles_required(Role.COORDINATOR)
def section_action(tool_id: int, number: int, section_key: str, action: str) -> ResponseReturnValue:
    return _structure_action(tool_id, number, section_key, action, edit.move_section, edit.remove_section, "Section")


@bp.post("/<int:tool_id>/v<int:number>/questions/<key>/<action>")
@roles_required(Role.COORDINATOR)
def question_action(tool_id: int, number: int, key: str, action: str) -> ResponseReturnValue:
    return _structure_action(tool_id, number, key, action, edit.move_question, edit.remove_question, "Question")


def _structure_action(
    tool_id: int,
    number: int,
    key: str,
    action: str,
    move: Callable[[dict[str, Any], str, int], dict[str, Any]],
    remove: Callable[[dict[str, Any], str], dict[str, Any]],
    noun: str,
) -> Response:
    version = _draft_or_404(tool_id, number)
    if action not in ("up", "down", "delete") or not ConfirmForm().validate_on_submit():
        abort(400)
    problems: list[str] = []
    try:
        changed = (
            remove(version.definition, key)
            if action == "delete"
            else move(version.definition, key, -1 if action == "up" else 1)
        )
    except edit.EditError as error:
        problems.append(str(error))
    else:
        done = f"{noun} {key} {'deleted' if action == 'delete' else 'moved ' + action}."
        if _save(version, changed, problems, done):
            return _back(version)
    flash(f"{noun} {key} was not changed: " + " ".join(problems), "error")
    return _back(version)
