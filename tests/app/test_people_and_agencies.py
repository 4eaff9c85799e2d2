"""The administrator changes people's roles and agency, re-enables accounts, and adds, renames and
retires agencies with their safeguarding lead's e-mail; the trail holds ids and role names only."""

import pytest
from sqlalchemy import select

from audit_app.extensions import db
from audit_app.models import Agency, AuditEvent, User
from tests.app.conftest import load_demo


@pytest.fixture
def admin(client, factory, login):
    user = factory.user("admin", email="admin@test.example")
    login(client, "admin@test.example")
    return user


def reload(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def last_event(action: str) -> AuditEvent:
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
    ).first()


def test_admin_changes_a_persons_roles_and_agency(client, post, admin, factory):
    csc = factory.agency("CSC")
    person = factory.user("viewer", email="p@test.example")
    page = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "p@test.example" in page and "Save changes" in page
    response = post(client, f"/admin/users/{person.id}", {"roles": ["auditor", "panel"], "agency": str(csc.id)})
    assert response.status_code == 302
    person = reload(User, person.id)
    assert person.roles == {"auditor", "panel"} and person.agency_id == csc.id
    event = last_event("user.roles_changed")
    assert event.object_id == person.id and event.user_id == admin.id
    assert event.before == {"roles": ["viewer"], "agency": None}
    assert event.after == {"roles": ["auditor", "panel"], "agency": csc.id}


def test_an_auditor_needs_an_agency(client, post, admin, factory):
    person = factory.user("viewer", email="p@test.example")
    response = post(client, f"/admin/users/{person.id}", {"roles": ["auditor"], "agency": ""})
    assert response.status_code == 200 and "An agency auditor must belong to an agency." in response.get_data(
        as_text=True
    )
    assert reload(User, person.id).roles == {"viewer"}


def test_an_admin_cannot_remove_their_own_admin_role(client, post, admin):
    response = post(client, f"/admin/users/{admin.id}", {"roles": ["coordinator"], "agency": ""})
    assert "You cannot remove your own administrator role" in response.get_data(as_text=True)
    assert reload(User, admin.id).roles == {"admin"}


def test_at_least_one_admin_remains(admin, factory):
    from audit_app.data.people import PeopleError, set_roles_and_agency

    other = factory.user("admin", email="other@test.example")
    admin = reload(User, admin.id)
    admin.active = False  # the only other admin is disabled: taking the role from ``other`` would leave none
    db.session.flush()
    with pytest.raises(PeopleError, match="At least one administrator must remain"):
        set_roles_and_agency(reload(User, other.id), ["viewer"], None, admin)
    db.session.rollback()


def test_an_admin_cannot_disable_themselves(client, post, admin):
    post(client, f"/admin/users/{admin.id}/disable")
    assert reload(User, admin.id).active


def test_a_disabled_account_is_enabled_again(client, post, admin, factory):
    person = factory.user("viewer", email="p@test.example")
    post(client, f"/admin/users/{person.id}/disable")
    assert not reload(User, person.id).active
    assert "Enable" in client.get("/admin/users").get_data(as_text=True)
    response = post(client, f"/admin/users/{person.id}/enable", follow_redirects=True)
    assert "can sign in again" in response.get_data(as_text=True)
    assert reload(User, person.id).active
    event = last_event("user.enabled")
    assert event.object_id == person.id and event.after == {"active": True}


def test_others_cannot_change_people_or_agencies(client, post, factory, login):
    factory.user("coordinator", email="co@test.example")
    person = factory.user("viewer", email="p@test.example")
    login(client, "co@test.example")
    assert post(client, f"/admin/users/{person.id}", {"roles": ["admin"], "agency": ""}).status_code == 403
    assert post(client, "/admin/agencies/new", {"name": "X"}).status_code == 403
    assert reload(User, person.id).roles == {"viewer"}


AGENCY = {
    "name": "Riverside Police",
    "short_name": "POL",
    "sector": "police",
    "safeguarding_lead_email": "Lead@Police.example",
}


