"""Every route checks sign-in and role on the server; auditors never reach another agency's return."""

import re

import pytest

from audit_app.data.tools import new_draft_version
from audit_app.extensions import db
from audit_app.models import Concern, SampleFrame, StagedFrame
from audit_app.security import PUBLIC_ENDPOINTS
from audit_tools.privacy.case_numbers import seal_case_number
from tests.app import roles_briefings, roles_learning, roles_moderation, roles_panel, roles_themes

AREAS = (roles_panel, roles_themes, roles_learning, roles_briefings, roles_moderation)

ROLES = ("admin", "coordinator", "auditor", "panel", "editor", "viewer", "quality_assurance")
# Endpoint → roles allowed. A new route fails test_every_route_has_an_expectation until it is added here.
EXPECTED_ROLES = {
    "main.index": "any",
    "auth.logout": "any",
    **{f"auth.{name}": set(ROLES) for name in ("keep_alive", "account", "change_password", "recovery_codes")},
    "audits.index": {"coordinator"},
    "audits.new": {"coordinator"},
    "audits.show": {"coordinator"},
    "audits.new_case": {"coordinator"},
    "audits.upload_cases": {"coordinator"},
    "audits.case_agencies": {"coordinator"},
    "audits.advance": {"coordinator"},
    "audits.concern": {"coordinator"},
    "audits.close_concern": {"coordinator"},
    "audits.edit": {"coordinator"},
    "audits.remove_case": {"coordinator"},
    **{
        f"audits.{name}": {"coordinator"}
        for name in (
            "frame",
            "map_frame",
            "age_bands",
            "sample",
            "discard_sample",
            "exclude_case",
            "outstanding_csv",
            "send_reminders",
            "auditors",
            "review_return",
        )
    },
    "audits.case_number": {"coordinator", "auditor"},
    "returns.index": {"auditor"},
    "returns.audit": {"auditor"},
    "returns.edit": {"auditor"},
    "returns.autosave": {"auditor"},
    "returns.no_involvement": {"auditor"},
    "analysis.analysis": {"coordinator", "panel", "editor"},
    **{
        f"analysis.{name}": {"coordinator", "panel", "editor"}
        for name in ("question", "question_chart_svg", "compliance_chart_svg", "compare")
    },
    "analysis.answers_csv": {"coordinator", "editor"},
    "analysis.answers_xlsx": {"coordinator", "editor"},
    "admin.users": {"admin"},
    "admin.invite": {"admin"},
    "admin.disable": {"admin"},
    "admin.notifications": {"admin"},
    "admin.resend_invitation": {"admin"},
    **{
        f"admin.{name}": {"admin"}
        for name in ("person", "enable", "new_agency", "edit_agency", "retire_agency", "restore_agency")
    },
    "admin.events": {"admin", "coordinator"},
    "admin.events_csv": {"admin", "coordinator"},
    "admin.agencies": {"admin", "coordinator"},
    **{
        f"tools.{name}": {"coordinator"}
        for name in (
            "index",
            "new",
            "import_file",
            "version",
            "preview",
            "export",
            "compare",
            "publish",
            "retire",
            "new_version",
            "edit_details",
            "edit_section",
            "edit_question",
            "section_action",
            "question_action",
        )
    },
    **{endpoint: roles for area in AREAS for endpoint, roles in area.ROLES.items()},
}
# How many pages (GET routes) each role can open: a route lost from a role's reach shows up here.
PAGES_PER_ROLE = {
    role: pages + sum(area.PAGES.get(role, 0) for area in AREAS)
    for role, pages in {
        "admin": 10,
        "coordinator": 43,
        "auditor": 6,
        "panel": 7,
        "editor": 9,
        "viewer": 2,
        "quality_assurance": 2,
    }.items()
}
# Pages about an audit's results are checked on an audit whose returns have been revealed.
RESULTS_BLUEPRINTS = {"analysis", "panel", "themes", "learning", "briefings"}


def _fill(pattern: str, values: dict) -> str:
    """A real URL for a rule, using the test's audit and the built-in tool's first section and question."""
    values = {"number": 1, "key": "agency_role", "section_key": "agency_involvement", "action": "up", **values}
    for name, value in values.items():
        pattern = pattern.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
    pattern = re.sub(r"<any\([^)]*\):\w+>", "up", pattern)
    return re.sub(r"<\w+>", "x", re.sub(r"<int:\w+>", "1", pattern))


