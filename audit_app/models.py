"""Database models (SQLAlchemy 2.0 typed mappings). The schema is created only by migrations."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    func,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from audit_app.extensions import Base, db
from audit_tools.states import (
    AuditState,
    BriefingState,
    ConcernState,
    ModerationState,
    NotificationState,
    ReturnState,
    Role,
    ToolState,
)

if TYPE_CHECKING:
    Model = Base  # db.Model is Base with Flask-SQLAlchemy's query helpers added at run time
else:
    Model = db.Model

# The enums' values as plain strings (for check constraints, and for click, which matches an Enum by name).
ROLES = tuple(r.value for r in Role)
AUDIT_STATES = tuple(s.value for s in AuditState)
RETURN_STATES = tuple(s.value for s in ReturnState)
COUNTED_STATES = (ReturnState.SUBMITTED, ReturnState.ACCEPTED)  # the returns whose answers the analysis counts
TOOL_STATES = tuple(s.value for s in ToolState)
AUDIENCES = ("managers", "practitioners", "inter_agency")
CODING_SOURCES = ("answer", "note", "panel")  # a long-text answer, an evidence note, the panel's learning
CODING_STATES = ("suggested", "confirmed", "rejected")
RAG_STATES = ("red", "amber", "green", "complete")
BRIEFING_STATES = tuple(s.value for s in BriefingState)
NOTIFICATION_STATES = tuple(s.value for s in NotificationState)
CONCERN_STATES = tuple(s.value for s in ConcernState)
MODERATION_STATES = tuple(s.value for s in ModerationState)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A moment in time, always stored and returned as UTC, on SQLite and PostgreSQL alike.

    PostgreSQL keeps ``timestamptz``; SQLite has no time zones, so the value is
    stored as naive UTC and given its time zone back when read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Store times with a time zone (use datetime.now(timezone.utc)).")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class Agency(Model):
    __tablename__ = "agencies"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    short_name: Mapped[str] = mapped_column(String(20), unique=True)
    sector: Mapped[str] = mapped_column(String(40))
    # Told at once of a safeguarding concern raised on this agency's return.
    safeguarding_lead_email: Mapped[str | None] = mapped_column(String(254))
    # A retired agency is not offered for new cases or returns; its returns and history stay.
    retired: Mapped[bool] = mapped_column(default=False)


class User(UserMixin, Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Raised on sign-out, password change and disabling: every session signed with an older value ends.
    session_version: Mapped[int] = mapped_column(default=1)
    mfa_secret: Mapped[str | None] = mapped_column(String(64))  # base32 TOTP secret, once set up
    recovery_codes: Mapped[list[str]] = mapped_column(JSON, default=list)  # SHA-256 of each unused code
    last_totp_step: Mapped[int | None]  # a code is accepted once only

    agency: Mapped[Agency | None] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r.role for r in self.role_rows)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def get_id(self) -> str:
        """What the session cookie holds: the id and session version, so an old cookie stops working."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active


class Invitation(Model):
    """A single-use link to set a first password; only its SHA-256 is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class AuthenticatorDraft(Model):
    """A new authenticator key shown to one browser while its owner scans it, kept here rather than
    in the session cookie: the cookie holds only a random reference, of which this keeps the SHA-256.
    Not hashed itself, because the page must show it again; gone once used, or after a short while."""

    __tablename__ = "authenticator_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reference_hash: Mapped[str] = mapped_column(String(64), unique=True)
    secret: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class SignInFailure(Model):
    """A try at signing in, recorded before its password or code is checked and removed if it was
    right: what is left are the failures that throttling counts, across every process."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    ip: Mapped[str] = mapped_column(String(45), index=True)
    # HMAC of the address as typed, normalised: known account or not, and never the address itself
    account_key: Mapped[str] = mapped_column(String(64), index=True)


class UserRole(Model):
    __tablename__ = "user_roles"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="known_role"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class Tool(Model):
    __tablename__ = "tools"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))

    versions: Mapped[list[ToolVersion]] = relationship(back_populates="tool", order_by="ToolVersion.version")


