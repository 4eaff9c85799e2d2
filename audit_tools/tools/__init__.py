"""The audit tool: its definition (sections, questions, options), files that carry it, edits in the designer and
the difference between two versions."""

from __future__ import annotations

from audit_tools.tools.definition import (
    DATE,
    GRADE,
    GRADE_OPTIONS,
    KEY_PATTERN,
    LONGTEXT,
    MULTIPLE,
    NUMBER,
    QUESTION_TYPES,
    SCALE,
    SCALE_OPTIONS,
    SINGLE,
    SLUG_PATTERN,
    TEXT,
    Option,
    Question,
    Section,
    ShowIf,
    ToolDefinition,
)
from audit_tools.tools.diff import diff_definitions
from audit_tools.tools.files import (
    BUILTIN_TOOLS,
    MAX_FILE_BYTES,
    DefinitionError,
    builtin_themes,
    dumps,
    export_definition,
    load_builtin,
    parse_definition,
    read_tool_file,
)

__all__ = [
    "BUILTIN_TOOLS",
    "DATE",
    "DefinitionError",
    "GRADE",
    "GRADE_OPTIONS",
    "KEY_PATTERN",
    "LONGTEXT",
    "MAX_FILE_BYTES",
    "MULTIPLE",
    "NUMBER",
    "Option",
    "QUESTION_TYPES",
    "Question",
    "SCALE",
    "SCALE_OPTIONS",
    "SINGLE",
    "SLUG_PATTERN",
    "Section",
    "ShowIf",
    "TEXT",
    "ToolDefinition",
    "builtin_themes",
    "diff_definitions",
    "dumps",
    "export_definition",
    "load_builtin",
    "parse_definition",
    "read_tool_file",
]
