"""The mapping step of a frame import: staged uploads, named sources with their mapping, agency aliases."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, select

from audit_app.data.audits import case_references
from audit_app.data.events import record_event
from audit_app.data.sampling import import_frame
from audit_app.data.settings import get_setting, set_setting
from audit_app.extensions import db
from audit_app.models import Agency, AgencyAlias, Audit, Case, FrameSource, SampleFrame, StagedFrame, User, utcnow
from audit_tools.privacy.case_numbers import open_case_number
from audit_tools.sampling import (
    UPLOAD_COLUMNS,
    CandidateCase,
    FrameChecks,
    FrameError,
    candidate_cases,
    frame_row_of,
    read_table,
)
from audit_tools.sampling import FrameRow as CaseRow
from audit_tools.sampling.frame_mapping import (
    DEFAULT_BANDS,
    NOT_AN_AGENCY,
    ColumnRole,
    FrameMapping,
    LeftOut,
    StagedTable,
    agency_lookup,
    band_function,
    finding_problems,
    mapped_table,
    mapping_problems,
    normalise_agency,
    stage_table,
    suggested_mapping,
    unmatched_agencies,
)
from audit_tools.sampling.frame_scan import CLOSING, ScanMemo
from audit_tools.states import Role

STAGED_FOR = timedelta(days=1)


def stage_upload(audit: Audit, user: User, filename: str, digest: str, staged: StagedTable) -> StagedFrame:
    """Keep a staged upload (nothing identifying is in it) until it is mapped; older ones go."""
    db.session.execute(
        delete(StagedFrame).where(
            (StagedFrame.created_at < utcnow() - STAGED_FOR)
            | ((StagedFrame.audit_id == audit.id) & (StagedFrame.user_id == user.id))
        )
    )
    row = StagedFrame(
        audit_id=audit.id,
        user_id=user.id,
        upload_file=filename[:255],
        sha256=digest,
        columns=list(staged.columns),
        rows=[[line, list(values)] for line, values in staged.rows],
        left_out=[[o.column, o.reason] for o in staged.left_out],
        derived_ages=list(staged.birth_columns),
        findings=[list(f) for f in staged.findings],
    )
    db.session.add(row)
    db.session.flush()
    return row


def staged_upload(audit: Audit, user: User, staged_id: int) -> StagedFrame | None:
    """A staged upload, only to the coordinator who uploaded it."""
    return db.session.scalar(
        select(StagedFrame).where(
            StagedFrame.id == staged_id, StagedFrame.audit_id == audit.id, StagedFrame.user_id == user.id
        )
    )


def staged_table(row: StagedFrame) -> StagedTable:
    return StagedTable(
        tuple(row.columns),
        tuple((line, tuple(values)) for line, values in row.rows),
        tuple(LeftOut(column, reason) for column, reason in row.left_out),
        tuple(row.derived_ages),
        tuple((line, column, words) for line, column, words in row.findings),
        "Row" if row.upload_file.lower().endswith(".xlsx") else "Line",
    )


def partnership_agencies() -> list[Agency]:
    return list(db.session.scalars(select(Agency).where(Agency.retired.is_(False)).order_by(Agency.name)))


def agency_names() -> dict[str, str]:
    """Normalised agency name → short name: each agency's short name, full name and aliases."""
    aliases: dict[int, list[str]] = {}
    for agency_id, alias in db.session.execute(select(AgencyAlias.agency_id, AgencyAlias.alias)):
        aliases.setdefault(agency_id, []).append(alias)
    return agency_lookup((a.short_name, [a.name, *aliases.get(a.id, [])]) for a in partnership_agencies())


def list_sources() -> list[FrameSource]:
    return list(db.session.scalars(select(FrameSource).order_by(FrameSource.label)))


def get_source(source_id: int | None) -> FrameSource | None:
    return db.session.get(FrameSource, source_id) if source_id else None


def source_mapping(source: FrameSource | None) -> tuple[dict[str, str], dict[str, str]]:
    """The remembered roles, and the names remembered as not an agency."""
    if source is None:
        return {}, {}
    return dict(source.roles), dict.fromkeys(source.not_agencies, NOT_AN_AGENCY)


def age_bands() -> tuple[tuple[int, str], ...]:
    """The partnership's age bands as (upper age in whole years, exclusive; label)."""
    saved = get_setting("age_bands")
    return tuple((int(upper), str(label)) for upper, label in saved) if saved else DEFAULT_BANDS


