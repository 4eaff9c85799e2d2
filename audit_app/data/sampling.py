"""Sample frames and samples: importing a frame, drawing a reproducible sample, excluding and replacing cases."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from decimal import Decimal
from typing import cast

from sqlalchemy import Table, insert, select

from audit_app.data.events import record_event
from audit_app.extensions import db
from audit_app.models import Agency, Audit, Case, FrameRow, Return, SampleFrame, Sampling, User
from audit_tools.errors import WorkbenchError
from audit_tools.files.collector import collector_paused
from audit_tools.privacy.case_numbers import seal_case_number
from audit_tools.sampling import (
    CandidateCase,
    FrameCase,
    FrameError,
    Sample,
    SamplingPlan,
    age_band,
    draw_replacement,
    draw_sample,
    method_statement,
    personal_details,
)
from audit_tools.sampling.frame_scan import ScanMemo
from audit_tools.states import AuditState, ReturnState

STRATUM_LABELS = {"age_band": "age band", "plan_type": "plan type", "repeat_plan": "repeat plan"}
NOT_STRATA = ("age_years", "agencies")


class SamplingStateError(WorkbenchError):
    """The sample cannot be drawn or changed now; the message says why."""


@collector_paused()
def import_frame(
    audit: Audit,
    filename: str,
    data: bytes,
    columns: tuple[str, ...],
    candidates: list[CandidateCase],
    user: User | None,
    *,
    digest: str | None = None,
    numbers_agency: Agency | None = None,
    number_key: str | None = None,
    scan_memo: ScanMemo | None = None,
) -> SampleFrame:
    """Keep the frame as imported (file name, SHA-256, rows) so the sample can be drawn again and checked.

    Raises ``FrameError`` before anything is stored if any value looks like personal details: every
    way a frame comes in (the upload page, ``flask audits sample``) passes through here.
    """
    row_word = "Row" if filename.lower().endswith(".xlsx") else "Line"
    found = personal_details(
        ((c.line, {"reference": c.reference, **c.attributes}) for c in candidates),
        row_word=row_word,
        memo=scan_memo,
    )
    if found:
        raise FrameError(found)
    frame = SampleFrame(
        audit_id=audit.id,
        filename=filename[:255],
        sha256=digest or hashlib.sha256(data).hexdigest(),
        row_count=len(candidates),
        columns=[c for c in columns if c != "case_number"],
        imported_by_id=user.id if user else None,
    )
    keep_numbers = numbers_agency is not None and number_key is not None and any(c.own_number for c in candidates)
    frame.own_number_agency_id = numbers_agency.id if keep_numbers and numbers_agency else None
    db.session.add(frame)
    db.session.flush()
    db.session.execute(  # Core, not the ORM's bulk insert: its bookkeeping cost about 0.5 s for 50,000 rows
        insert(cast(Table, FrameRow.__table__)),
        [
            {
                "frame_id": frame.id,
                "line": c.line,
                "reference": c.reference,
                "attributes": c.attributes,
                "own_number": seal_case_number(c.own_number, number_key)
                if keep_numbers and number_key and c.own_number
                else "",
            }
            for c in candidates
        ],
    )
    record_event(
        "frame.imported",
        "audit",
        audit.id,
        user=user,
        # the file's kind, never its name: a name is typed free text and can name a child ("Smith_Jayden_CP.csv")
        after={"kind": _file_kind(filename), "sha256": frame.sha256, "rows": frame.row_count},
    )
    return frame


def _file_kind(filename: str) -> str:
    return "xlsx" if filename.lower().endswith(".xlsx") else "csv"


def latest_frame(audit: Audit) -> SampleFrame | None:
    return db.session.scalar(
        select(SampleFrame).where(SampleFrame.audit_id == audit.id).order_by(SampleFrame.id.desc()).limit(1)
    )


def stratifiable(frame: SampleFrame) -> list[str]:
    """The columns a sample can be stratified by."""
    return [c for c in frame.columns if c not in NOT_STRATA and c != "reference"]


def frame_cases(frame: SampleFrame) -> list[FrameCase]:
    rows = db.session.execute(select(FrameRow.reference, FrameRow.attributes).where(FrameRow.frame_id == frame.id))
    return [
        FrameCase(reference, tuple(sorted((k, str(v)) for k, v in attributes.items())))
        for reference, attributes in rows
    ]


def current_sampling(audit: Audit) -> Sampling | None:
    return db.session.scalar(
        select(Sampling).where(Sampling.audit_id == audit.id).order_by(Sampling.id.desc()).limit(1)
    )


def draw(
    audit: Audit, frame: SampleFrame, plan: SamplingPlan, seed: int, user: User | None, default_agencies: list[Agency]
) -> tuple[Sampling, Sample]:
    """Draw the sample and add its cases, each with returns from its agencies (or the defaults)."""
    if audit.state != AuditState.SETUP:
        raise SamplingStateError("A sample can only be drawn while the audit is being set up.")
    if current_sampling(audit) is not None:
        raise SamplingStateError("This audit already has a sample. Discard it before drawing another.")
    cases = frame_cases(frame)
    sample = draw_sample(cases, plan, seed)
    statement = method_statement(sample, strata_labels=STRATUM_LABELS)
    sampling = Sampling(
        audit_id=audit.id,
        frame_id=frame.id,
        method=plan.method,
        size=len(sample.chosen),
        strata=list(plan.strata),
        allocation=plan.allocation,
        minimum_per_stratum=plan.minimum_per_stratum,
        manual_references=list(plan.manual_references),
        seed=seed,
        statement=statement,
        drawn_by_id=user.id if user else None,
    )
    db.session.add(sampling)
    db.session.flush()
    _add_sampled_cases(audit, sampling, sample.chosen, plan, default_agencies)
    record_event(
        "sample.drawn",
        "audit",
        audit.id,
        user=user,
        after={"seed": seed, "method": plan.method, "references": [c.reference for c in sample.chosen]},
    )
    return sampling, sample


def _add_sampled_cases(
    audit: Audit, sampling: Sampling, chosen: Iterable[FrameCase], plan: SamplingPlan, defaults: list[Agency]
) -> None:
    agencies = {a.short_name.lower(): a for a in db.session.scalars(select(Agency))}
    chosen = list(chosen)
    sealed = select(FrameRow.reference, FrameRow.own_number).where(
        FrameRow.frame_id == sampling.frame_id,
        FrameRow.own_number != "",
        FrameRow.reference.in_([c.reference for c in chosen]),
    )
    numbers = {reference: number for reference, number in db.session.execute(sealed)}
    numbers_agency_id = sampling.frame.own_number_agency_id if numbers else None
    for frame_case in chosen:
        attributes = dict(frame_case.attributes)
        named = [agencies[n.strip().lower()] for n in attributes.get("agencies", "").split(";") if n.strip()]
        age = Decimal(attributes["age_years"]) if attributes.get("age_years") else None
        case = Case(
            audit_id=audit.id,
            reference=frame_case.reference,
            age_years=age,
            age_band=attributes.get("age_band") or (age_band(age) if age is not None else ""),
            locality=attributes.get("locality", "")[:80],
            plan_type=attributes.get("plan_type", "")[:120],
            attributes={k: v for k, v in attributes.items() if k not in ("locality", "plan_type", "agencies")},
            sampling_id=sampling.id,
            own_number=numbers.get(frame_case.reference, ""),
            own_number_agency_id=numbers_agency_id,
            stratum=" / ".join(frame_case.attribute(s) for s in plan.strata),
        )
        case.returns = [Return(agency=a) for a in (named or defaults)]
        db.session.add(case)
    db.session.flush()


def discard_sample(audit: Audit, user: User | None) -> None:
    """Remove the drawn cases while no work has started, so the sample can be drawn again."""
    sampling = current_sampling(audit)
    if sampling is None:
        raise SamplingStateError("There is no sample to discard.")
    cases = list(db.session.scalars(select(Case).where(Case.sampling_id == sampling.id)))
    if audit.state != AuditState.SETUP or any(
        r.state != ReturnState.DRAFT or r.answers for c in cases for r in c.returns
    ):
        raise SamplingStateError("Work has started on the sample, so it can no longer be discarded.")
    for case in cases:
        db.session.delete(case)
    record_event("sample.discarded", "audit", audit.id, user=user, before={"seed": sampling.seed})
    db.session.delete(sampling)
    db.session.flush()


def exclude_case(case: Case, reason: str, user: User | None) -> Case | None:
    """Take a sampled case out with a reason and draw its replacement from the same stratum (None if none is left)."""
    if not reason.strip():
        raise SamplingStateError("Give the reason for excluding the case.")
    if any(r.state != ReturnState.DRAFT or r.answers for r in case.returns):
        raise SamplingStateError(f"Work has started on case {case.reference}, so it cannot be excluded.")
    sampling = db.session.get(Sampling, case.sampling_id) if case.sampling_id else None
    if sampling is None:
        raise SamplingStateError(f"Case {case.reference} was not drawn by sampling, so it has no replacement.")
    agencies = [r.agency for r in case.returns]  # the replacement is asked of the same agencies
    case.included, case.exclusion_reason = False, reason.strip()
    for ret in list(case.returns):
        db.session.delete(ret)
    db.session.flush()
    replacement = _replacement(case, sampling, agencies)
    record_event(
        "case.excluded",
        "case",
        case.id,
        user=user,
        after={
            "reason_length": len(case.exclusion_reason),
            "replacement": replacement.reference if replacement else None,
        },
    )
    return replacement


def _replacement(case: Case, sampling: Sampling, agencies: list[Agency]) -> Case | None:
    audit = case.audit
    plan = SamplingPlan(
        sampling.method,
        sampling.size,
        tuple(sampling.strata),
        sampling.allocation,
        sampling.minimum_per_stratum,
        tuple(sampling.manual_references),
    )
    frame = frame_cases(sampling.frame)
    in_sample = list(db.session.scalars(select(Case).where(Case.sampling_id == sampling.id)))
    sample = Sample(
        plan=plan,
        seed=sampling.seed,
        frame_size=len(frame),
        chosen=tuple(f for f in frame if f.reference in {c.reference for c in in_sample}),
    )
    excluded = [c.reference for c in in_sample if not c.included]
    chosen = draw_replacement(frame, sample, excluded, sampling.seed, replacing=case.reference)
    if chosen is None:
        return None
    _add_sampled_cases(audit, sampling, (chosen,), plan, agencies)
    return db.session.scalar(select(Case).where(Case.audit_id == audit.id, Case.reference == chosen.reference))
