"""Moderation (issue 21): the sample is the same for the same seed, the moderator grades blind (the first
return is refused them until theirs is in), and the reconciled grade is counted with both originals kept."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from audit_app.data.tools import definition_of
from audit_app.extensions import db
from audit_app.models import Answer, AuditEvent, Moderation, ModerationGrade, ModerationSample, Notification, User
from audit_tools.reliability import graded_definition
from audit_tools.returns.answers import missing_required
from tests.app.conftest import DEMO_PASSWORD, load_demo
from tests.app.panel_cases import submit

FIRST = "first@test.example"
MODERATOR = "moderator@test.example"
COORDINATOR = "coordinator@test.example"


@pytest.fixture
def moderated(factory):
    """An open audit of 4 cases; CSC submitted all four returns (overall "good"), EH none."""
    csc = factory.agency("CSC")
    first = factory.user("auditor", agency=csc, email=FIRST)
    factory.user("auditor", agency=csc, email=MODERATOR)
    factory.user("auditor", agency=factory.agency("EH"), email="eh@test.example")
    factory.user("coordinator", email=COORDINATOR)
    audit = factory.audit(state="open", cases=4)
    for n in range(1, 5):
        ret = factory.return_for(audit, "CSC", f"T-0{n}")
        ret.auditor_id = first.id
        submit(ret, {"child_seen_alone": "yes", "overall_judgement": "good"})
    return audit


@contextmanager
def signed_in(app, login, email):
    """Another browser, signed in as ``email`` (the test client keeps one person's session)."""
    other = app.test_client()
    login(other, email)
    yield other


def _draw(client, post, audit, seed=42, rate=10, minimum=2):
    return post(
        client,
        f"/moderation/audits/{audit.id}/draw",
        {"rate_percent": str(rate), "minimum": str(minimum), "seed": str(seed)},
    )


def _sampled(audit_id):
    return db.session.scalars(
        select(Moderation.return_id)
        .join(ModerationSample)
        .where(ModerationSample.audit_id == audit_id)
        .order_by(Moderation.return_id)
    ).all()


def test_the_sample_is_drawn_once_with_its_seed_and_the_same_for_the_same_seed(client, login, post, moderated, ctx):
    login(client, COORDINATOR)
    response = _draw(client, post, moderated)
    assert response.status_code == 302
    first = _sampled(moderated.id)
    assert len(first) == 2  # 10% of 4 is under the minimum of 2
    assert db.session.scalar(select(ModerationSample.seed)) == 42
    again = _draw(client, post, moderated, seed=43)
    assert again.status_code == 409 and "already been drawn" in again.get_data(as_text=True)
    db.session.execute(ModerationSample.__table__.delete())
    db.session.commit()
    _draw(client, post, moderated)
    assert _sampled(moderated.id) == first
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "moderation.sample_drawn"))


def test_only_a_coordinator_draws_and_a_bad_rate_is_refused(app, client, login, post, moderated, ctx):
    login(client, COORDINATOR)
    response = _draw(client, post, moderated, rate=0)
    assert response.status_code == 400 and "from 1 to 100" in response.get_data(as_text=True)
    with signed_in(app, login, MODERATOR) as auditor:
        assert _draw(auditor, post, moderated).status_code == 403
    assert _sampled(moderated.id) == []


def _name(client, post, audit, moderation, email):
    person = db.session.scalar(select(User.id).where(User.email == email))
    return post(client, f"/moderation/audits/{audit.id}/{moderation}/moderator", {f"m{moderation}-moderator": person})


def _prepared(client, login, post, audit):
    """Draw the sample, name the moderator of the first sampled return, and sign the moderator in."""
    login(client, COORDINATOR)
    _draw(client, post, audit)
    moderation = db.session.scalars(select(Moderation).order_by(Moderation.id)).first()
    assert _name(client, post, audit, moderation.id, MODERATOR).status_code == 302
    return moderation