def import_mapped(
    audit: Audit,
    staged: StagedTable,
    mapping: FrameMapping,
    *,
    filename: str,
    digest: str,
    user: User | None,
    pseudonym_key: bytes | None,
    numbers_agency: Agency | None = None,
    number_key: str | None = None,
    scan_memo: ScanMemo | None = None,
) -> SampleFrame:
    """Check the mapping and every row in one pass, then import; FrameError lists every problem.

    ``scan_memo``: the values of this upload already scanned for personal details (when staged in this request).
    """
    scan_memo = {} if scan_memo is None else scan_memo
    columns, candidates = _checked_candidates(
        staged, mapping, ask_unmatched=True, pseudonym_key=pseudonym_key, scan_memo=scan_memo
    )
    return import_frame(
        audit,
        filename,
        b"",
        columns,
        candidates,
        user,
        digest=digest,
        numbers_agency=numbers_agency if mapping.column_for(ColumnRole.CASE_NUMBER) else None,
        number_key=number_key,
        scan_memo=scan_memo,
    )


def row_word_of(filename: str) -> str:
    """How problems name a place in the file: a spreadsheet's rows, a CSV file's lines."""
    return "Row" if filename.lower().endswith(".xlsx") else "Line"


def import_export(
    audit: Audit,
    data: bytes,
    filename: str,
    source: FrameSource | None,
    *,
    max_bytes: int,
    user: User | None,
    pseudonym_key: bytes | None,
    number_key: str | None,
) -> tuple[SampleFrame, StagedTable]:
    """A frame file imported in one step, with nobody to ask (the command line): staged as an upload is (what
    identifies a person left out, dates of birth made ages), its columns' meanings those remembered for
    ``source`` or else suggested by their names, then checked and imported. TableError or FrameError lists
    every problem; an agency name nobody has matched is one of them."""
    table = read_table(data, filename, max_bytes=max_bytes, keep_identifying=True)
    memo: ScanMemo = {}
    staged = stage_table(table, date.today(), row_word=row_word_of(filename), memo=memo)
    del table  # nothing that identifies a person outlives this line
    roles, not_agencies = source_mapping(source)
    mapping = FrameMapping(suggested_mapping(staged, roles).roles, not_agencies)
    frame = import_mapped(
        audit,
        staged,
        mapping,
        filename=filename,
        digest=hashlib.sha256(data).hexdigest(),
        user=user,
        pseudonym_key=pseudonym_key,
        numbers_agency=numbers_agency_of(source),
        number_key=number_key,
        scan_memo=memo,
    )
    return frame, staged


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def source_named(label: str) -> FrameSource | None:
    """The remembered source called ``label``; None for any name the mapping page could not have saved: empty,
    too long, with a NUL (PostgreSQL would refuse to compare it) or with a lone surrogate (a command line's
    byte that is not UTF-8, which no database driver can send)."""
    label = label.strip()
    if not label or "\x00" in label or len(label) > FrameSource.label.type.length or not _encodable(label):
        return None
    return db.session.scalar(select(FrameSource).where(FrameSource.label == label))


def mapped_case_rows(
    audit: Audit,
    staged: StagedTable,
    remembered: dict[str, str] | None = None,
    *,
    require_agencies: bool,
    scan_memo: ScanMemo | None = None,
) -> list[CaseRow]:
    """For "Upload cases": the staged file under a remembered source's roles or those suggested from its
    column names, checked like a frame (agency names and aliases matched, the partnership's bands) plus the
    columns a case needs."""
    mapping = suggested_mapping(staged, remembered)
    _columns, candidates = _checked_candidates(
        staged,
        mapping,
        ask_unmatched=False,  # nobody is asked: a name nobody matched is refused by line, with the agencies known
        existing_references=case_references(audit),
        require_agencies=require_agencies,
        required_columns=UPLOAD_COLUMNS,
        scan_memo=scan_memo,
    )
    return [frame_row_of(c) for c in candidates]