def test_admin_adds_an_agency_with_its_safeguarding_lead(client, post, admin):
    response = post(client, "/admin/agencies/new", AGENCY, follow_redirects=True)
    assert "Riverside Police is added." in response.get_data(as_text=True)
    agency = db.session.scalar(select(Agency).where(Agency.short_name == "POL"))
    assert agency.safeguarding_lead_email == "lead@police.example" and not agency.retired
    event = last_event("agency.added")
    assert event.object_id == agency.id and not event.after  # no typed text in the trail


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Enter the e-mail address of the agency&#39;s safeguarding lead"),
        ("not-an-address", "Enter an e-mail address in the right format"),
        ("lead@nowhere", "Enter an e-mail address in the right format"),
    ],
)
def test_the_leads_e_mail_address_is_checked(client, post, admin, email, message):
    response = post(client, "/admin/agencies/new", {**AGENCY, "safeguarding_lead_email": email})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html
    assert 'href="#safeguarding_lead_email"' in html  # the error summary links to the field
    assert db.session.scalar(select(Agency).where(Agency.short_name == "POL")) is None


def test_a_second_agency_with_the_same_name_is_refused(client, post, admin, factory):
    factory.agency("CSC", name="Riverside Police")
    db.session.commit()
    response = post(client, "/admin/agencies/new", AGENCY)
    assert "Another agency already has that name." in response.get_data(as_text=True)


def test_admin_renames_an_agency_and_the_trail_names_only_the_fields(client, post, admin, factory):
    csc = factory.agency("CSC")
    db.session.commit()
    response = post(
        client,
        f"/admin/agencies/{csc.id}",
        {
            "name": "Children's Social Care",
            "short_name": "CSC",
            "sector": "local authority",
            "safeguarding_lead_email": "sg@csc.example",
        },
    )
    assert response.status_code == 302
    csc = reload(Agency, csc.id)
    assert csc.name == "Children's Social Care" and csc.safeguarding_lead_email == "sg@csc.example"
    assert last_event("agency.changed").after == {"changed": ["name", "safeguarding_lead_email"]}


def test_a_retired_agency_keeps_its_returns_but_is_not_offered_again(client, post, admin, factory, login):
    audit = factory.audit(state="setup", cases=1, agencies=("CSC", "EH"))
    eh = factory.agency("EH")
    assert post(client, f"/admin/agencies/{eh.id}/retire").status_code == 302
    assert reload(Agency, eh.id).retired
    assert last_event("agency.retired").object_id == eh.id
    assert "Retired" in client.get("/admin/agencies").get_data(as_text=True)
    assert "EH service" not in client.get("/admin/users").get_data(as_text=True)  # not offered to new people

    from audit_app.data.audits import AuditError, set_case_agencies

    case = audit.cases[0]
    assert {r.agency.short_name for r in case.returns} == {"CSC", "EH"}  # its return stays
    set_case_agencies(case, [r.agency for r in case.returns], admin)  # keeping it is fine
    other = factory.audit(state="setup", cases=1, agencies=("CSC",))
    with pytest.raises(AuditError, match="EH service is retired"):
        set_case_agencies(other.cases[0], [factory.agency("CSC"), reload(Agency, eh.id)], admin)
    db.session.rollback()

    assert post(client, f"/admin/agencies/{eh.id}/restore").status_code == 302
    assert not reload(Agency, eh.id).retired


def test_the_demo_agencies_have_safeguarding_leads(ctx, runner):
    result = load_demo(runner)
    agencies = db.session.scalars(select(Agency)).all()
    assert agencies and all(
        a.safeguarding_lead_email and a.safeguarding_lead_email.endswith("@demo.example") for a in agencies
    ), result.output


def test_the_trail_shows_uk_time_and_says_so(client, post, admin, factory):
    from datetime import UTC, datetime

    person = factory.user("viewer", email="p@test.example")
    post(client, f"/admin/users/{person.id}/disable")
    event = last_event("user.disabled")
    event_id = event.id
    html = client.get("/admin/events").get_data(as_text=True)
    assert "When (UK time)" in html and "(UK time)" in html
    from audit_tools.text import uk_date_time

    shown = uk_date_time(reload(AuditEvent, event_id).at, seconds=True)
    assert shown in html
    assert uk_date_time(datetime(2026, 7, 1, 23, 30, tzinfo=UTC)) == "2 July 2026 at 00:30 (UK time)"


def test_a_time_kept_as_iso_text_is_dated_as_in_the_uk() -> None:
    from audit_app.filters import recorded_on

    assert recorded_on("2026-06-30T23:30:00+00:00") == "1 July 2026"
    assert recorded_on("") == ""