def test_the_returns_own_auditor_cannot_moderate_it_and_the_moderator_is_told(client, login, post, moderated, ctx):
    login(client, COORDINATOR)
    _draw(client, post, moderated)
    moderation = db.session.scalars(select(Moderation).order_by(Moderation.id)).first()
    response = _name(client, post, moderated, moderation.id, FIRST)
    assert response.status_code == 302  # back to the sample, the problem linked to this case's choice
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'href="#m{moderation.id}-moderator"' in page
    assert db.session.scalar(select(Moderation.moderator_id).where(Moderation.id == moderation.id)) is None
    assert _name(client, post, moderated, moderation.id, MODERATOR).status_code == 302
    message = db.session.scalar(select(Notification).where(Notification.kind == "moderation-assigned"))
    assert message.to_email == MODERATOR and "T-0" in message.subject


def _grade_data(definition, overall="requires_improvement"):
    data = {}
    for question in graded_definition(definition).questions:
        data[f"q_{question.key}"] = question.options[0].value
    data["q_overall_judgement"] = overall
    return data


def test_the_moderator_cannot_see_the_first_return_until_their_grading_is_in(app, client, login, post, moderated, ctx):
    moderation = _prepared(client, login, post, moderated)
    with signed_in(app, login, MODERATOR) as mod:
        ret_url = f"/returns/{moderation.return_id}"
        assert mod.get(ret_url).status_code == 404  # the first return, through the returns pages
        assert mod.get(f"/moderation/{moderation.id}/compare").status_code == 403
        page = mod.get(f"/moderation/{moderation.id}/grade")
        assert page.status_code == 200
        assert "Requires improvement" in page.get_data(as_text=True)  # the options, but nothing checked
        assert " checked>" not in page.get_data(as_text=True)
        definition = definition_of(moderated.tool_version)
        saved = post(mod, f"/moderation/{moderation.id}/grade", {**_grade_data(definition), "save_draft": "y"})
        assert saved.status_code == 302
        assert mod.get(f"/moderation/{moderation.id}/compare").status_code == 403  # a draft is not "in"
        sent = post(mod, f"/moderation/{moderation.id}/grade", {**_grade_data(definition), "submit_return": "y"})
        assert sent.status_code == 302
        shown = mod.get(f"/moderation/{moderation.id}/compare")
        assert shown.status_code == 200 and "Good" in shown.get_data(as_text=True)
        assert mod.get(ret_url).status_code == 200


def test_a_grading_with_a_question_left_blank_is_not_submitted(app, client, login, post, moderated, ctx):
    moderation = _prepared(client, login, post, moderated)
    with signed_in(app, login, MODERATOR) as mod:
        partly = {"q_overall_judgement": "good", "submit_return": "y"}
        response = post(mod, f"/moderation/{moderation.id}/grade", partly)
        html = response.get_data(as_text=True)
        assert response.status_code == 400 and "still to grade" in html
        # Regression: the summary said how many were left but linked to none of them.
        definition = definition_of(moderated.tool_version)
        left = missing_required(graded_definition(definition), {"overall_judgement": "good"})
        assert len(left) > 5
        summary = html[html.index("govuk-error-summary") : html.index("</ul>", html.index("govuk-error-summary"))]
        for question in left:
            assert f'href="#q_{question.key}"' in summary, question.key
            assert f"Grade question {definition.number(question.key)}: " in summary
        assert 'href="#q_overall_judgement"' not in summary and 'value="good" checked' in html  # kept
    db.session.expire_all()
    assert db.session.get(Moderation, moderation.id).state == "assigned"


def test_another_auditor_cannot_open_the_moderation(app, client, login, post, moderated, ctx):
    moderation = _prepared(client, login, post, moderated)
    with signed_in(app, login, FIRST) as other:
        assert other.get(f"/moderation/{moderation.id}/grade").status_code == 404
        assert other.get(f"/moderation/{moderation.id}/compare").status_code == 404