def test_every_route_has_an_expectation(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - PUBLIC_ENDPOINTS
    assert endpoints == set(EXPECTED_ROLES), "update EXPECTED_ROLES for new or removed routes"


def test_role_decorators_match_the_table(app):
    for endpoint, roles in EXPECTED_ROLES.items():
        view = app.view_functions[endpoint]
        declared = set(getattr(view, "allowed_roles", ())) or "any"
        assert declared == roles, endpoint


def test_signed_out_visitor_is_sent_to_sign_in_everywhere(app, client, factory):
    audit = factory.audit()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = _fill(
            rule.rule,
            {
                "audit_id": audit.id,
                "case_id": audit.cases[0].id,
                "return_id": audit.cases[0].returns[0].id,
                "tool_id": audit.tool_version.tool_id,
            },
        )
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"], url


STATEMENT_SECTIONS = (
    "Using this service",
    "How accessible this service is",
    "Feedback and contact information",
    "Enforcement procedure",
    "Technical information about this service",
    "Compliance status",
    "Non-accessible content",
    "What we’re doing to improve accessibility",
    "Preparation of this accessibility statement",
)


def test_the_accessibility_statement_is_public_and_in_every_footer(client):
    """Anyone can read it before signing in (or without an account); every page's footer links to it."""
    page = client.get("/accessibility")
    assert page.status_code == 200
    headings = re.findall(r"<h[23][^>]*>(.*?)</h[23]>", page.get_data(as_text=True))
    positions = [
        next((i for i, h in enumerate(headings) if h.startswith(section)), -1) for section in STATEMENT_SECTIONS
    ]
    assert -1 not in positions and positions == sorted(positions), headings  # the model statement's sections, in order
    assert '<a class="govuk-footer__link" href="/accessibility">Accessibility statement</a>' in client.get(
        "/login"
    ).get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES)
def test_wrong_role_gets_403_on_every_page(app, client, factory, login, role):
    agency = factory.agency("CSC")
    factory.user(role, agency=agency if role == "auditor" else None, email=f"{role}@test.example")
    audit = factory.audit()
    login(client, f"{role}@test.example")
    for rule in app.url_map.iter_rules():
        allowed = EXPECTED_ROLES.get(rule.endpoint)
        if allowed in (None, "any") or role in allowed or "GET" not in rule.methods:
            continue
        url = _fill(
            rule.rule,
            {
                "audit_id": audit.id,
                "case_id": audit.cases[0].id,
                "return_id": audit.cases[0].returns[0].id,
                "tool_id": audit.tool_version.tool_id,
            },
        )
        assert client.get(url).status_code == 403, (role, url)


def test_auditor_gets_404_for_every_url_of_another_agencys_return(client, factory, login, post):
    csc = factory.agency("CSC")
    factory.user("auditor", agency=csc, email="csc@test.example")
    audit = factory.audit(agencies=("CSC", "EH", "School"))
    login(client, "csc@test.example")
    others = [r for case in audit.cases for r in case.returns if r.agency.short_name != "CSC"]
    assert len(others) == 4
    return_rules = [
        r.rule
        for r in client.application.url_map.iter_rules()
        if r.endpoint.startswith("returns.") and "<int:return_id>" in r.rule
    ]
    assert len(return_rules) == 3  # the form, autosave and "no involvement": every one is checked below
    for ret in others:
        assert client.get(f"/returns/{ret.id}").status_code == 404
        for rule in return_rules:
            url = rule.replace("<int:return_id>", str(ret.id))
            assert (
                post(client, url, {"save_draft": "y", "version": "1", "reason": "x", "declare": "y"}).status_code == 404
            ), url
        assert db.session.get(type(ret), ret.id).state == "draft"
    own = factory.return_for(audit, "CSC")
    assert client.get(f"/returns/{own.id}").status_code == 200


