"""Coding reliability (issue 21): a reproducible sample of excerpts, coded again blind by a second coder (the
first coder's themes are refused them until theirs is in), agreement on the excerpts either coder coded, and
the agreed coding recorded with both originals kept."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from audit_app.extensions import db
from audit_app.models import Answer, AuditEvent, CodingSample, CodingSampleItem, EvidenceNote, PanelRecord, Theme, User
from audit_app.models import Coding as CodingRow
from tests.app.conftest import DEMO_PASSWORD, load_demo

FIRST = "first.coder@test.example"
SECOND = "second.coder@test.example"
TEXTS = (
    "The plan drifted for months with no chronology on file.",
    "Seen alone at nursery; plan drift noted.",
    "Father was never invited to a core group.",
    "Nobody checked whether the family's housing was safe.",
)


@pytest.fixture
def coded(factory):
    """An audit in analysis with four excerpts, each coded by the first coder: drift on the first two,
    fathers on the third, nothing on the fourth (housing, left uncoded)."""
    first = factory.user("editor", email=FIRST)
    factory.user("coordinator", email=SECOND)
    themes = [
        Theme(slug="drift", name="Drift and delay", category="planning"),
        Theme(slug="fathers", name="Fathers and men in the family", category="family"),
        Theme(slug="housing", name="Housing", category="context"),
    ]
    db.session.add_all(themes)
    audit = factory.audit(state="analysis", cases=2, agencies=("CSC", "EH"))
    for case in audit.cases:
        for ret in case.returns:
            ret.state = "submitted"
    csc = factory.return_for(audit, "CSC", "T-01")
    csc.answers.append(Answer(question_key="learning_for_agency", value=TEXTS[0]))
    eh = factory.return_for(audit, "EH", "T-01")
    db.session.add(EvidenceNote(return_id=eh.id, question_key="child_seen_alone", text=TEXTS[1]))
    db.session.add(PanelRecord(case_id=audit.cases[1].id, learning=TEXTS[2]))
    eh2 = factory.return_for(audit, "EH", "T-02")
    eh2.answers.append(Answer(question_key="learning_for_agency", value=TEXTS[3]))
    db.session.flush()
    drift, fathers, _housing = themes
    for source, key, case, agency, text, theme in (
        ("answer", f"{csc.id}:learning_for_agency", audit.cases[0], csc.agency_id, TEXTS[0], drift),
        ("note", f"{eh.id}:child_seen_alone", audit.cases[0], eh.agency_id, TEXTS[1], drift),
        ("panel", str(audit.cases[1].id), audit.cases[1], None, TEXTS[2], fathers),
    ):
        db.session.add(
            CodingRow(
                audit_id=audit.id,
                case_id=case.id,
                agency_id=agency,
                source=source,
                source_key=key,
                excerpt=text,
                theme_id=theme.id,
                status="confirmed",
                coded_by_id=first.id,
            )
        )
    db.session.commit()
    return audit


@contextmanager
def signed_in(app, login, email):
    other = app.test_client()
    login(other, email)
    yield other


def _draw(client, post, audit, seed=5, rate=100, minimum=1):
    url = f"/audits/{audit.id}/coding/reliability/draw"
    return post(client, url, {"rate_percent": str(rate), "minimum": str(minimum), "seed": str(seed)})


def _sampled(audit):
    db.session.expire_all()
    return db.session.execute(
        sa.select(CodingSampleItem.source, CodingSampleItem.source_key)
        .join(CodingSample)
        .where(CodingSample.audit_id == audit.id)
        .order_by(CodingSampleItem.source, CodingSampleItem.source_key)
    ).all()


def _theme(slug):
    return db.session.scalar(sa.select(Theme.id).where(Theme.slug == slug))


def _prepared(client, login, post, audit, rate=100):
    """The first coder draws the sample and names the second coder."""
    login(client, FIRST)
    assert _draw(client, post, audit, rate=rate).status_code == 302
    second = db.session.scalar(sa.select(User.id).where(User.email == SECOND))
    response = post(client, f"/audits/{audit.id}/coding/reliability/coder", {"coder": str(second)})
    assert response.status_code == 302
    return db.session.scalar(sa.select(CodingSample))


def test_the_sample_is_drawn_once_with_its_seed_and_the_same_for_the_same_seed(client, login, post, coded, ctx):
    login(client, FIRST)
    assert _draw(client, post, coded, rate=50, minimum=2).status_code == 302
    first = _sampled(coded)
    assert len(first) == 2  # half of the four excerpts
    assert db.session.scalar(sa.select(CodingSample.seed)) == 5
    again = _draw(client, post, coded, seed=6)
    assert again.status_code == 409 and "already been drawn" in again.get_data(as_text=True)
    for seed in (5, 5):
        db.session.execute(sa.delete(CodingSample))
        db.session.commit()
        _draw(client, post, coded, seed=seed, rate=50, minimum=2)
        assert _sampled(coded) == first
    assert db.session.scalar(sa.select(AuditEvent.id).where(AuditEvent.action == "coding_sample.drawn"))


def test_a_bad_share_is_refused_and_only_coders_draw(app, client, login, post, coded, factory, ctx):
    login(client, FIRST)
    response = _draw(client, post, coded, rate=0)
    assert response.status_code == 400 and "from 1 to 100" in response.get_data(as_text=True)
    factory.user("viewer", email="viewer@test.example")
    with signed_in(app, login, "viewer@test.example") as viewer:
        assert _draw(viewer, post, coded).status_code == 403
    assert _sampled(coded) == []


def test_the_first_coder_cannot_be_named_second_coder(client, login, post, coded, ctx):
    login(client, FIRST)
    _draw(client, post, coded)
    me = db.session.scalar(sa.select(User.id).where(User.email == FIRST))
    post(client, f"/audits/{coded.id}/coding/reliability/coder", {"coder": str(me)})
    db.session.expire_all()
    assert db.session.scalar(sa.select(CodingSample.coder_id)) is None


def test_the_second_coder_cannot_see_the_first_coding_until_theirs_is_in(app, client, login, post, coded, ctx):
    sample = _prepared(client, login, post, coded)
    with signed_in(app, login, SECOND) as second:
        for url in (
            f"/audits/{coded.id}/coding",
            f"/audits/{coded.id}/themes",
            f"/audits/{coded.id}/coding?show=all",
        ):
            refused = second.get(url)
            assert refused.status_code == 403 and "Submit your coding first" in refused.get_data(as_text=True)
        assert post(second, f"/audits/{coded.id}/coding/suggest").status_code == 403
        page = second.get(f"/coding-samples/{sample.id}/code").get_data(as_text=True)
        assert TEXTS[0] in page and " checked>" not in page  # the excerpts, with nothing of the first coding
        compare = second.get(f"/audits/{coded.id}/coding/reliability/reconcile")
        assert compare.status_code == 403
        items = _items(sample)
        saved = post(second, f"/coding-samples/{sample.id}/code", {f"excerpt_{items['note']}": _theme("drift")})
        assert saved.status_code == 302
        assert second.get(f"/audits/{coded.id}/coding").status_code == 403  # a draft is not "in"
        sent = post(
            second,
            f"/coding-samples/{sample.id}/code",
            {f"excerpt_{items['note']}": _theme("drift"), "submit_coding": "y"},
        )
        assert sent.status_code == 302
        assert second.get(f"/audits/{coded.id}/coding").status_code == 200
        assert second.get(f"/audits/{coded.id}/coding/reliability/reconcile").status_code == 200
        done = second.get(f"/coding-samples/{sample.id}/code").get_data(as_text=True)
        assert "The second coding is in" in done and "Submit my coding" not in done
    again = post(client, f"/coding-samples/{sample.id}/code", {"submit_coding": "y"})  # changes nothing now
    assert again.status_code == 200
    db.session.expire_all()
    assert [i.second_themes for i in db.session.get(CodingSample, sample.id).items if i.source == "note"] == [
        [_theme("drift")]
    ]


def test_nobody_else_opens_the_second_coding(app, client, login, post, coded, ctx):
    sample = _prepared(client, login, post, coded)
    assert client.get(f"/coding-samples/{sample.id}/code").status_code == 404  # the first coder


def _items(sample):
    """Item keys by source, the long-text answers told apart: "answer" (drift) and "housing"."""
    items = db.session.get(CodingSample, sample.id).items
    return {("housing" if i.excerpt == TEXTS[3] else i.source): i.id for i in items}


def _second_coding(app, login, post, sample, themes_by_source):
    items = _items(sample)
    with signed_in(app, login, SECOND) as second:
        data = {f"excerpt_{items[source]}": [_theme(s) for s in slugs] for source, slugs in themes_by_source.items()}
        response = post(second, f"/coding-samples/{sample.id}/code", {**data, "submit_coding": "y"})
        assert response.status_code == 302
    return items


def test_agreement_is_measured_only_on_excerpts_either_coder_coded(app, client, login, post, coded, ctx):
    sample = _prepared(client, login, post, coded)
    # the second coder agrees on drift (answer), misses the note's drift, gives the panel fathers and housing;
    # the fourth excerpt (housing) both leave uncoded
    _second_coding(app, login, post, sample, {"answer": ["drift"], "panel": ["fathers", "housing"]})
    page = client.get(f"/audits/{coded.id}/coding/reliability").get_data(as_text=True)
    assert "On the 3 sampled excerpts either coder gave a theme" in page
    # 3 themes used × 3 excerpts = 9 decisions; they differ on drift (note) and housing (panel): 7 of 9
    assert "7 of 9 (78%)" in page
    table = page[page.index("Agreement between the first and the second coding") :]
    assert "Drift and delay" in table and "Housing" in table and "All themes" in table


def test_the_agreed_coding_is_recorded_counted_and_both_originals_kept(app, client, login, post, coded, ctx):
    sample = _prepared(client, login, post, coded)
    items = _second_coding(app, login, post, sample, {"answer": ["drift"], "panel": ["fathers", "housing"]})
    url = f"/audits/{coded.id}/coding/reliability/reconcile"
    page = client.get(url).get_data(as_text=True)
    assert "Different" in page and "Same" in page and "To be agreed" in page
    bad = post(client, url, {f"excerpt_{items['panel']}": [_theme("drift")]})  # not a theme either coder gave
    assert bad.status_code in (400, 409)
    agreed = {f"excerpt_{items['note']}": [_theme("drift")], f"excerpt_{items['panel']}": [_theme("fathers")]}
    assert post(client, url, agreed).status_code == 302
    db.session.expire_all()
    by_source = {i.source: i for i in db.session.get(CodingSample, sample.id).items if i.excerpt != TEXTS[3]}
    panel = by_source["panel"]
    assert panel.first_themes == [_theme("fathers")]
    assert sorted(panel.second_themes) == sorted([_theme("fathers"), _theme("housing")])
    assert panel.agreed_themes == [_theme("fathers")]
    assert by_source["note"].agreed_themes == [_theme("drift")] and by_source["note"].second_themes == []
    assert db.session.get(CodingSample, sample.id).state == "reconciled"
    confirmed = db.session.scalars(
        sa.select(CodingRow.theme_id).where(CodingRow.source == "panel", CodingRow.status == "confirmed")
    ).all()
    assert confirmed == [_theme("fathers")]
    assert db.session.scalar(sa.select(AuditEvent.id).where(AuditEvent.action == "coding_sample.reconciled"))
    again = post(client, url, agreed)
    assert again.status_code == 200 and "Record the agreed coding" not in again.get_data(as_text=True)


def test_the_demo_has_a_coded_excerpt_sample_with_a_second_coding(runner, client, login, ctx):
    load_demo(runner)
    sample = db.session.scalar(sa.select(CodingSample))
    assert sample is not None and sample.state != "assigned" and len(sample.items) >= 5
    login(client, "coordinator@demo.example", DEMO_PASSWORD)
    page = client.get(f"/audits/{sample.audit_id}/coding/reliability").get_data(as_text=True)
    assert "How far the two coders agree" in page and "All themes" in page


def test_no_sample_is_drawn_before_the_reveal_or_after_publication(client, login, post, coded, ctx):
    login(client, FIRST)
    coded.state = "open"
    db.session.commit()
    assert client.get(f"/audits/{coded.id}/coding/reliability").status_code == 403  # returns not revealed
    assert _draw(client, post, coded).status_code == 403
    coded.state = "published"
    db.session.commit()
    page = client.get(f"/audits/{coded.id}/coding/reliability").get_data(as_text=True)
    assert "has been published" in page and "Draw the coding sample" not in page
    refused = _draw(client, post, coded)
    assert refused.status_code == 409 and "has been published" in refused.get_data(as_text=True)
    assert _sampled(coded) == []


def test_the_home_page_asks_the_second_coder_until_their_coding_is_in(app, client, login, post, coded, ctx):
    """People are told: the second coder's home page links to the blind coding until it is submitted."""
    sample = _prepared(client, login, post, coded)
    with signed_in(app, login, SECOND) as second:
        assert f'href="/coding-samples/{sample.id}/code"' in second.get("/").get_data(as_text=True)
    _second_coding(app, login, post, sample, {"answer": ["drift"]})
    with signed_in(app, login, SECOND) as second:
        assert f"/coding-samples/{sample.id}/code" not in second.get("/").get_data(as_text=True)
    assert f"/coding-samples/{sample.id}/code" not in client.get("/").get_data(as_text=True)  # the first coder


def test_the_pool_is_counted_in_the_database_and_equals_the_excerpts_a_draw_reads(coded, ctx):
    """The sample page shows the pool's size without reading every excerpt (1 s for a 500-case audit)."""
    from audit_app.data import coding as coding_data
    from audit_app.data import coding_reliability
    from audit_app.data.tools import definition_of

    definition = definition_of(coded.tool_version)
    pool = coding_reliability.excerpt_count(coded, definition)
    assert pool == len(coding_data.all_excerpts(coded, definition)) == 4
