"""'My returns': the open audits' returns a page at a time, finished audits counted, each agency's own due date."""

import re
from datetime import date

from audit_app.extensions import db
from audit_app.models import AgencyExtension, Assignment
from audit_tools.states import ReturnState

AUDITOR = "csc@test.example"


def _return_links(html: str) -> list[str]:
    """The case references the page links to a return, in the order shown."""
    return re.findall(r'href="/returns/\d+">Case ([^<]+)</a>', html)


def _auditor(factory, login, client):
    factory.user("auditor", agency=factory.agency("CSC"), email=AUDITOR)
    login(client, AUDITOR)


def test_a_finished_audit_is_counted_with_a_link_not_listed(client, factory, login, ctx):
    _auditor(factory, login, client)
    open_audit = factory.audit(state="open", cases=2)
    finished = factory.audit(state="analysis", cases=3)
    finished.title = "Last year's audit"
    db.session.commit()
    html = client.get("/returns/").get_data(as_text=True)
    assert _return_links(html) == ["T-01", "T-02"]  # the open audit's only
    assert "Last year&#39;s audit" in html and "can be read but no longer changed" in html
    assert f'href="/returns/audits/{finished.id}">Read your agency\'s 3 returns' in html
    page = client.get(f"/returns/audits/{finished.id}").get_data(as_text=True)
    assert _return_links(page) == ["T-01", "T-02", "T-03"]
    assert "The audit's findings are being analysed" in page
    assert client.get(f"/returns/audits/{open_audit.id}").status_code == 200


def test_a_long_list_comes_fifty_to_a_page(client, factory, login, ctx):
    _auditor(factory, login, client)
    audit = factory.audit(state="open", cases=120)
    by_reference = sorted(f"T-{n:02d}" for n in range(1, 121))  # as text: T-10, T-100, T-101 … T-11
    html = client.get("/returns/").get_data(as_text=True)
    assert _return_links(html) == by_reference[:50]
    assert f'href="/returns/audits/{audit.id}?show=all&amp;page=2">See the next 50 of 120' in html
    third = client.get(f"/returns/audits/{audit.id}?page=3").get_data(as_text=True)
    assert _return_links(third) == by_reference[100:]
    assert "Showing 101 to 120 of 120" in third
    assert 'aria-label="Pages of returns"' in third
    assert _return_links(client.get(f"/returns/audits/{audit.id}?page=99").get_data(as_text=True)) == _return_links(
        third
    )  # past the end: the last page
    assert _return_links(client.get(f"/returns/audits/{audit.id}?page=-1x").get_data(as_text=True))[0] == "T-01"


def test_the_filter_shows_what_is_left_to_complete(client, factory, login, ctx):
    _auditor(factory, login, client)
    audit = factory.audit(state="open", cases=4)
    factory.return_for(audit, "CSC", "T-01").state = ReturnState.SUBMITTED
    factory.return_for(audit, "CSC", "T-02").state = ReturnState.NO_INVOLVEMENT
    factory.return_for(audit, "CSC", "T-03").state = ReturnState.RETURNED
    db.session.commit()
    to_complete = client.get("/returns/?show=to_complete").get_data(as_text=True)
    assert _return_links(to_complete) == ["T-03", "T-04"]
    assert '<option value="to_complete" selected>' in to_complete
    figures = re.findall(r'app-figures__value">(\d+)</span> ([a-z ]+)', to_complete)
    assert figures == [
        ("4", "returns for your agency"),
        ("2", "still to complete"),
        ("2", "submitted or declared no involvement"),
    ]
    done = client.get(f"/returns/audits/{audit.id}?show=done").get_data(as_text=True)
    assert _return_links(done) == ["T-01", "T-02"]
    assert _return_links(client.get("/returns/?show=<script>").get_data(as_text=True)) == [
        "T-01",
        "T-02",
        "T-03",
        "T-04",
    ]
    for ref in ("T-03", "T-04"):
        factory.return_for(audit, "CSC", ref).state = ReturnState.SUBMITTED
    db.session.commit()
    assert "no returns left to complete on this audit" in client.get("/returns/?show=to_complete").get_data(
        as_text=True
    )


def test_the_due_date_is_the_agencys_own_when_it_has_an_extension(client, factory, login, ctx):
    """Regression: the list showed the audit's date to an agency that had been given longer."""
    _auditor(factory, login, client)
    audit = factory.audit(state="open", cases=1)
    audit.returns_due = date(2027, 3, 1)
    db.session.add(
        AgencyExtension(audit_id=audit.id, agency_id=factory.agency("CSC").id, returns_due=date(2027, 3, 22))
    )
    db.session.commit()
    for url in ("/returns/", f"/returns/audits/{audit.id}"):
        html = client.get(url).get_data(as_text=True)
        assert "22 March 2027" in html and "1 March 2027" not in html, url


def test_only_an_audit_the_auditor_has_returns_on_opens(client, factory, login, ctx):
    _auditor(factory, login, client)
    other_agency = factory.audit(state="open", cases=1, agencies=("EH",))
    in_setup = factory.audit(state="setup", cases=1)
    named_elsewhere = factory.audit(state="open", cases=1)
    colleague = factory.user("auditor", agency=factory.agency("CSC"), email="colleague@test.example")
    db.session.add(Assignment(audit_id=named_elsewhere.id, agency_id=factory.agency("CSC").id, user_id=colleague.id))
    db.session.commit()
    for audit in (other_agency, in_setup, named_elsewhere):
        assert client.get(f"/returns/audits/{audit.id}").status_code == 404, audit.state
    assert client.get("/returns/audits/99999999999").status_code == 404
    assert _return_links(client.get("/returns/").get_data(as_text=True)) == []
    assert "has not been asked for any returns yet" in client.get("/returns/").get_data(as_text=True)
