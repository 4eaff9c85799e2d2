"""An auditor finds the child's own case number for a sampled case: only the agency that supplied the
numbers (and the coordinators) can see it, it is stored sealed, and the retention run removes it."""

from __future__ import annotations

import base64
import io
import re

import pytest
import sqlalchemy as sa

from audit_app.extensions import db
from audit_app.maintenance.retention import steps
from audit_app.models import AuditEvent, Case, FrameSource
from tests.app.frame_pages import everything_stored, form_defaults

NUMBERS = ["CSC/004512", "CSC/004513", "CSC/004514"]


@pytest.fixture
def sampled(app, client, post, factory, login):
    csc, eh = factory.agency("CSC", "Children's Social Care"), factory.agency("EH", "Early Help Service")
    factory.user("coordinator", email="co@test.example")
    factory.user("auditor", agency=csc, email="csc@test.example")
    factory.user("auditor", agency=eh, email="eh@test.example")
    audit = factory.audit(state="setup", cases=0, agencies=())
    db.session.commit()
    app.config["PSEUDONYM_KEY"] = base64.b64encode(b"k" * 32).decode()
    login(client, "co@test.example")
    data = "CSC Case No,Locality,Agencies\n" + "".join(
        f"{n},Northfield,Children's Social Care; Early Help\n" for n in NUMBERS
    )
    try:
        response = post(
            client,
            f"/audits/{audit.id}/frame",
            {"file": (io.BytesIO(data.encode()), "csc.csv"), "source": "0"},
            content_type="multipart/form-data",
        )
        mapping = client.get(response.headers["Location"]).get_data(as_text=True)
        chosen = {**form_defaults(mapping), "role_0": "case_number", "numbers_agency": "CSC", "remember_as": "CSC"}
        done = post(client, response.headers["Location"], chosen)
        assert done.status_code == 302, done.get_data(as_text=True)[-3000:]
        fields = {"method": "random", "size": "3", "seed": "7", "allocation": "proportional"}
        assert post(client, f"/audits/{audit.id}/sample", {**fields, "minimum_per_stratum": "0"}).status_code == 302
    finally:
        app.config["PSEUDONYM_KEY"] = None
    post(client, "/logout")
    return audit


def case_number_url(audit, case):
    return f"/audits/{audit.id}/cases/{case.id}/case-number"


def test_the_supplying_agencys_auditor_finds_the_childs_own_number(client, login, sampled):
    cases = db.session.scalars(sa.select(Case).where(Case.audit_id == sampled.id)).all()
    assert len(cases) == 3 and all(re.fullmatch(r"P-[0-9A-F]{12}", c.reference) for c in cases)
    login(client, "csc@test.example")
    shown = set()
    for case in cases:
        response = client.get(case_number_url(sampled, case))
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
        shown.add(re.search(r'id="case-number">([^<]*)<', response.get_data(as_text=True)).group(1))
    assert shown == set(NUMBERS)
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "case_number.viewed"))


def test_an_auditor_of_another_agency_cannot_see_it(client, login, sampled):
    case = db.session.scalars(sa.select(Case).where(Case.audit_id == sampled.id)).first()
    login(client, "eh@test.example")
    response = client.get(case_number_url(sampled, case))
    assert response.status_code == 403
    assert not any(n in response.get_data(as_text=True) for n in NUMBERS)


def test_the_coordinator_sees_it_and_the_numbers_are_stored_sealed_only(client, login, sampled):
    case = db.session.scalars(sa.select(Case).where(Case.audit_id == sampled.id)).first()
    login(client, "co@test.example")
    assert client.get(case_number_url(sampled, case)).status_code == 200
    stored = everything_stored()
    assert not any(n in stored for n in NUMBERS)
    assert db.session.scalar(sa.select(FrameSource)).numbers_agency_id == case.own_number_agency_id


def test_the_retention_run_removes_the_numbers(client, login, sampled):
    step = next(s for s in steps(sampled.id) if s.label == "agencies' own case numbers")
    assert step.count() == 3 and step.run() == 3
    db.session.commit()
    case = db.session.scalars(sa.select(Case).where(Case.audit_id == sampled.id)).first()
    login(client, "csc@test.example")
    assert client.get(case_number_url(sampled, case)).status_code == 403