class ToolVersion(Model):
    __tablename__ = "tool_versions"
    __table_args__ = (
        UniqueConstraint("tool_id", "version"),
        CheckConstraint(_in("status", TOOL_STATES), name="known_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("tools.id"))
    version: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default=ToolState.DRAFT)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tool: Mapped[Tool] = relationship(back_populates="versions")


class Audit(Model):
    __tablename__ = "audits"
    __table_args__ = (CheckConstraint(_in("state", AUDIT_STATES), name="known_state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(100))
    year: Mapped[int]
    purpose: Mapped[str] = mapped_column(Text, default="")
    scope: Mapped[str] = mapped_column(Text, default="")
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    returns_due: Mapped[date | None]
    panel_due: Mapped[date | None]
    tool_version_id: Mapped[int] = mapped_column(ForeignKey("tool_versions.id"))
    state: Mapped[str] = mapped_column(String(20), default=AuditState.SETUP)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The lead coordinator, told of the audit's concerns and returns; None: every coordinator is told.
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    tool_version: Mapped[ToolVersion] = relationship()
    cases: Mapped[list[Case]] = relationship(back_populates="audit", order_by="Case.reference")
    coordinator: Mapped[User | None] = relationship()

    @property
    def title_with_year(self) -> str:
        """ "Neglect audit (2026)", or the title alone when it already names its year."""
        return self.title if str(self.year) in self.title else f"{self.title} ({self.year})"


class Case(Model):
    """A sampled child's case, known only by a pseudonymous reference: never a name or birth date."""

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), index=True)
    reference: Mapped[str] = mapped_column(String(40))

    __table_args__ = (
        # A reference is unique within its audit whatever its case ("na-1" is "NA-1"), even under concurrent imports.
        Index("uq_cases_audit_id_lower_reference", "audit_id", func.lower(reference), unique=True),
        UniqueConstraint("id", "audit_id"),  # the key a return's copy of the audit refers to
    )
    age_years: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    age_band: Mapped[str] = mapped_column(String(20), default="")
    locality: Mapped[str] = mapped_column(String(80), default="")
    plan_type: Mapped[str] = mapped_column(String(120), default="")
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The supplying agency's own case number, sealed (audit_tools/privacy/case_numbers.py); "" once retention ran.
    own_number: Mapped[str] = mapped_column(Text, default="")
    # No foreign key: a second path from cases to agencies would make every Return-Case-Agency join ambiguous.
    # Agencies are retired, never deleted, so the id stays good.
    own_number_agency_id: Mapped[int | None]
    sampling_id: Mapped[int | None] = mapped_column(ForeignKey("samplings.id", ondelete="SET NULL"), index=True)
    stratum: Mapped[str] = mapped_column(String(200), default="")
    included: Mapped[bool] = mapped_column(default=True)
    exclusion_reason: Mapped[str] = mapped_column(Text, default="")

    audit: Mapped[Audit] = relationship(back_populates="cases")
    returns: Mapped[list[Return]] = relationship(back_populates="case", cascade="all, delete-orphan")


class Assignment(Model):
    """An auditor named to do an agency's returns on an audit (none named: any of its auditors may)."""

    __tablename__ = "assignments"

    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class AgencyExtension(Model):
    """A later returns-due date for one agency on one audit; without one the audit's own date applies."""

    __tablename__ = "agency_extensions"
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True)
    returns_due: Mapped[date]


class RescuedDraft(Model):
    """What an auditor typed when their session or form had expired, kept until they sign in again.

    Kept only for the auditor a signed rescue token names, and only that auditor may bring it back.
    A superseded draft is emptied but stays until it expires: it still counts against its address."""

    __tablename__ = "rescued_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    form: Mapped[list[Any]] = mapped_column(JSON)
    fields: Mapped[list[str]] = mapped_column(JSON)  # the fields the form contained, from the signed token
    address_digest: Mapped[str] = mapped_column(String(64), index=True)  # keyed digest, never the address
    superseded: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class SampleFrame(Model):
    """A list of candidate cases as imported, kept so the sample can be drawn again and checked."""

    __tablename__ = "sample_frames"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int]
    columns: Mapped[list[str]] = mapped_column(JSON)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The agency whose own case numbers the rows hold, sealed (None: not kept).
    own_number_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="SET NULL"))

    rows: Mapped[list[FrameRow]] = relationship(cascade="all, delete-orphan", order_by="FrameRow.line")