def test_the_reconciled_grade_is_counted_and_both_originals_are_kept(app, client, login, post, moderated, ctx):
    moderation = _prepared(client, login, post, moderated)
    definition = definition_of(moderated.tool_version)
    with signed_in(app, login, MODERATOR) as mod:
        post(mod, f"/moderation/{moderation.id}/grade", {**_grade_data(definition, "inadequate"), "submit_return": "y"})
    with signed_in(app, login, COORDINATOR) as coordinator:
        url = f"/moderation/audits/{moderated.id}/{moderation.id}/reconcile"
        page = coordinator.get(url).get_data(as_text=True)
        assert "Different" in page and "Same" in page
        missing = post(coordinator, url, {"agreed_overall_judgement": "requires_improvement"})
        assert missing.status_code == 400 and "Give the reason" in missing.get_data(as_text=True)
        keys = [k for k in (g.question_key for g in db.session.get(Moderation, moderation.id).grades)]
        differing = {
            g.question_key
            for g in db.session.scalars(select(ModerationGrade).where(ModerationGrade.moderation_id == moderation.id))
            if g.first_value != g.second_value
        }
        assert "overall_judgement" in differing and "overall_judgement" in keys
        data = {}
        for key in differing:
            data[f"agreed_{key}"] = definition.question(key).options[0].value
            data[f"reason_{key}"] = "Agreed at the moderation meeting <b>after</b> reading both"
        data["agreed_overall_judgement"] = "requires_improvement"
        assert post(coordinator, url, data).status_code == 302
    db.session.expire_all()
    grade = db.session.scalar(
        select(ModerationGrade).where(
            ModerationGrade.moderation_id == moderation.id, ModerationGrade.question_key == "overall_judgement"
        )
    )
    assert (grade.first_value, grade.second_value, grade.agreed_value) == ("good", "inadequate", "requires_improvement")
    counted = db.session.scalar(
        select(Answer.value).where(Answer.return_id == moderation.return_id, Answer.question_key == "overall_judgement")
    )
    assert counted == "requires_improvement"
    assert db.session.get(Moderation, moderation.id).state == "reconciled"
    with signed_in(app, login, COORDINATOR) as coordinator:
        again = post(coordinator, f"/moderation/audits/{moderated.id}/{moderation.id}/reconcile", data)
        assert again.status_code in (200, 409)
        html = coordinator.get(f"/moderation/audits/{moderated.id}/{moderation.id}/reconcile").get_data(as_text=True)
        assert "&lt;b&gt;after&lt;/b&gt;" in html
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "moderation.reconciled"))
    assert "moderation meeting" not in str(event.after)


def _moderated_pairs(audit, pairs):
    """A submitted moderation per (first, second) overall judgement, on the CSC returns in case order."""
    sample = ModerationSample(audit_id=audit.id, rate_percent=100, minimum=1, seed=1, pool_size=len(pairs))
    returns = sorted((c.returns for c in audit.cases), key=lambda rs: rs[0].case.reference)
    for (first, second), rets in zip(pairs, returns, strict=False):
        ret = next(r for r in rets if r.agency.short_name == "CSC")
        moderation = Moderation(return_id=ret.id, state="submitted")
        moderation.grades = [ModerationGrade(question_key="overall_judgement", first_value=first, second_value=second)]
        sample.moderations.append(moderation)
    db.session.add(sample)
    db.session.commit()


def test_the_analysis_page_shows_reliability_with_thresholds_in_words_and_the_pairs(client, login, moderated, ctx):
    login(client, COORDINATOR)
    empty = client.get(f"/audits/{moderated.id}/analysis").get_data(as_text=True)
    assert "No moderated grading is in yet" in empty
    _moderated_pairs(moderated, [("good", "good"), ("inadequate", "requires_improvement"), ("good", "outstanding")])
    html = client.get(f"/audits/{moderated.id}/analysis").get_data(as_text=True)
    section = html[html.index('id="reliability"') :]
    assert "across 3 pairs of grades" in section
    assert "1 of 3 (33%)" in section and "3 of 3 (100%)" in section  # same grade; within one
    assert "not reliable" in section and "Gwet" in section


