"""The tool library: list, create, import, export, preview, compare, publish and retire tool versions."""

from collections.abc import Callable
from typing import cast

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # new in WTForms 3.2; types-WTForms lacks it

from audit_app.data import tools as tool_data
from audit_app.extensions import db
from audit_app.form_builder import build_return_form, field_name
from audit_app.forms import ConfirmForm
from audit_app.models import ToolVersion
from audit_app.security import roles_required
from audit_app.tools.forms import ImportToolForm, NewToolForm
from audit_app.transactions import saved
from audit_tools.states import QuestionType, Role
from audit_tools.tools import MAX_FILE_BYTES, DefinitionError, diff_definitions, dumps, read_tool_file

bp = Blueprint("tools", __name__, url_prefix="/tools")


def version_or_404(tool_id: int, number: int) -> ToolVersion:
    return tool_data.get_version(tool_id, number) or abort(404)


def _blank_tool(name: str, slug: str) -> dict:
    """A new tool needs one question; the overall judgement is the one every audit tool has."""
    return {
        "schema_version": 1,
        "slug": slug,
        "name": name,
        "sections": [
            {
                "key": "overall",
                "title": "Overall judgement",
                "questions": [
                    {
                        "key": "overall_judgement",
                        "type": QuestionType.GRADE,
                        "text": "Overall, how good was practice with this child?",
                        "overall": True,
                    }
                ],
            }
        ],
    }


@bp.get("/")
@roles_required(Role.COORDINATOR)
def index() -> ResponseReturnValue:
    return render_template("tools/index.html", tools=tool_data.list_tools())


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def new() -> ResponseReturnValue:
    form = NewToolForm()
    sources = [v for t in tool_data.list_tools() for v in t.versions]
    form.start_from.choices = [SelectChoice(0, "An empty tool")] + [
        SelectChoice(v.id, f"{v.tool.name}, version {v.version} ({v.status})") for v in sources
    ]
    if form.validate_on_submit():
        source = next((v for v in sources if v.id == form.start_from.data), None)
        name, slug = cast(str, form.name.data), cast(str, form.slug.data)  # validated: VisibleText
        raw = dict(source.definition) if source else _blank_tool(name, slug)
        raw.update(name=form.name.data, slug=form.slug.data)
        try:
            version = tool_data.create_tool(raw, current_user)
        except tool_data.ToolError as error:
            form.slug.errors = [*form.slug.errors, str(error)]
        else:
            db.session.commit()
            flash(f"Draft version 1 of {version.tool.name} created. Edit it, preview it, then publish it.", "success")
            return redirect(url_for("tools.version", tool_id=version.tool_id, number=1))
    return render_template("tools/new.html", form=form)


@bp.route("/import", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def import_file() -> ResponseReturnValue:
    form = ImportToolForm()
    problems: list[str] = []
    if form.validate_on_submit():
        with saved(tell=False, refusals=(DefinitionError, tool_data.ToolError)) as outcome:
            raw = read_tool_file(form.file.data.read(MAX_FILE_BYTES + 1))
            version = tool_data.import_tool(raw, current_user)
            outcome.success = (
                f"Imported as draft version {version.version} of {version.tool.name}. Check it, then publish it."
            )
        if outcome.ok:
            return redirect(url_for("tools.version", tool_id=version.tool_id, number=version.version))
        problems = outcome.error.problems if isinstance(outcome.error, DefinitionError) else [str(outcome.error)]
        form.file.errors.append("The file was not imported. Correct the problems listed and try again.")
    return render_template("tools/import.html", form=form, problems=problems)


@bp.get("/<int:tool_id>/v<int:number>")
@roles_required(Role.COORDINATOR)
def version(tool_id: int, number: int) -> ResponseReturnValue:
    version = version_or_404(tool_id, number)
    return render_template(
        "tools/version.html",
        version=version,
        definition=tool_data.definition_of(version),
        confirm=ConfirmForm(),
        audits=tool_data.audits_using(version),
    )


@bp.get("/<int:tool_id>/v<int:number>/preview")
@roles_required(Role.COORDINATOR)
def preview(tool_id: int, number: int) -> ResponseReturnValue:
    version = version_or_404(tool_id, number)
    definition = tool_data.definition_of(version)
    form = build_return_form(definition)
    return render_template(
        "tools/preview.html", version=version, definition=definition, form=form, field_name=field_name
    )


@bp.get("/<int:tool_id>/v<int:number>/export.json")
@roles_required(Role.COORDINATOR)
def export(tool_id: int, number: int) -> ResponseReturnValue:
    version = version_or_404(tool_id, number)
    filename = f"{version.tool.slug}-v{version.version}.json"
    return Response(
        dumps(tool_data.definition_of(version)),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/<int:tool_id>/v<int:number>/compare")
@roles_required(Role.COORDINATOR)
def compare(tool_id: int, number: int) -> ResponseReturnValue:
    version = version_or_404(tool_id, number)
    others = [v for v in version.tool.versions if v.version != number]
    chosen = request.args.get("against", type=int)
    # By default the version before this one, or for version 1 the one after it.
    against = (
        next((v for v in others if v.version == chosen), None)
        if chosen
        else next((v for v in reversed(others) if v.version < number), others[0] if others else None)
    )
    changes = diff_definitions(tool_data.definition_of(against), tool_data.definition_of(version)) if against else []
    return render_template("tools/compare.html", version=version, against=against, others=others, changes=changes)


def _state_change(
    tool_id: int, number: int, action: Callable[[ToolVersion], ToolVersion | None], done: str
) -> WerkzeugResponse:
    version = version_or_404(tool_id, number)
    if ConfirmForm().validate_on_submit():
        with saved(done) as outcome:
            result = action(version)
        if outcome.ok and result is not None:
            return redirect(url_for("tools.version", tool_id=tool_id, number=result.version))
    return redirect(url_for("tools.version", tool_id=tool_id, number=number))


@bp.route("/<int:tool_id>/v<int:number>/publish", methods=["GET", "POST"])
@roles_required(Role.COORDINATOR)
def publish(tool_id: int, number: int) -> ResponseReturnValue:
    """GET: a page saying what becomes permanent; POST (from that page) publishes."""
    if request.method == "GET":
        version = version_or_404(tool_id, number)
        return render_template(
            "tools/publish.html",
            version=version,
            definition=tool_data.definition_of(version),
            confirm=ConfirmForm(),
        )
    return _state_change(
        tool_id,
        number,
        lambda v: tool_data.publish(v, current_user),
        "Published. This version can now be chosen for audits and can never change.",
    )


@bp.post("/<int:tool_id>/v<int:number>/retire")
@roles_required(Role.COORDINATOR)
def retire(tool_id: int, number: int) -> ResponseReturnValue:
    return _state_change(
        tool_id,
        number,
        lambda v: tool_data.retire(v, current_user),
        "Retired. Audits already using this version keep it; new audits cannot choose it.",
    )


@bp.post("/<int:tool_id>/v<int:number>/new-version")
@roles_required(Role.COORDINATOR)
def new_version(tool_id: int, number: int) -> ResponseReturnValue:
    return _state_change(
        tool_id,
        number,
        lambda v: tool_data.new_draft_version(v.tool, current_user),
        "A new draft version has been created from the latest version. Edit it, then publish it.",
    )
