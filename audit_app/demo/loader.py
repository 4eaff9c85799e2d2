"""The fictional demonstration partnership, loaded from ``demo_data.json``."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from importlib import resources
from typing import Any, Protocol

from flask import current_app

from audit_app.data.accounts import invite, unusable_password
from audit_app.data.audits import add_cases
from audit_app.data.briefing_versions import approve, disclosure_findings, start_draft
from audit_app.data.concerns import raise_concerns
from audit_app.data.seed import seed_reference_data
from audit_app.data.settings import set_setting
from audit_app.data.tools import definition_of, ensure_builtin_tool
from audit_app.data.users import agency_by_short_name, create_user, find_user_by_email, list_agencies
from audit_app.demo.coding import code_demo_audit, sample_demo_coding
from audit_app.demo.moderation import calibrate_demo_audit, moderate_demo_audit
from audit_app.extensions import db
from audit_app.models import (
    ActionUpdate,
    AgencyExtension,
    Answer,
    Audit,
    Briefing,
    LearningPoint,
    PanelRecord,
    Recommendation,
    User,
)
from audit_tools.briefing import unresolved
from audit_tools.returns import answers as answer_rules
from audit_tools.sampling import case_row
from audit_tools.states import AuditState, ReturnState, Role

DEMO_DOMAIN = "demo.example"
# (e-mail, roles, agency short name) — every account is fictional.
DEMO_ACCOUNTS = (
    (f"admin@{DEMO_DOMAIN}", (Role.ADMIN,), None),
    (f"coordinator@{DEMO_DOMAIN}", (Role.COORDINATOR,), None),
    (f"auditor@{DEMO_DOMAIN}", (Role.AUDITOR,), "CSC"),
    (f"auditor.eh@{DEMO_DOMAIN}", (Role.AUDITOR,), "EH"),
    (f"auditor.school@{DEMO_DOMAIN}", (Role.AUDITOR,), "School"),
    (f"auditor.camhs@{DEMO_DOMAIN}", (Role.AUDITOR,), "CAMHS"),
    (f"panel@{DEMO_DOMAIN}", (Role.PANEL,), None),
    (f"editor@{DEMO_DOMAIN}", (Role.EDITOR,), None),
    (f"viewer@{DEMO_DOMAIN}", (Role.VIEWER,), None),
    (f"quality@{DEMO_DOMAIN}", (Role.QUALITY,), None),  # the quality-assurance group: moderates any agency
)


class Publisher(Protocol):
    """Publishes an approved briefing version as ``user``: builds its PDF and web page and keeps them."""

    def __call__(self, briefing: Briefing, user: User) -> None: ...


def _json(package: str, name: str) -> Any:
    return json.loads(resources.files(package).joinpath(name).read_text("utf-8"))


class DemoRefused(RuntimeError):
    """The demonstration data may not be loaded here (the production configuration)."""


REFUSED = (
    "The demonstration data is not loaded under the production configuration: it adds nine accounts that "
    "share one password. Use it on a development or training copy (FLASK_CONFIG=development)."
)


def _demo_safeguarding_leads() -> None:
    """Every agency gets a fictional safeguarding lead's address, told at once of a concern on its returns."""
    for agency in list_agencies():
        if agency.safeguarding_lead_email is None:
            slug = re.sub(r"[^a-z0-9]+", "-", agency.short_name.lower()).strip("-")
            agency.safeguarding_lead_email = f"safeguarding.{slug}@{DEMO_DOMAIN}"
    db.session.flush()


