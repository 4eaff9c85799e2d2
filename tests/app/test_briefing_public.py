"""A published briefing's public address: only the business unit gives it; anyone reads that published version
without signing in; drafts, other versions, withdrawn and made-up addresses are 404."""

from sqlalchemy import select

from audit_app.extensions import db
from audit_app.models import AuditEvent, Briefing
from tests.app.roles_briefings import draft_for, reload, signed_in

COORDINATOR = "coordinator@test.example"
VIEWER = "viewer@test.example"


def _publish(app, login, post, factory):
    audit, briefing = draft_for(factory, "author@test.example")
    factory.user("coordinator", email=COORDINATOR)
    client = signed_in(app, login, COORDINATOR)
    for action in ("approve", "publish"):
        post(client, f"/briefings/{briefing.id}/{action}", {"lock_version": str(reload(briefing).lock_version)})
    briefing = reload(briefing)
    assert briefing.state == "published"
    return client, briefing


def test_the_business_unit_gives_a_public_address_that_anyone_can_read(app, login, post, factory):
    client, briefing = _publish(app, login, post, factory)
    assert briefing.public_token is None
    response = post(client, f"/briefings/{briefing.id}/public", {})
    assert response.status_code == 302
    token = reload(briefing).public_token
    assert token and len(token) >= 30
    assert "/public/briefings/" + token in client.get(f"/briefings/{briefing.id}").get_data(as_text=True)

    anyone = app.test_client()
    page = anyone.get(f"/public/briefings/{token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Learning from the audit: Neglect" in html and "Sign in" not in html.split("<main")[1]
    pdf = anyone.get(f"/public/briefings/{token}.pdf")
    assert pdf.status_code == 200 and pdf.data == reload(briefing).pdf  # exactly the version published
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "briefing.public")) is not None


def test_drafts_made_up_and_withdrawn_addresses_are_404_and_only_the_business_unit_may_give_one(
    app, login, post, factory
):
    client, briefing = _publish(app, login, post, factory)
    anyone = app.test_client()
    assert anyone.get("/public/briefings/not-a-real-address").status_code == 404
    assert anyone.get("/public/briefings/" + "x" * 200).status_code == 404

    factory.user("viewer", email=VIEWER)
    viewer = signed_in(app, login, VIEWER)
    assert post(viewer, f"/briefings/{briefing.id}/public", {}).status_code == 403
    assert reload(briefing).public_token is None

    post(client, f"/briefings/{briefing.id}/public", {})
    token = reload(briefing).public_token
    # A draft never has a public address, even if a token were written against it.
    draft = Briefing(audit_id=briefing.audit_id, number=2, content=briefing.content, public_token="draft-token-xyz")
    db.session.add(draft)
    db.session.commit()
    assert anyone.get("/public/briefings/draft-token-xyz").status_code == 404
    refused = post(client, f"/briefings/{draft.id}/public", {}, follow_redirects=True)
    assert "Only a published version" in refused.get_data(as_text=True)

    post(client, f"/briefings/{briefing.id}/public", {"action": "withdraw"})
    assert reload(briefing).public_token is None
    assert anyone.get(f"/public/briefings/{token}").status_code == 404
    assert anyone.get(f"/public/briefings/{token}.pdf").status_code == 404


def test_giving_an_address_needs_the_csrf_token(app, login, post, factory):
    client, briefing = _publish(app, login, post, factory)
    response = client.post(f"/briefings/{briefing.id}/public", data={})
    assert response.status_code in (400, 403) and reload(briefing).public_token is None
