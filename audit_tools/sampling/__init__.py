"""From a sample frame to a sample: reading the coordinator's file, checking it holds no personal details,
pseudonymising references and drawing a reproducible stratified sample."""

from __future__ import annotations

from audit_tools.sampling.draw import (
    FrameCase,
    Sample,
    SamplingError,
    SamplingPlan,
    StratumResult,
    allocate,
    draw_replacement,
    draw_sample,
    method_statement,
    stratum_of,
)
from audit_tools.sampling.frame import (
    AGE_BANDS,
    REFERENCE_PATTERN,
    UPLOAD_COLUMNS,
    FrameRow,
    age_band,
    case_row,
    parse_age,
)
from audit_tools.sampling.frame_files import IDENTIFYING_COLUMNS, Table, TableError, read_table
from audit_tools.sampling.frame_rows import (
    CandidateCase,
    FrameChecks,
    FrameError,
    ProblemSummary,
    candidate_cases,
    frame_row_of,
    split_agencies,
)
from audit_tools.sampling.frame_scan import CLOSING, MAX_SHOWN, personal_detail_in, personal_details

__all__ = [
    "AGE_BANDS",
    "CLOSING",
    "CandidateCase",
    "FrameCase",
    "FrameError",
    "FrameRow",
    "IDENTIFYING_COLUMNS",
    "MAX_SHOWN",
    "REFERENCE_PATTERN",
    "Sample",
    "SamplingError",
    "SamplingPlan",
    "StratumResult",
    "Table",
    "TableError",
    "age_band",
    "allocate",
    "candidate_cases",
    "frame_row_of",
    "split_agencies",
    "FrameChecks",
    "ProblemSummary",
    "UPLOAD_COLUMNS",
    "case_row",
    "draw_replacement",
    "draw_sample",
    "method_statement",
    "parse_age",
    "personal_detail_in",
    "personal_details",
    "read_table",
    "stratum_of",
]