def _checked_candidates(
    staged: StagedTable, mapping: FrameMapping, *, ask_unmatched: bool, **checks: Any
) -> tuple[tuple[str, ...], list[CandidateCase]]:
    """The mapped rows checked in one pass (``checks``: more ``FrameChecks`` fields); FrameError lists every problem."""
    lookup = agency_names()
    found = finding_problems(staged, mapping)
    problems = [p for p in mapping_problems(staged, mapping) if p not in found and p != CLOSING]
    unmatched = unmatched_agencies(staged, mapping, lookup) if ask_unmatched else []
    if unmatched:
        problems.append(
            "Say which agency each of these names is, or that it is not an agency: "
            + ", ".join(f"{name!r} ({rows:,} row{'s' if rows != 1 else ''})" for name, rows in unmatched)
            + "."
        )
    if problems:  # the mapping itself must be chosen again; the cells found are said now all the same
        raise FrameError(problems + ([*found, CLOSING] if found else []))
    columns, rows = mapped_table(staged, mapping, lookup)
    bands = age_bands()
    frame_checks = FrameChecks(
        known_agencies={a.short_name for a in partnership_agencies()},
        age_bands=None if mapping.column_for(ColumnRole.AGE_BAND) else tuple(label for _, label in bands),
        band_of=band_function(bands),
        row_word=staged.row_word,
        **checks,
    )
    try:  # the cells blanked when staged are said with every other problem: nothing waits for a second upload
        candidates = candidate_cases(columns, rows, frame_checks)
    except FrameError as error:
        if not found:
            raise
        raise FrameError(found + [p for p in error.problems if p != CLOSING] + [CLOSING]) from None
    if found:
        raise FrameError([*found, CLOSING])
    return columns, candidates


def numbers_agency_of(source: FrameSource | None) -> Agency | None:
    """The agency whose own case numbers a remembered source keeps (sealed), if any."""
    return db.session.get(Agency, source.numbers_agency_id) if source and source.numbers_agency_id else None


def get_agency(short_name: str) -> Agency | None:
    return db.session.scalar(select(Agency).where(Agency.short_name == short_name)) if short_name else None


def remember(label: str, mapping: FrameMapping, user: User, numbers_agency: Agency | None = None) -> FrameSource:
    """Keep the mapping under the source's name, and each agency chosen for a name as that agency's alias."""
    source = db.session.scalar(select(FrameSource).where(FrameSource.label == label))
    if source is None:
        source = FrameSource(label=label)
        db.session.add(source)
    source.roles = {column: str(role) for column, role in mapping.roles.items()}
    source.not_agencies = sorted(name for name, short in mapping.agencies.items() if short == NOT_AN_AGENCY)
    source.numbers_agency_id = numbers_agency.id if numbers_agency else None
    save_aliases(mapping.agencies)
    db.session.flush()
    record_event("frame_source.saved", "frame_source", source.id, user=user, after={"columns": len(source.roles)})
    return source


def save_aliases(choices: dict[str, str]) -> None:
    """Each agency name matched by hand becomes an alias of its agency, so it is matched from then on."""
    by_short = {a.short_name: a for a in partnership_agencies()}
    known = set(db.session.scalars(select(AgencyAlias.alias)))
    for name, short in choices.items():
        alias = normalise_agency(name)[:120]
        if short in by_short and alias and alias not in known:
            db.session.add(AgencyAlias(agency_id=by_short[short].id, alias=alias))
            known.add(alias)
    db.session.flush()


def discard_staged(row: StagedFrame) -> None:
    db.session.delete(row)
    db.session.flush()


def may_see_case_number(case: Case, user: User) -> bool:
    """A coordinator, or an auditor of the agency whose number it is and which has a return on the case."""
    if not case.own_number or case.own_number_agency_id is None:
        return False
    if user.has_role(Role.COORDINATOR):
        return True
    return (
        user.has_role(Role.AUDITOR)
        and user.agency_id == case.own_number_agency_id
        and any(r.agency_id == user.agency_id for r in case.returns)
    )


def case_number(case: Case, user: User, key: str | None) -> str | None:
    """The agency's own case number for a case, opened for someone allowed to see it (the look is recorded)."""
    if key is None or not may_see_case_number(case, user):
        return None
    number = open_case_number(case.own_number, key)
    if number is not None:
        record_event("case_number.viewed", "case", case.id, user=user)
    return number


def set_age_bands(bands: tuple[tuple[int, str], ...], user: User) -> None:
    set_setting("age_bands", [[upper, label] for upper, label in bands])
    record_event("settings.age_bands", "setting", None, user=user, after={"bands": len(bands)})