def load_demo(password: str, publish: Publisher | None = None) -> bool:
    """Load everything once; returns False (changing nothing) when the demo is already there.

    ``publish`` builds and keeps a briefing's PDF and web page (the briefings' own publishing step, which
    the command line passes in); with it, last year's audit comes with its briefing published, without it
    the audit is published with no briefing kept.

    Refused (DemoRefused, before anything is read or written) where the configuration forbids it.
    """
    if not current_app.config.get("DEMO_DATA_ALLOWED", True):
        raise DemoRefused(REFUSED)
    if find_user_by_email(DEMO_ACCOUNTS[0][0]) is not None:
        return False
    data = _json("audit_app.demo", "demo_data.json")
    seed_reference_data()
    _load_settings(data["partnership"])
    _demo_safeguarding_leads()
    admin = None
    for email, roles, agency in DEMO_ACCOUNTS:
        name = email.split("@")[0].replace(".", " ").title()
        user = create_user(
            email, f"Demo {name}", password, list(roles), agency_by_short_name(agency) if agency else None
        )
        admin = admin or user
    if admin is None:
        raise RuntimeError("DEMO_ACCOUNTS lists no account to load the audits as")
    _load_earlier_audit(data, admin, publish)
    _load_completed_audit(data, admin)
    _load_panel_audit(data, admin)
    _load_open_audit(data, admin)
    _invite_demo_reader(admin)
    _invite_newcomer(admin)
    return True


def _invite_demo_reader(admin: User) -> None:
    """Someone invited who has not yet set a password: the admin's Notifications page shows the invitation
    kept in the outbox (with no MAIL_SERVER) and a button to send a new link."""
    reader = create_user(f"new.reader@{DEMO_DOMAIN}", "Demo New Reader", unusable_password(), [Role.VIEWER], None)
    invite(reader, admin)


def _invite_newcomer(admin: User) -> None:
    """A school auditor invited but not yet signed up, for the admin's home page (the link is not shown)."""
    newcomer = create_user(
        f"newcomer@{DEMO_DOMAIN}",
        "Demo Newcomer",
        unusable_password(),
        [Role.AUDITOR],
        agency_by_short_name("School"),
    )
    invite(newcomer, admin)


def _load_settings(partnership: dict) -> None:
    set_setting("partnership_name", partnership["name"])
    set_setting("series_title", partnership.get("series_title", "Eyes On"))
    set_setting("definition", partnership.get("definition", ""))
    set_setting("resources", partnership.get("resources", []))


def _new_audit(fields: dict, state: str) -> Audit:
    audit = Audit(
        title=fields["title"],
        topic=fields["topic"],
        year=fields["year"],
        purpose=fields.get("purpose", ""),
        scope=fields.get("scope", ""),
        period_start=_date(fields.get("period_start")),
        period_end=_date(fields.get("period_end")),
        returns_due=_date(fields.get("returns_due")),
        tool_version=ensure_builtin_tool(),
        state=state,
        coordinator=_demo_user("coordinator"),
    )
    db.session.add(audit)
    db.session.flush()
    return audit


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _add_demo_cases(audit: Audit, cases: list[dict], user: User) -> dict:
    rows = [
        case_row(
            c["reference"],
            Decimal(str(c["age_years"])),
            c["locality"],
            c["plan_type"],
            tuple(c["agencies"]),
            band=c.get("age_band", ""),
            attributes={k: c[k] for k in ("repeat_plan", "months_on_plan") if k in c},
        )
        for c in cases
    ]
    return {c.reference: c for c in add_cases(audit, rows, user)}


def _load_completed_audit(data: dict, user: User) -> None:
    """The audit as the seed briefing describes it: every return submitted, analysis under way."""
    audit = _new_audit(data["audit"], AuditState.ANALYSIS)
    cases = _add_demo_cases(audit, data["cases"], user)
    _submit_demo_returns(audit, cases, data["returns"])
    _load_panel_records(cases, data.get("panel_records", {}))
    db.session.flush()
    coordinator = _demo_user("coordinator")
    calibrate_demo_audit(audit, coordinator, [_demo_user(n) for n in ("auditor", "auditor.eh", "auditor.school")])
    moderate_demo_audit(audit, coordinator, _demo_user("auditor"), _demo_user("quality"))
    code_demo_audit(audit, _demo_user("editor"))  # confirmed themes, some left to code
    sample_demo_coding(audit, coordinator)  # a second coding of a sample of the excerpts, to reconcile
    for position, point in enumerate(data.get("learning_points", [])):
        db.session.add(
            LearningPoint(audit_id=audit.id, audience=point["audience"], text=point["text"], position=position)
        )
    for position, rec in enumerate(data.get("recommendations", [])):
        _add_recommendation(audit, position, rec)
    db.session.flush()