class FrameRow(Model):
    """One candidate case: a pseudonymous reference and its attributes, never a name or birth date."""

    __tablename__ = "frame_rows"
    __table_args__ = (UniqueConstraint("frame_id", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    frame_id: Mapped[int] = mapped_column(ForeignKey("sample_frames.id", ondelete="CASCADE"), index=True)
    line: Mapped[int]
    reference: Mapped[str] = mapped_column(String(40))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    own_number: Mapped[str] = mapped_column(Text, default="")  # sealed; see Case.own_number


class StagedFrame(Model):
    """An uploaded frame between upload and import, without any column that identifies a person.

    Only what ``frame_mapping.stage_table`` kept: identifying columns were left out as the file was
    read, dates of birth are ages, and single cells that looked like personal details are blank.
    Deleted when the frame is imported, when the same coordinator uploads another, or after a day."""

    __tablename__ = "staged_frames"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    upload_file: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    columns: Mapped[list[str]] = mapped_column(JSON)
    rows: Mapped[list[Any]] = mapped_column(JSON)  # [line, [value per column]]
    left_out: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [column, reason]: never a value
    derived_ages: Mapped[list[str]] = mapped_column(JSON, default=list)  # columns of ages worked out from a date
    findings: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [line, column, kind in words]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class FrameSource(Model):
    """A named export a frame comes from, with the mapping last used for it ("Our CP export")."""

    __tablename__ = "frame_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(120), unique=True)
    roles: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # column → ColumnRole
    not_agencies: Mapped[list[str]] = mapped_column(JSON, default=list)  # normalised names that are no agency
    numbers_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class AgencyAlias(Model):
    """Another way a partnership's system writes an agency's name ("Social Care" for CSC), normalised."""

    __tablename__ = "agency_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(120), unique=True)


class Sampling(Model):
    """How a sample was drawn: enough to draw exactly the same sample again."""

    __tablename__ = "samplings"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), index=True)
    frame_id: Mapped[int] = mapped_column(ForeignKey("sample_frames.id"))
    method: Mapped[str] = mapped_column(String(20))
    size: Mapped[int]
    strata: Mapped[list[str]] = mapped_column(JSON, default=list)
    allocation: Mapped[str] = mapped_column(String(20), default="proportional")
    minimum_per_stratum: Mapped[int] = mapped_column(default=0)
    manual_references: Mapped[list[str]] = mapped_column(JSON, default=list)
    seed: Mapped[int] = mapped_column(BigInteger)
    statement: Mapped[str] = mapped_column(Text)
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    frame: Mapped[SampleFrame] = relationship()


class Return(Model):
    """One agency's audit of one case. ``version`` guards against overwriting a newer save.

    A return carries its case's audit and whether its answers count (submitted or accepted), and
    passes both on to its answers with its agency: the analysis then finds an audit's counted answers
    with a plain condition on the answers table (docs/DECISIONS.md). The keys keep every copy equal to
    its source: the return's audit to its case's, each answer's three to its return's (the database
    carries a change of state on to the answers), and a check keeps ``counted`` true to ``state``.
    """

    __tablename__ = "returns"
    __table_args__ = (
        UniqueConstraint("case_id", "agency_id"),
        UniqueConstraint("id", "agency_id", "audit_id", "counted"),  # the key an answer's copies refer to
        ForeignKeyConstraint(
            ["case_id", "audit_id"], ["cases.id", "cases.audit_id"], ondelete="CASCADE", onupdate="CASCADE"
        ),
        CheckConstraint(_in("state", RETURN_STATES), name="known_state"),
        CheckConstraint(f"counted = ({_in('state', COUNTED_STATES)})", name="counted_follows_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(index=True)
    audit_id: Mapped[int]
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    auditor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    state: Mapped[str] = mapped_column(String(20), default=ReturnState.DRAFT)
    counted: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    amendment_reason: Mapped[str] = mapped_column(Text, default="")  # why the coordinator returned it
    no_involvement_reason: Mapped[str] = mapped_column(Text, default="")  # why the agency has nothing to audit

    case: Mapped[Case] = relationship(back_populates="returns")
    agency: Mapped[Agency] = relationship()
    auditor: Mapped[User | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(back_populates="ret", cascade="all, delete-orphan")
    notes: Mapped[list[EvidenceNote]] = relationship(cascade="all, delete-orphan", passive_deletes=True)

    __mapper_args__ = {"version_id_col": version}

    @validates("state")
    def _count_when_submitted(self, _key: str, state: str) -> str:
        self.counted = state in COUNTED_STATES
        return state

    def answer(self, **fields: Any) -> Answer:
        """A new answer to this return. The ORM copies the return's key, agency, audit and whether it counts
        when it writes the answer, after any change to the return itself, so the copies always match."""
        return Answer(ret=self, **fields)


class Concern(Model):
    """A current safeguarding concern an auditor raised on a return: raised, acknowledged by a coordinator
    (saying what they did), then closed. What was done is the people's own words: it is shown to the
    coordinator and never written to a log, the audit trail or an e-mail."""

    __tablename__ = "concerns"
    __table_args__ = (
        UniqueConstraint("return_id", "question_key"),  # one concern per return and question
        CheckConstraint(_in("state", CONCERN_STATES), name="known_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id", ondelete="CASCADE"), index=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    question_key: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20), default=ConcernState.RAISED)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    what_was_done: Mapped[str] = mapped_column(Text, default="")
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    action_taken: Mapped[str] = mapped_column(Text, default="")  # the coordinator's action on acknowledging
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    ret: Mapped[Return] = relationship()
    audit: Mapped[Audit] = relationship()
    agency: Mapped[Agency] = relationship()
    raised_by: Mapped[User | None] = relationship(foreign_keys=[raised_by_id])
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])


