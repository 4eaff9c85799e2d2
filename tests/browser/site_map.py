"""Every page of the app, for the crawls that check them all (axe-core, reflow at 320 px).

The pages come from the app's own URL map, and who may open each one from its view's
``allowed_roles`` (set by ``roles_required``): a new page joins the crawl as soon as it is
registered. The values that fill each URL (audit, case, return, briefing …) are real ids read
from the live demo database the browser talks to.

The demo has no sample frame, no draft tool version and no draft briefing, so
``prepare`` adds those first, with the app's own data functions — as a coordinator and an
editor would through the pages — so that every page shows its real content, not a redirect:

* the completed audit (analysis) gets version 1 of its briefing as a draft;
* the follow-up audit (open) gets a sample frame, so the sampling pages open;
* the built-in tool gets a draft version 2, so the designer's pages open;
* last year's audit comes published with the demo (its briefing in the library, its actions
  in the published action plan);
* the partnership's logo is uploaded, and someone is invited, so their pages open.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date

from PIL import Image
from playwright.sync_api import Error
from sqlalchemy import select

from audit_app import create_app
from audit_app.briefings.access import BUSINESS_UNIT
from audit_app.data import briefing_versions as versions
from audit_app.data.accounts import invite, unusable_password
from audit_app.data.branding import save_logo
from audit_app.data.frame_mapping import stage_upload
from audit_app.data.learning import categories, codebook, learning_points, recommendations
from audit_app.data.sampling import import_frame
from audit_app.data.tools import definition_of, ensure_builtin_tool, new_draft_version
from audit_app.data.users import create_user, find_user_by_email, list_agencies
from audit_app.extensions import db
from audit_app.models import (
    Audit,
    Briefing,
    CalibrationExercise,
    CodingSample,
    Concern,
    Moderation,
    ModerationSample,
    User,
)
from audit_app.security import PUBLIC_ENDPOINTS
from audit_tools.briefing import SECTIONS
from audit_tools.privacy.case_numbers import seal_case_number
from audit_tools.sampling import FrameChecks, candidate_cases, read_table
from audit_tools.sampling.frame_mapping import stage_table
from config import DevelopmentConfig
from tests.browser.conftest import CASE_NUMBER_KEY

ROLES = ("admin", "coordinator", "auditor", "panel", "editor", "viewer", "quality_assurance")
SIGNED_OUT = "signed-out"
DOMAIN = "demo.example"  # auditor@ is the children's social care (CSC) auditor
DEMO_NAMES = {"quality_assurance": "quality"}  # a role whose demo account is not named after it
# Pages a role opens to a refusal on purpose: the quality-assurance member is still grading the demo's return
# blind, so the comparison with the first grading is refused them (403, with a page saying why) until then.
REFUSED = {("quality_assurance", "moderation.compare"): 403}
DEMO_TITLE = "Multi-agency neglect audit 2026"
# Public endpoints not crawled: files, the health check, and the two second-factor steps, which need a
# half-finished sign-in (the demo runs without MFA; tests/app/test_account_security.py covers them).
NOT_CRAWLED = {"static", "main.health", "auth.second_factor", "auth.mfa_setup"}
PARAM = re.compile(r"<(?:[a-z]+(?:\([^)]*\))?:)?(\w+)>")
FRAME_CSV = "reference,age_years,locality,plan_type,agencies\n" + "".join(
    f"FR-{n:03d},{1 + n % 8},{('Northfield', 'Riverside')[n % 2]},CP plan - neglect,CSC;EH\n" for n in range(1, 13)
)


@dataclass(frozen=True)
class SitePage:
    """One URL to visit as one role; ``label`` names it in reports."""

    role: str
    endpoint: str
    url: str
    status: int = 200  # the error pages are pages too

    @property
    def label(self) -> str:
        return f"{self.role}: {self.endpoint} {self.url}"


@dataclass
class World:
    """The ids that fill the URLs: per audit (``analysis``, ``open``, ``published``) and shared ones."""

    audits: dict[str, dict] = field(default_factory=dict)
    shared: dict = field(default_factory=dict)
    by_role: dict[str, dict] = field(default_factory=dict)  # ids that differ by who looks (their own moderation)
    sections: tuple[str, ...] = ()


def crawl_app(database_url: str, secret_key: str):
    """The app in this process, on the live server's database: for its URL map and to prepare data."""

    class CrawlConfig(DevelopmentConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        SECRET_KEY = secret_key
        CASE_NUMBER_KEY = CASE_NUMBER_KEY

    return create_app(CrawlConfig)


# ------------------------------------------------------------------------------------------ preparing


def prepare(app) -> World:
    """Add what the demo lacks (see the module docstring), commit, and return the ids to fill URLs with."""
    with app.app_context():
        people = _people()
        analysis = db.session.scalar(select(Audit).where(Audit.title == DEMO_TITLE))
        follow_up = db.session.scalar(select(Audit).where(Audit.state == "open"))
        _import_frame(follow_up, people["coordinator"])
        staged = _staged_upload(follow_up, people["coordinator"])
        _own_case_number(follow_up)
        _logo(people["admin"])
        draft_tool = _draft_tool(people["coordinator"])
        published, published_briefing = _published_audit()
        public_token = versions.give_public_address(published_briefing, people["editor"])
        draft = versions.start_draft(analysis, people["editor"])
        token = _invitation(people["admin"])
        db.session.commit()
        world = World(sections=tuple(s.key for s in SECTIONS))
        world.audits = {
            "analysis": _audit_values(analysis, draft.id),
            "open": _audit_values(follow_up, None),
            "published": _audit_values(published, published_briefing.id),
        }
        # the quality-assurance member's own moderation, still graded blind (the auditor's is submitted)
        world.by_role = {"quality_assurance": {"moderation_id": _moderation_of(analysis, "quality_assurance")}}
        world.shared = {
            **_tool_values(draft_tool),
            **_codebook_values(),
            "token": token,
            "public_token": public_token,  # the published briefing's public address
            "position": 1,
            "user_id": people["auditor"].id,  # the administrator's page for a person
            "agency_id": people["auditor"].agency_id,  # and for an agency
            "staged_id": staged.id,  # the coordinator's upload waiting for its mapping
        }
        return world


def email_of(role: str) -> str:
    """The demo account that has ``role``."""
    return f"{DEMO_NAMES.get(role, role)}@{DOMAIN}"


def _people() -> dict:
    return {role: find_user_by_email(email_of(role)) for role in ROLES}


def _import_frame(audit, user) -> None:
    data = FRAME_CSV.encode()
    table = read_table(data, "frame.csv", max_bytes=len(data))
    candidates = candidate_cases(
        table.columns, table.rows, FrameChecks(known_agencies={a.short_name for a in list_agencies()})
    )
    import_frame(audit, "frame.csv", data, table.columns, candidates, user)


def _staged_upload(audit, user):
    """An export uploaded by the coordinator and waiting on the mapping page (its name column left out)."""
    data = b"Case ID,Child Name,Locality,Agencies Involved\nCP-1,Amara Okonjo,Northfield,Children's Social Care\n"
    table = read_table(data, "export.csv", max_bytes=len(data), keep_identifying=True)
    return stage_upload(audit, user, "export.csv", "0" * 64, stage_table(table, date.today()))


def _own_case_number(audit) -> None:
    """Children's social care's own number for the first case, sealed: its auditor's case number page."""
    case = audit.cases[0]
    csc = next(r.agency for r in case.returns if r.agency.short_name == "CSC")
    case.own_number = seal_case_number("CSC/004512", CASE_NUMBER_KEY)
    case.own_number_agency_id = csc.id


def _draft_tool(user):
    return new_draft_version(ensure_builtin_tool().tool, user)


def _published_audit():
    """Last year's audit, published with its briefing by the demo itself."""
    audit = db.session.scalar(select(Audit).where(Audit.state == "published"))
    briefing = db.session.scalar(select(Briefing).where(Briefing.audit_id == audit.id, Briefing.state == "published"))
    return audit, briefing


def _logo(admin) -> None:
    """The partnership's logo, uploaded by the administrator: the briefings and the settings page show it."""
    image = io.BytesIO()
    Image.new("RGB", (240, 80), "#1d70b8").save(image, format="PNG")
    save_logo(image.getvalue(), admin)


def _invitation(admin) -> str:
    return invite(create_user(f"invited@{DOMAIN}", "Invited Reader", unusable_password(), ["viewer"]), admin)


def _audit_values(audit, briefing_id: int | None) -> dict:
    """An audit's id, its first case, the CSC return on it (auditor@'s agency) and a learning point and action."""
    case = audit.cases[0]
    ret = next(r for c in audit.cases for r in c.returns if r.agency.short_name == "CSC")
    points, actions = learning_points(audit), recommendations(audit)
    return {
        "audit_id": audit.id,
        "case_id": case.id,
        "return_id": ret.id,
        "briefing_id": briefing_id,
        "point_id": points[0].id if points else None,
        "recommendation_id": actions[0].id if actions else None,
        "concern_id": db.session.scalar(select(Concern.id).where(Concern.audit_id == audit.id).limit(1)),
        # the demo's moderation that auditor@ has submitted (the coordinator reconciles it)
        "moderation_id": _moderation_of(audit, "auditor"),
        "exercise_id": db.session.scalar(
            select(CalibrationExercise.id).where(CalibrationExercise.audit_id == audit.id)
        ),
        # the demo's coding-reliability sample, its second coding in (the coordinator's, to reconcile)
        "sample_id": db.session.scalar(select(CodingSample.id).where(CodingSample.audit_id == audit.id)),
    }


def _moderation_of(audit, role: str) -> int | None:
    """The demo's moderation on ``audit`` whose moderator is the demo account with ``role``."""
    return db.session.scalar(
        select(Moderation.id)
        .join(ModerationSample)
        .join(User, User.id == Moderation.moderator_id)
        .where(ModerationSample.audit_id == audit.id, User.email == email_of(role))
    )


def _tool_values(draft) -> dict:
    definition = definition_of(draft)
    section = definition.sections[0]
    return {
        "tool_id": draft.tool_id,
        "number": draft.version,
        "section_key": section.key,
        "key": section.questions[0].key,
        "analysis_key": definition.overall_question.key,
    }


def _codebook_values() -> dict:
    return {"theme_id": codebook()[0].id, "slug": categories()[0].slug}


# ------------------------------------------------------------------------------------------ the pages


def _reachable(app, endpoint: str, role: str) -> bool:
    if endpoint in NOT_CRAWLED:
        return False
    if role == SIGNED_OUT:
        return endpoint in PUBLIC_ENDPOINTS
    allowed = getattr(app.view_functions[endpoint], "allowed_roles", None)
    return role in allowed if allowed else endpoint not in PUBLIC_ENDPOINTS


def _which_audits(endpoint: str, role: str) -> tuple[str, ...]:
    """Which audit fills a page's URL. Set-up pages show the open follow-up audit; pages about results the
    completed one; people who read only published work, last year's. Some pages are visited twice: how they
    look depends on the audit's state."""
    if endpoint in ("audits.show", "returns.edit", "returns.audit"):
        return "open", "analysis"  # in progress, and finished (a return shown read-only)
    if endpoint.startswith("briefings.") and role not in BUSINESS_UNIT:
        return ("published",)  # drafts are the business unit's
    if endpoint.startswith("learning.") and role == "viewer":
        return ("published",)  # a viewer reads an audit's actions once its briefing is published
    if endpoint.split(".")[0] == "audits" and endpoint != "audits.review_return":
        return ("open",)
    return ("analysis",)


def _variants(endpoint: str, world: World) -> list[dict]:
    if endpoint == "briefings.edit_section":
        return [{"section": key} for key in world.sections]  # the sections' forms differ
    if endpoint == "briefings.refresh_section":
        return [{"section": world.sections[0]}]  # one confirmation page, whichever the section
    if endpoint == "tools.version":
        return [{}, {"number": 1}]  # the draft (the designer) and the published version
    if endpoint.startswith("briefings.public_"):
        return [{"token": world.shared["public_token"]}]  # not the invitation's <token>
    if endpoint.startswith("analysis.question"):
        return [{"key": world.shared["analysis_key"]}]
    return [{}]


def _queries(endpoint: str, world: World) -> list[str]:
    """A page whose content is chosen in its address's query is visited as it opens and with a choice made."""
    if endpoint == "analysis.compare":  # last year's audit and this year's: the three tables of changes
        chosen = world.audits["published"]["audit_id"], world.audits["analysis"]["audit_id"]
        return ["", "?first={}&second={}".format(*chosen)]
    return [""]


def fill(rule: str, values: dict) -> str:
    """The rule with each ``<converter:name>`` replaced by its value; a name with no value fails loudly."""

    def value(match: re.Match) -> str:
        name = match.group(1)
        if values.get(name) is None:
            raise KeyError(f"The crawl has no value for <{name}> in {rule}: add one to tests/browser/site_map.py")
        return str(values[name])

    return PARAM.sub(value, rule)


def pages_for(app, world: World, role: str) -> list[SitePage]:
    """Every GET page ``role`` may open (for SIGNED_OUT: the public ones), with real values in its URL."""
    pages: list[SitePage] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if "GET" not in rule.methods or not _reachable(app, rule.endpoint, role):
            continue
        for audit in _which_audits(rule.endpoint, role):
            for variant in _variants(rule.endpoint, world):
                for query in _queries(rule.endpoint, world):
                    values = {**world.shared, **world.audits[audit], **world.by_role.get(role, {}), **variant}
                    url = fill(rule.rule, values) + query
                    if all(page.url != url for page in pages):
                        pages.append(SitePage(role, rule.endpoint, url, REFUSED.get((role, rule.endpoint), 200)))
    return pages + _error_pages(app, role)


def _error_pages(app, role: str) -> list[SitePage]:
    """ "Page not found" for everyone; for a signed-in role, "you do not have permission" on the first page
    (one without parameters) it may not open."""
    pages = [SitePage(role, "error 404", "/no-such-page", 404)]
    if role == SIGNED_OUT:
        return pages
    forbidden = [
        rule.rule
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
        if "GET" in rule.methods
        and not rule.arguments
        and role not in (getattr(app.view_functions[rule.endpoint], "allowed_roles", None) or (role,))
    ]
    return pages + [SitePage(role, "error 403", url, 403) for url in forbidden[:1]]


# ------------------------------------------------------------------------------------------ visiting


@dataclass
class Site:
    """A demo app of its own, prepared for the crawls: its server, the app in this process and the ids."""

    server: str
    app: object
    world: World

    def pages(self, role: str) -> list[SitePage]:
        return pages_for(self.app, self.world, role)


def open_page(page, base_url: str, site_page: SitePage) -> str:
    """Open ``site_page`` in the browser; say what it was: "page", "download" (an HTML file, now shown) or "file".

    Any other status, or a redirect, fails: a page that cannot be reached has not been checked."""
    url = base_url + site_page.url
    try:
        response = page.goto(url)
    except Error as error:
        if "Download is starting" not in str(error):
            raise
        return _downloaded(page, url, site_page)
    if response is None or response.status != site_page.status or response.request.redirected_from is not None:
        raise AssertionError(
            f"{site_page.label} did not open: HTTP {response.status if response else '-'}, ended at {page.url}"
        )
    return "page" if response.headers.get("content-type", "").startswith("text/html") else "file"


def _downloaded(page, url: str, site_page: SitePage) -> str:
    """A download: an HTML file (the standalone briefing) is shown in the page to be checked like one."""
    response = page.context.request.get(url)
    assert response.status == 200, f"{site_page.label} answered {response.status}"
    if not response.headers.get("content-type", "").startswith("text/html"):
        return "file"
    page.set_content(response.text())
    return "download"