def test_the_demo_audit_has_a_moderated_sample_at_every_stage(runner, client, login, ctx):
    load_demo(runner)
    states = db.session.scalars(select(Moderation.state).order_by(Moderation.id)).all()
    assert {"assigned", "submitted", "reconciled"} <= set(states)
    sample = db.session.scalar(select(ModerationSample))
    assert (sample.seed, sample.rate_percent, len(states)) == (2026, 25, -(-sample.pool_size // 4))
    mine = db.session.scalars(
        select(Moderation).join(User, User.id == Moderation.moderator_id).where(User.email == "auditor@demo.example")
    ).all()  # the CSC auditor moderates each CSC return sampled: one left submitted for the coordinator
    assert [m.state for m in mine].count("submitted") == 1 and {m.ret.agency.short_name for m in mine} == {"CSC"}
    quality = db.session.scalar(
        select(Moderation).join(User, User.id == Moderation.moderator_id).where(User.email == "quality@demo.example")
    )
    assert quality.state == "assigned" and quality.ret.agency.short_name != "CSC"  # the group moderates any agency
    login(client, "coordinator@demo.example", DEMO_PASSWORD)
    html = client.get(f"/audits/{sample.audit_id}/analysis").get_data(as_text=True)
    section = html[html.index('id="reliability"') :]
    assert "pairs of grades" in section and "No moderated grading is in yet" not in section
    calibration = client.get(f"/moderation/audits/{sample.audit_id}/calibration").get_data(as_text=True)
    assert "3 auditors have graded the case" in calibration and "grading has closed" in calibration


def test_nothing_is_reconciled_once_the_briefing_is_published(client, login, post, moderated, ctx):
    _moderated_pairs(moderated, [("good", "inadequate")])
    moderated.state = "published"
    db.session.commit()
    moderation = db.session.scalar(select(Moderation))
    login(client, COORDINATOR)
    url = f"/moderation/audits/{moderated.id}/{moderation.id}/reconcile"
    response = post(client, url, {"agreed_overall_judgement": "good", "reason_overall_judgement": "Agreed."})
    assert response.status_code == 409 and "can no longer change" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Moderation, moderation.id).state == "submitted"


def test_my_returns_never_links_the_moderator_to_the_return_they_grade_blind(app, client, login, post, moderated, ctx):
    """Regression: "My returns" listed the return under moderation with a link that 404'd for its moderator."""
    moderation = _prepared(client, login, post, moderated)
    with signed_in(app, login, MODERATOR) as mod:
        page = mod.get("/returns/").get_data(as_text=True)
        links = set(re.findall(r'href="(/(?:returns|moderation)/\d+[^"]*)"', page))
        assert f"/returns/{moderation.return_id}" not in links
        assert f"/moderation/{moderation.id}/grade" in links  # the case is there, to be graded blind
        assert links and all(mod.get(link).status_code == 200 for link in links)
        definition = definition_of(moderated.tool_version)
        post(mod, f"/moderation/{moderation.id}/grade", {**_grade_data(definition), "submit_return": "y"})
        after = mod.get("/returns/").get_data(as_text=True)
        assert f'href="/returns/{moderation.return_id}"' in after  # once their grading is in, the return is theirs


QUALITY = "quality@test.example"


def test_a_quality_assurance_member_moderates_any_agency_seeing_only_that_case(
    app, client, login, post, moderated, factory, ctx
):
    """A member of the quality-assurance group (no agency) may be named for a return of any agency; they grade
    it blind and then compare, and see no return pages, nor any other moderation."""
    factory.user("quality_assurance", email=QUALITY)
    login(client, COORDINATOR)
    _draw(client, post, moderated)
    first, other = db.session.scalars(select(Moderation).order_by(Moderation.id)).all()[:2]
    sample = client.get(f"/moderation/audits/{moderated.id}").get_data(as_text=True)
    assert "Test quality_assurance (quality-assurance group)" in sample
    assert _name(client, post, moderated, first.id, QUALITY).status_code == 302
    assert db.session.scalar(select(Moderation.moderator_id).where(Moderation.id == first.id)) is not None
    with signed_in(app, login, QUALITY) as qa:
        mine = qa.get("/moderation/").get_data(as_text=True)
        assert f"/moderation/{first.id}/grade" in mine and "Calibration" not in mine
        assert '<h1 class="govuk-heading-l">Moderation</h1>' in mine
        assert qa.get(f"/moderation/{first.id}/grade").status_code == 200
        assert qa.get(f"/moderation/{other.id}/grade").status_code == 404  # not theirs
        assert qa.get(f"/returns/{first.return_id}").status_code == 403  # no agency's return pages at all
        assert qa.get("/returns/").status_code == 403
        assert qa.get(f"/moderation/{first.id}/compare").status_code == 403  # blind until theirs is in
        definition = definition_of(moderated.tool_version)
        sent = post(qa, f"/moderation/{first.id}/grade", {**_grade_data(definition), "submit_return": "y"})
        assert sent.status_code == 302
        assert qa.get(f"/moderation/{first.id}/compare").status_code == 200
        assert qa.get(f"/returns/{first.return_id}").status_code == 403  # still only the two gradings


def test_an_auditor_of_another_agency_or_a_panel_member_cannot_be_named_moderator(
    client, login, post, moderated, factory, ctx
):
    factory.user("quality_assurance", "panel", email="qa.panel@test.example")  # reads every return at the panel
    login(client, COORDINATOR)
    _draw(client, post, moderated)
    moderation = db.session.scalars(select(Moderation).order_by(Moderation.id)).first()
    assert "Test quality_assurance panel" not in client.get(f"/moderation/audits/{moderated.id}").get_data(as_text=True)
    _name(client, post, moderated, moderation.id, "eh@test.example")
    _name(client, post, moderated, moderation.id, "qa.panel@test.example")
    assert db.session.scalar(select(Moderation.moderator_id).where(Moderation.id == moderation.id)) is None


def test_the_briefing_and_the_year_on_year_page_say_in_one_sentence_how_reliable_the_grades_were(
    client, login, moderated, ctx
):
    from audit_app.data.briefings import briefing_content

    _moderated_pairs(moderated, [("good", "good")])  # one moderated return: too few to say
    assert not any("re-graded" in p for p in briefing_content(moderated).summary)
    db.session.execute(ModerationGrade.__table__.delete())
    db.session.execute(Moderation.__table__.delete())
    db.session.execute(ModerationSample.__table__.delete())
    db.session.commit()
    pairs = [("good", "good"), ("inadequate", "inadequate"), ("outstanding", "outstanding"), ("good", "good")]
    _moderated_pairs(moderated, pairs)
    for moderation in db.session.scalars(select(Moderation)):  # a second graded question: 8 pairs in all
        moderation.grades.append(
            ModerationGrade(question_key="child_seen_alone", first_value="yes", second_value="yes")
        )
    db.session.commit()
    summary = briefing_content(moderated).summary
    assert summary[-1] == (
        "A second auditor re-graded 4 returns without seeing the first grades; "
        "their grades matched closely (alpha 1.00, reliable)."
    )
    moderated.state = "analysis"
    db.session.commit()
    login(client, COORDINATOR)
    page = client.get("/trends").get_data(as_text=True)
    section = page[page.index("How reliable the grades were") :]
    assert "A second auditor re-graded 4 returns" in section and "reliable" in section


def test_the_admin_puts_a_person_in_the_quality_assurance_group_without_an_agency(client, login, post, factory, ctx):
    factory.user("admin", email="admin@test.example")
    person = factory.user("viewer", email="p@test.example")
    login(client, "admin@test.example")
    page = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "Quality-assurance group" in page
    assert post(client, f"/admin/users/{person.id}", {"roles": ["quality_assurance"], "agency": ""}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, person.id).roles == {"quality_assurance"}


def test_the_home_page_asks_the_moderator_for_their_blind_grading_until_it_is_in(
    app, client, login, post, moderated, ctx
):
    """People are told: the named moderator has an e-mail and a home-page item linking to the blind grading."""
    moderation = _prepared(client, login, post, moderated)
    with signed_in(app, login, MODERATOR) as mod:
        home = mod.get("/").get_data(as_text=True)
        assert f'href="/moderation/{moderation.id}/grade"' in home
        assert f"Grade case {moderation.ret.case.reference} again" in home
        definition = definition_of(moderated.tool_version)
        post(mod, f"/moderation/{moderation.id}/grade", {**_grade_data(definition), "submit_return": "y"})
        assert f"/moderation/{moderation.id}/grade" not in mod.get("/").get_data(as_text=True)
    with signed_in(app, login, FIRST) as first:  # the return's own auditor is not asked
        assert f"/moderation/{moderation.id}/grade" not in first.get("/").get_data(as_text=True)