def _load_earlier_audit(data: dict, user: User, publish: Publisher | None) -> None:
    """Last year's audit on the same topic, published: the library's first briefing, the viewer's home page,
    the action plan's finished actions and the themes this year's briefing has in common with it. Its
    children are four of this year's, under last year's references, with the same answers (the demo's
    cases are fictional)."""
    earlier = data["earlier_audit"]
    audit = _new_audit(earlier["audit"], AuditState.ANALYSIS)
    chosen = {c["reference"]: c["reference"].replace("NA26-", "NA25-") for c in data["cases"][: earlier["cases"]]}
    cases = _add_demo_cases(
        audit, [{**c, "reference": chosen[c["reference"]]} for c in data["cases"] if c["reference"] in chosen], user
    )
    _submit_demo_returns(
        audit, cases, [{**r, "case": chosen[r["case"]]} for r in data["returns"] if r["case"] in chosen]
    )
    _load_panel_records(cases, {chosen[k]: v for k, v in data.get("panel_records", {}).items() if k in chosen})
    code_demo_audit(audit, _demo_user("editor"), finished=True)  # its themes, in common with this year's
    for position, point in enumerate(earlier["learning_points"]):
        db.session.add(
            LearningPoint(audit_id=audit.id, audience=point["audience"], text=point["text"], position=position)
        )
    for position, rec in enumerate(earlier["recommendations"]):
        _add_recommendation(audit, position, rec)
    db.session.flush()
    if publish is None:  # nothing to build its PDF with (a script's demo): published, with no briefing kept
        audit.state = AuditState.PUBLISHED
        return
    briefing = start_draft(audit, _demo_user("editor"))
    approve(briefing, _demo_user("coordinator"), len(unresolved(disclosure_findings(briefing))))
    publish(briefing, _demo_user("coordinator"))


def _add_recommendation(audit: Audit, position: int, rec: dict) -> None:
    """A recommendation with its progress so far. Dates count from the day the demo is loaded, so the
    action plan reads the same whenever it is: some actions done, some due, one overdue."""
    lead = agency_by_short_name(rec["lead"])
    coordinator = _demo_user("coordinator")
    now = datetime.now(UTC)
    recommendation = Recommendation(
        audit_id=audit.id,
        position=position,
        text=rec["text"],
        category=rec["category"],
        lead_agency_id=lead.id if lead else None,
        timeframe=rec["timeframe"],
        due_date=now.date() + timedelta(days=rec["due_in_days"]),
        rag=rec.get("rag", "amber"),
    )
    db.session.add(recommendation)
    db.session.flush()
    db.session.add_all(
        ActionUpdate(
            recommendation_id=recommendation.id,
            by_id=coordinator.id,
            text=update["text"],
            rag=update["rag"],
            at=now - timedelta(days=update["days_ago"]),
        )
        for update in rec.get("updates", [])
    )


def _submit_demo_returns(audit: Audit, cases: dict, returns: list[dict]) -> None:
    """Each agency's answers on each case (keyed by case reference), submitted in the spring."""
    definition = definition_of(audit.tool_version)
    submitted = datetime(audit.year, 4, 20, 12, 0, tzinfo=UTC)
    for item in returns:
        ret = next(r for r in cases[item["case"]].returns if r.agency.short_name == item["agency"])
        ret.state, ret.submitted_at = ReturnState.SUBMITTED, submitted
        ret.answers = [
            Answer(question_key=r.question_key, ordinal=r.ordinal, value=r.value, score=r.score)
            for r in answer_rules.to_rows(definition, item["answers"])
        ]


def _load_panel_audit(data: dict, user: User) -> None:
    """An audit whose returns are all in and revealed, with no judgement agreed yet: where the panel
    member starts (the main audit's panel has finished)."""
    fields = {
        **data["audit"],
        "title": data["audit"]["title"] + " – second sample",
        "purpose": "To widen the spring audit with three more children whose plans began in the winter.",
        "scope": "Three further children on child protection plans for neglect, audited by each agency "
        "involved; the panel meets next month.",
    }
    audit = _new_audit(fields, AuditState.PANEL)
    chosen = {c["reference"]: c["reference"].replace("-0", "-S0") for c in data["cases"][3:]}
    cases = _add_demo_cases(audit, [{**c, "reference": chosen[c["reference"]]} for c in data["cases"][3:]], user)
    _submit_demo_returns(
        audit, cases, [{**r, "case": chosen[r["case"]]} for r in data["returns"] if r["case"] in chosen]
    )
    db.session.flush()


