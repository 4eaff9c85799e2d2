"""Every required name and label in the app refuses text that only looks filled in, with the project's own words.

Walks every form class (subclasses of FlaskForm once the app and its blueprints are imported): a required
StringField or TextAreaField must carry ``VisibleText``, and no text box may fall back on the framework's own
length message ("Field cannot be longer than …").
"""

from __future__ import annotations

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, PasswordField, StringField, TextAreaField
from wtforms.fields import FieldList, FormField
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, InputRequired, Length

from audit_app.extensions import db
from audit_app.form_fields import VisibleText
from audit_app.models import Theme

# auth/ is being changed by the sign-in fixes (items 1 and 2) at the same time; its two boxes are checked by
# their own formats (an e-mail address, six digits). Apply the rule there and empty this set at the merge.
NOT_YET: set[str] = set()  # fields waiting for the rule; empty: every required text box has it
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u00a0\u3164\u2800\u0301"


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _validators(unbound: UnboundField) -> list:
    return list(unbound.kwargs.get("validators") or (unbound.args[1] if len(unbound.args) > 1 else []))


def _text_fields(form_class, prefix=""):
    """(dotted name, unbound field) of every text box, inside FieldList and FormField too."""
    for name in dir(form_class):
        unbound = getattr(form_class, name, None)
        if not isinstance(unbound, UnboundField):
            continue
        field_class = unbound.field_class
        if issubclass(field_class, FieldList):
            inner = unbound.args[0] if unbound.args else unbound.kwargs["unbound_field"]
            if issubclass(inner.field_class, FormField):
                yield from _text_fields(inner.args[0] if inner.args else inner.kwargs["form_class"], f"{name}[].")
            else:
                yield from [(f"{prefix}{name}[]", inner)] if _is_text(inner) else []
        elif issubclass(field_class, FormField):
            yield from _text_fields(unbound.args[0] if unbound.args else unbound.kwargs["form_class"], f"{name}.")
        elif _is_text(unbound):
            yield f"{prefix}{name}", unbound


def _is_text(unbound: UnboundField) -> bool:
    return issubclass(unbound.field_class, (StringField, TextAreaField)) and not issubclass(
        unbound.field_class, (PasswordField, HiddenField)
    )


def _all_forms(app) -> list[type[FlaskForm]]:
    with app.app_context():  # every blueprint, and with it every forms module, is imported by the factory
        return sorted(set(_subclasses(FlaskForm)), key=lambda c: (c.__module__, c.__qualname__))


def _where(form_class, name: str) -> str:
    return f"{form_class.__module__}.{form_class.__qualname__}.{name}"


def _required(unbound: UnboundField) -> bool:
    return any(isinstance(v, (DataRequired, InputRequired, VisibleText)) for v in _validators(unbound))


def test_the_walk_finds_the_forms_of_every_area(app):
    modules = {form.__module__.rsplit(".", 1)[0] for form in _all_forms(app)}
    assert {
        "audit_app.themes",
        "audit_app.tools",
        "audit_app.audits",
        "audit_app.learning",
        "audit_app.admin",
        "audit_app.briefings",
        "audit_app.auth",
    } <= modules
    required = {_where(f, n) for f in _all_forms(app) for n, u in _text_fields(f) if _required(u)}
    assert {
        "audit_app.themes.forms.ThemeForm.name",
        "audit_app.tools.forms.QuestionForm.text",
        "audit_app.learning.forms.CategoryForm.name",
        "audit_app.audits.forms.AuditForm.title",
        "audit_app.admin.forms.InviteForm.display_name",
    } <= required


def test_every_required_text_box_refuses_blank_looking_text(app):
    missing = [
        _where(f, n)
        for f in _all_forms(app)
        for n, u in _text_fields(f)
        if _required(u) and not any(isinstance(v, VisibleText) for v in _validators(u))
    ]
    assert sorted(set(missing) - NOT_YET) == []
    assert set(missing) >= NOT_YET, "a field in NOT_YET has the rule now: take it out of NOT_YET"


def test_no_text_box_uses_the_frameworks_length_message(app):
    default = [
        _where(f, n)
        for f in _all_forms(app)
        for n, u in _text_fields(f)
        if any(isinstance(v, Length) and v.message is None for v in _validators(u))
    ]
    assert sorted(set(default) - NOT_YET) == []


def _required_top_level(app):
    return [
        (f, n)
        for f in _all_forms(app)
        for n, u in _text_fields(f)
        if "." not in n and "[]" not in n and _required(u) and _where(f, n) not in NOT_YET
    ]


def test_each_required_box_says_what_to_enter_when_given_only_invisible_characters(app):
    checked = 0
    with app.test_request_context("/"):
        for form_class, name in _required_top_level(app):
            form = form_class(formdata=MultiDict({name: INVISIBLE}), meta={"csrf": False})
            field = form[name]
            field.validate(form)
            [rule] = [v for v in _validators(getattr(form_class, name)) if isinstance(v, VisibleText)]
            assert field.errors == [rule.message], _where(form_class, name)
            assert rule.message.split()[0] in ("Enter", "Give", "Say"), rule.message
            checked += 1
    assert checked >= 20


# ---------------------------------------------------------------- through the pages themselves


@pytest.fixture
def coordinator(client, factory, login):
    factory.user("coordinator", email="co@test.example")
    login(client, "co@test.example")
    return client


@pytest.mark.parametrize(
    "name", ["\u200b", "\u3164", "\u2800", "\u00ad", "\ufeff", "\u2060", "\u0301\u0308", " \u00a0\u2003\u3000 "]
)
def test_a_theme_named_with_only_invisible_characters_is_refused_and_kept(coordinator, post, name):
    response = post(coordinator, "/themes/new", {"name": name, "description": "Typed and kept"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Enter a theme name" in page and "Typed and kept" in page
    assert db.session.scalar(select(func.count()).select_from(Theme)) == 0


def test_an_over_long_theme_name_gets_the_projects_own_message(coordinator, post):
    page = post(coordinator, "/themes/new", {"name": "N" * 121}).get_data(as_text=True)
    assert "Theme name must be 120 characters or fewer" in page and "Field cannot be longer" not in page