class Answer(Model):
    """One answered question; a multiple choice has one row per chosen option (``ordinal``)."""

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("return_id", "question_key", "ordinal"),
        Index("ix_answers_question_key_return_id", "question_key", "return_id"),  # the analysis reads a few questions
        # Copies of the return's agency, audit and whether it counts, kept equal to the return's by the key
        # on all four columns (a submission's change of ``counted`` cascades); the ORM fills them.
        ForeignKeyConstraint(
            ["return_id", "agency_id", "audit_id", "counted"],
            ["returns.id", "returns.agency_id", "returns.audit_id", "returns.counted"],
            ondelete="CASCADE",
            onupdate="CASCADE",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int]
    agency_id: Mapped[int]
    audit_id: Mapped[int] = mapped_column(index=True)
    counted: Mapped[bool]
    question_key: Mapped[str] = mapped_column(String(60))
    ordinal: Mapped[int] = mapped_column(default=0)
    value: Mapped[str] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)  # SQLAlchemy 2.1 maps a bare float to Double

    ret: Mapped[Return] = relationship(back_populates="answers")


class EvidenceNote(Model):
    """What in the agency's records supports one answer: free text, kept beside the answer, not in it."""

    __tablename__ = "evidence_notes"
    __table_args__ = (UniqueConstraint("return_id", "question_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id", ondelete="CASCADE"), index=True)
    question_key: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)


class PanelRecord(Model):
    """What the multi-agency panel agreed about one case, after reading every agency's return."""

    __tablename__ = "panel_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    agreed_grade: Mapped[str] = mapped_column(String(40), default="")  # an option value of the overall question
    rationale: Mapped[str] = mapped_column(Text, default="")
    dissent: Mapped[str] = mapped_column(Text, default="")
    learning: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    case: Mapped[Case] = relationship()

    __mapper_args__ = {"version_id_col": version}