def test_my_returns_lists_only_own_agency(client, factory, login):
    factory.user("auditor", agency=factory.agency("EH"), email="eh@test.example")
    factory.audit(agencies=("CSC", "EH"))
    login(client, "eh@test.example")
    html = client.get("/returns/").get_data(as_text=True)
    assert html.count("Case T-0") == 2  # two cases, one EH return each — never CSC's


def test_auditor_cannot_see_returns_of_an_audit_still_in_setup(client, factory, login):
    factory.user("auditor", agency=factory.agency("CSC"), email="csc@test.example")
    audit = factory.audit(state="setup")
    login(client, "csc@test.example")
    assert client.get(f"/returns/{factory.return_for(audit, 'CSC').id}").status_code == 404
    assert "T-01" not in client.get("/returns/").get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_renders_for_each_role_allowed_on_it(app, client, factory, login, role):
    """Driven from the URL map, so a new page is covered as soon as it is in EXPECTED_ROLES."""
    agency = factory.agency("CSC")
    person = factory.user(role, agency=agency if role == "auditor" else None, email=f"{role}@test.example")
    audit = factory.audit(state="open", agencies=("CSC",))
    revealed = factory.audit(state="analysis", agencies=("CSC",))  # results pages need revealed returns
    draft = new_draft_version(audit.tool_version.tool, None)  # the designer's pages edit drafts only
    db.session.add(
        SampleFrame(
            audit_id=audit.id, filename="frame.csv", sha256="0" * 64, row_count=0, columns=["reference", "locality"]
        )
    )  # the sampling page needs a frame
    staged = StagedFrame(
        audit_id=audit.id, user_id=person.id, upload_file="f.csv", sha256="0" * 64, columns=["reference"], rows=[]
    )  # the mapping page needs an upload of the person's own
    audit.cases[0].own_number = seal_case_number("CSC/000001", app.config["CASE_NUMBER_KEY"])
    audit.cases[0].own_number_agency_id = agency.id  # the case number page needs a number of the agency's own
    db.session.add(staged)
    concern = Concern(
        ret=audit.cases[0].returns[0],
        audit_id=audit.id,
        agency_id=agency.id,
        question_key="current_safeguarding_concern",
    )  # the concern page needs a concern
    db.session.add(concern)
    db.session.commit()
    area_values = {
        k: v for area in AREAS for k, v in getattr(area, "url_values", lambda *a: {})(revealed, role).items()
    }
    db.session.commit()
    login(client, f"{role}@test.example")
    checked = 0
    for rule in app.url_map.iter_rules():
        allowed = EXPECTED_ROLES.get(rule.endpoint)
        if allowed is None or "GET" not in rule.methods or (allowed != "any" and role not in allowed):
            continue
        shown = revealed if rule.endpoint.split(".")[0] in RESULTS_BLUEPRINTS else audit
        url = _fill(
            rule.rule,
            {
                **area_values,
                "audit_id": shown.id,
                "case_id": shown.cases[0].id,
                "number": draft.version,
                "return_id": audit.cases[0].returns[0].id,
                "tool_id": audit.tool_version.tool_id,
                "concern_id": concern.id,
                "staged_id": staged.id,
                "user_id": person.id,  # real ids: PostgreSQL's sequences do not restart for each test
                "agency_id": agency.id,
            },
        )
        response = client.get(url)
        assert response.status_code == 200, (role, url, response.status_code)
        if response.mimetype == "text/html":
            html = response.get_data(as_text=True)
            assert html.count("<h1") == 1, (role, url)
            title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
            assert title.strip().endswith(app.config["PARTNERSHIP_NAME"]), (url, title)
        checked += 1
    assert checked == PAGES_PER_ROLE[role]


@pytest.mark.parametrize("role", ["panel", "editor"])
def test_panel_and_editors_see_results_only_after_the_reveal(client, factory, login, role):
    factory.user(role, email=f"{role}@test.example")
    audit = factory.audit(state="open")
    login(client, f"{role}@test.example")
    urls = [f"/audits/{audit.id}/analysis", f"/audits/{audit.id}/briefings"]
    allowed = {"panel": 1, "editor": 2}[role]
    assert all(client.get(url).status_code == 403 for url in urls[:allowed])
    audit.state = "panel"
    db.session.commit()
    assert all(client.get(url).status_code == 200 for url in urls[:allowed])
