"""The analysis page's filter form: which cases to look at."""

from collections.abc import Callable
from typing import cast

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect
from werkzeug.datastructures import MultiDict
from wtforms import SelectField
from wtforms.validators import StopValidation, ValidationError

from audit_tools.analysis import FILTERED_ATTRIBUTES, CaseFilters

ALL = ("", "All")


def _offered(what: str, *, otherwise: str = ", or All") -> Callable[[FlaskForm, SelectField], None]:
    """A value must be one the list offers: an old or edited link could name one that is not."""

    def check(_form: FlaskForm, field: SelectField) -> None:
        offered = cast(list[tuple[str, str]], field.choices)  # the forms set (value, label) pairs
        if field.data not in {value for value, _label in offered}:
            raise ValidationError(f"Choose {what} from the list{otherwise}")

    return check


class CaseFilterForm(FlaskForm):
    """Sent by GET, so a filtered page can be bookmarked and shared. It changes nothing, so it
    carries no CSRF token (a token would end up in the address bar and in browser history)."""

    class Meta:
        csrf = False

    age_band = SelectField(
        "Age band", widget=GovSelect(), default="", validate_choice=False, validators=[_offered("an age band")]
    )
    locality = SelectField(
        "Locality", widget=GovSelect(), default="", validate_choice=False, validators=[_offered("a locality")]
    )
    plan_type = SelectField(
        "Plan type", widget=GovSelect(), default="", validate_choice=False, validators=[_offered("a plan type")]
    )

    def __init__(self, formdata: MultiDict[str, str], choices: dict[str, tuple[str, ...]]) -> None:
        super().__init__(formdata=formdata)
        for name in FILTERED_ATTRIBUTES:
            self[name].choices = [ALL, *((value, value) for value in choices.get(name, ()))]

    def filters(self) -> CaseFilters:
        """The cases chosen; every case when a value is not offered (the form then shows why)."""
        if not self.validate():
            return CaseFilters()
        return CaseFilters(**{name: self[name].data or "" for name in FILTERED_ATTRIBUTES})


def _chosen(message: str) -> Callable[[FlaskForm, SelectField], None]:
    def check(_form: FlaskForm, field: SelectField) -> None:
        if not field.data:
            raise StopValidation(message)

    return check


class CompareForm(FlaskForm):
    """Two audits to compare, sent by GET (a comparison can be bookmarked); it changes nothing, so no CSRF token."""

    class Meta:
        csrf = False

    first = SelectField(
        "Audit",
        widget=GovSelect(),
        default="",
        validate_choice=False,
        validators=[_chosen("Choose an audit"), _offered("an audit", otherwise="")],
    )
    second = SelectField(
        "Compare it with",
        widget=GovSelect(),
        default="",
        validate_choice=False,
        validators=[_chosen("Choose an audit to compare it with"), _offered("an audit", otherwise="")],
    )

    def __init__(self, formdata: MultiDict[str, str], audits: list[tuple[int, str]]) -> None:
        super().__init__(formdata=formdata)
        for name in ("first", "second"):
            self[name].choices = [("", "Choose an audit"), *((str(audit_id), label) for audit_id, label in audits)]

    def chosen(self) -> tuple[int, int] | None:
        """The two audits' ids when both are chosen from the list, else None (the form then says why)."""
        if not self.validate():
            return None
        return int(self.first.data), int(self.second.data)