class Theme(Model):
    """A theme of the partnership's codebook, which lives across audits so that themes can recur."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    category: Mapped[str] = mapped_column(String(60), default="")


class Coding(Model):
    """An excerpt of an audit's free text coded to a theme. Only confirmed codings are ever counted."""

    __tablename__ = "codings"
    __table_args__ = (
        UniqueConstraint("audit_id", "source", "source_key", "theme_id"),
        CheckConstraint(_in("source", CODING_SOURCES), name="known_source"),
        CheckConstraint(_in("status", CODING_STATES), name="known_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))  # None: the panel's own text
    source: Mapped[str] = mapped_column(String(20))
    source_key: Mapped[str] = mapped_column(String(120))  # "<return id>:<question key>" or "<case id>"
    excerpt: Mapped[str] = mapped_column(Text)  # the text as it was when coded
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="suggested")
    matched: Mapped[list[str]] = mapped_column(JSON, default=list)  # the words that made the suggestion
    coded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    coded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    theme: Mapped[Theme] = relationship()
    case: Mapped[Case] = relationship()
    agency: Mapped[Agency | None] = relationship()


learning_point_themes = Table(
    "learning_point_themes",
    db.metadata,
    Column("learning_point_id", ForeignKey("learning_points.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)


class LearningPoint(Model):
    __tablename__ = "learning_points"
    __table_args__ = (CheckConstraint(_in("audience", AUDIENCES), name="known_audience"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), index=True)
    audience: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(default=0)

    themes: Mapped[list[Theme]] = relationship(secondary=learning_point_themes, order_by="Theme.name")


class RecommendationCategory(Model):
    """The editable list recommendations are filed under (communication, workforce development, …)."""

    __tablename__ = "recommendation_categories"

    slug: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    position: Mapped[int] = mapped_column(default=0)


class Recommendation(Model):
    """A recommendation and its action: the action plan outlives the audit that made it."""

    __tablename__ = "recommendations"
    __table_args__ = (CheckConstraint(_in("rag", RAG_STATES), name="known_rag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(40), default="")  # a RecommendationCategory slug
    lead_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    timeframe: Mapped[str] = mapped_column(String(120), default="")  # as the briefing says it, "By March 2027"
    due_date: Mapped[date | None]
    rag: Mapped[str] = mapped_column(String(10), default="amber")
    position: Mapped[int] = mapped_column(default=0)

    lead_agency: Mapped[Agency | None] = relationship()
    updates: Mapped[list[ActionUpdate]] = relationship(cascade="all, delete-orphan", order_by="ActionUpdate.at.desc()")


class ActionUpdate(Model):
    """A dated note of progress on a recommendation, with the RAG status it was given then."""

    __tablename__ = "action_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    rag: Mapped[str] = mapped_column(String(10))

    by: Mapped[User | None] = relationship(lazy="joined")  # read with the update: one query for a whole list


class Briefing(Model):
    """One version of an audit's learning briefing. Once published it never changes: its PDF and
    web page are kept as they were, with the PDF's SHA-256; a later version is a new row."""

    __tablename__ = "briefings"
    __table_args__ = (
        UniqueConstraint("audit_id", "number"),
        CheckConstraint(_in("state", BRIEFING_STATES), name="known_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(default=1)  # version 1, 2, … of this audit's briefing
    state: Mapped[str] = mapped_column(String(20), default=BriefingState.DRAFT)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)  # audit_tools.briefing.content.content_to_dict
    overrides: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # disclosure hits let through, why
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    html: Mapped[str | None] = mapped_column(Text, deferred=True)
    sha256: Mapped[str | None] = mapped_column(String(64))
    lock_version: Mapped[int] = mapped_column(default=1)
    # A published version given a public address (issue 19): anyone with it may read that version, unsigned.
    public_token: Mapped[str | None] = mapped_column(String(40), unique=True)

    audit: Mapped[Audit] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])

    __mapper_args__ = {"version_id_col": lock_version}


class Logo(Model):
    """The partnership's logo for briefings (PNG or JPEG, checked and size-limited on upload)."""

    __tablename__ = "logos"

    id: Mapped[int] = mapped_column(primary_key=True)
    mimetype: Mapped[str] = mapped_column(String(20))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int]
    height: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEvent(Model):
    """Append-only trail of who did what; nothing in the app edits or deletes these rows."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None]
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Each row seals the one before it: HMAC-SHA256 (key outside the database) over the previous
    # seal, this row's facts and payload_digest, so a purged payload leaves the seal intact.
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")
    payload_digest: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[User | None] = relationship()


class Setting(Model):
    """Partnership-wide settings (name, series title, definition, resources)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class Notification(Model):
    """One message in the ledger: to whom, what kind, about which object, and whether it went.

    ``key`` names the message (e.g. ``return-due:week:42:7``): the unique key means the same message
    is never recorded, so never sent, twice. The subject and body carry pseudonymous case references
    and links only; with no MAIL_SERVER the message is kept here (the admin's outbox page)."""

    __tablename__ = "notifications"
    __table_args__ = (CheckConstraint(_in("state", NOTIFICATION_STATES), name="known_state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    to_email: Mapped[str] = mapped_column(String(254))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None]
    subject: Mapped[str] = mapped_column(String(250))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default=NotificationState.WAITING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship()


# ------------------------------------------------------------------ moderation (issue 21)


class ModerationSample(Model):
    """How an audit's moderation sample was drawn: the rate, the minimum and the seed, enough to draw it again."""

    __tablename__ = "moderation_samples"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), unique=True)
    rate_percent: Mapped[int]
    minimum: Mapped[int]
    seed: Mapped[int] = mapped_column(BigInteger)
    pool_size: Mapped[int]  # how many submitted returns it was drawn from
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    moderations: Mapped[list[Moderation]] = relationship(
        back_populates="sample", cascade="all, delete-orphan", order_by="Moderation.id"
    )


class Moderation(Model):
    """One sampled return, graded again blind by a moderator, then reconciled by the coordinator."""

    __tablename__ = "moderations"
    __table_args__ = (CheckConstraint(_in("state", MODERATION_STATES), name="known_state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("moderation_samples.id", ondelete="CASCADE"), index=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("returns.id", ondelete="CASCADE"), unique=True)
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=ModerationState.ASSIGNED)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reconciled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reconciled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sample: Mapped[ModerationSample] = relationship(back_populates="moderations")
    ret: Mapped[Return] = relationship()
    moderator: Mapped[User | None] = relationship(foreign_keys=[moderator_id])
    grades: Mapped[list[ModerationGrade]] = relationship(
        back_populates="moderation", cascade="all, delete-orphan", order_by="ModerationGrade.id"
    )


class ModerationGrade(Model):
    """One graded question of a moderated return: the first grade (kept as it was when the moderator
    submitted), the moderator's, and, where they differed, the agreed grade and why. "" is no grade."""

    __tablename__ = "moderation_grades"
    __table_args__ = (UniqueConstraint("moderation_id", "question_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    moderation_id: Mapped[int] = mapped_column(ForeignKey("moderations.id", ondelete="CASCADE"), index=True)
    question_key: Mapped[str] = mapped_column(String(60))
    first_value: Mapped[str] = mapped_column(String(60), default="")
    second_value: Mapped[str] = mapped_column(String(60), default="")
    agreed_value: Mapped[str] = mapped_column(String(60), default="")
    reason: Mapped[str] = mapped_column(Text, default="")

    moderation: Mapped[Moderation] = relationship(back_populates="grades")


class CalibrationExercise(Model):
    """Before an audit opens, every auditor grades one short fictional case with its tool; the coordinator
    sees the spread and records what was agreed. Kept with the audit."""

    __tablename__ = "calibration_exercises"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), unique=True)
    summary: Mapped[str] = mapped_column(Text)  # the fictional case, as the coordinator wrote it
    agreed: Mapped[str] = mapped_column(Text, default="")  # what the auditors agreed, once they have met
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # set when what was agreed is recorded

    audit: Mapped[Audit] = relationship()


class CalibrationGrade(Model):
    """One auditor's answer to one graded question of the calibration case."""

    __tablename__ = "calibration_grades"
    __table_args__ = (UniqueConstraint("exercise_id", "user_id", "question_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("calibration_exercises.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_key: Mapped[str] = mapped_column(String(60))
    value: Mapped[str] = mapped_column(String(60))


# ------------------------------------------------------------------ coding reliability (issue 21)


class CodingSample(Model):
    """An audit's coding-reliability sample: a share of its excerpts drawn with a recorded seed, coded again
    blind by a second coder, then the differences settled side by side. The state follows ModerationState:
    assigned (the second coder codes blind), submitted (both codings in), reconciled."""

    __tablename__ = "coding_samples"
    __table_args__ = (CheckConstraint(_in("state", MODERATION_STATES), name="known_state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), unique=True)
    rate_percent: Mapped[int]
    minimum: Mapped[int]
    seed: Mapped[int] = mapped_column(BigInteger)
    pool_size: Mapped[int]  # how many excerpts it was drawn from
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=ModerationState.ASSIGNED)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reconciled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reconciled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    audit: Mapped[Audit] = relationship()
    coder: Mapped[User | None] = relationship(foreign_keys=[coder_id])
    items: Mapped[list[CodingSampleItem]] = relationship(
        back_populates="sample", cascade="all, delete-orphan", order_by="CodingSampleItem.id"
    )


class CodingSampleItem(Model):
    """One sampled excerpt (its text as drawn) and the themes (by key) each coder gave it: the first coder's
    confirmed themes copied when the second coding is submitted, the second coder's, and the agreed ones once
    reconciled (None until then). Both originals are kept."""

    __tablename__ = "coding_sample_items"
    __table_args__ = (UniqueConstraint("sample_id", "source", "source_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("coding_samples.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(20))
    source_key: Mapped[str] = mapped_column(String(120))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    place: Mapped[str] = mapped_column(String(300), default="")  # "Children's Social Care, question 3.2"
    excerpt: Mapped[str] = mapped_column(Text)
    first_themes: Mapped[list[int]] = mapped_column(JSON, default=list)
    second_themes: Mapped[list[int]] = mapped_column(JSON, default=list)
    agreed_themes: Mapped[list[int] | None] = mapped_column(JSON)

    sample: Mapped[CodingSample] = relationship(back_populates="items")
    case: Mapped[Case] = relationship()