def _load_panel_records(cases: dict, records: dict[str, dict]) -> None:
    """What the panel agreed on each case (keyed by case reference), recorded by the demo panel member."""
    panel_member = _demo_user("panel")
    for reference, item in records.items():
        db.session.add(
            PanelRecord(
                case_id=cases[reference].id,
                agreed_grade=item["agreed_grade"],
                rationale=item["rationale"],
                dissent=item.get("dissent", ""),
                learning=item.get("learning", ""),
                recorded_by_id=panel_member.id,
            )
        )


def _load_open_audit(data: dict, user: User) -> None:
    """A second, smaller audit still open, so auditors have returns to work on."""
    fields = {
        **data["audit"],
        "title": data["audit"]["title"] + " – follow-up sample",
        "purpose": "To check whether practice has changed since the spring audit's learning was shared.",
        "scope": "Three further children on child protection plans for neglect, re-audited by each "
        "agency involved six months after the first audit.",
        # due within the week, so `flask notify run` has reminders to send (kept in the outbox with no MAIL_SERVER)
        "returns_due": (date.today() + timedelta(days=5)).isoformat(),
    }
    fields["returns_due"] = (date.today() - timedelta(days=3)).isoformat()
    audit = _new_audit(fields, AuditState.OPEN)
    follow_up = [{**c, "reference": c["reference"].replace("-0", "-F0")} for c in data["cases"][:3]]
    cases = _add_demo_cases(audit, follow_up, user)
    db.session.flush()
    # The home pages have something to act on: one return waiting for the coordinator's review (Early Help's on
    # the last case, so each auditor's first return in the browser tests is still a draft), most agencies
    # overdue, and children's social care and schools given a few more days (so due soon, not overdue).
    first = next(r for r in data["returns"] if r["case"] == data["cases"][2]["reference"] and r["agency"] == "EH")
    _submit_demo_returns(audit, cases, [{**first, "case": first["case"].replace("-0", "-F0")}])
    for short_name in ("CSC", "School"):
        agency = agency_by_short_name(short_name)
        if agency is not None:
            db.session.add(
                AgencyExtension(audit_id=audit.id, agency_id=agency.id, returns_due=date.today() + timedelta(days=5))
            )
    db.session.flush()
    _raise_demo_concern(audit)


# What Early Help's auditor answered on the first follow-up case: a current concern, waiting for the coordinator.
DEMO_CONCERN = {
    "current_safeguarding_concern": "yes",
    "current_concern_action": "Our records show two missed health visits since the plan ended. I rang the Early Help "
    "team manager on the day of the audit; a home visit is booked for tomorrow and the health visitor is told.",
}


def _raise_demo_concern(audit: Audit) -> None:
    """A concern raised in a draft return of the open audit (not the CSC auditor's, whose returns the tour
    starts empty), so the coordinator has one to acknowledge; each agency names its safeguarding lead."""
    for agency in {r.agency for c in audit.cases for r in c.returns}:
        agency.safeguarding_lead_email = f"safeguarding.{agency.short_name.lower()}@{DEMO_DOMAIN}"
    ret = next((r for c in audit.cases for r in c.returns if r.agency.short_name == "EH"), None)
    auditor = find_user_by_email(f"auditor.eh@{DEMO_DOMAIN}")
    if ret is None or auditor is None:
        return
    definition = definition_of(audit.tool_version)
    ret.answers = [
        Answer(question_key=r.question_key, ordinal=r.ordinal, value=r.value, score=r.score)
        for r in answer_rules.to_rows(definition, dict(DEMO_CONCERN))
    ]
    db.session.flush()
    raise_concerns(ret, definition, dict(DEMO_CONCERN), auditor)


def _demo_user(name: str) -> User:
    """One of the demo accounts, made before any demo audit."""
    user = find_user_by_email(f"{name}@{DEMO_DOMAIN}")
    if user is None:
        raise LookupError(f"The demo account {name}@{DEMO_DOMAIN} is missing.")
    return user
