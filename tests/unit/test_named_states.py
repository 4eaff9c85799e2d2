"""Python code names states, roles and question types by the enums of ``audit_tools.states``, never by bare strings.

A bare ``"submitted"`` compared with a ``state``, passed to ``has_role`` or assigned to a ``status`` is what made
a new workflow a hunt through the code; this test finds any that come back (templates may keep strings).
"""

from __future__ import annotations

import ast
from pathlib import Path

from audit_tools.states import AuditState, BriefingState, QuestionType, ReturnState, Role, ToolState

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("audit_app", "audit_tools", "reports")
NAMED = {
    "state": {*AuditState, *ReturnState, *BriefingState},
    "status": {*ToolState},
    "role": {*Role},
    "type": {*QuestionType},
}
ROLE_CALLS = ("has_role", "roles_required")


def _strings(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [s for element in node.elts for s in _strings(element)]
    return []


def _attribute(node: ast.AST) -> str | None:
    return node.attr if isinstance(node, ast.Attribute) else None


def _called(node: ast.Call) -> str | None:
    return getattr(node.func, "attr", None) or getattr(node.func, "id", None)


def bare_names(source: str) -> list[tuple[int, str]]:
    """(line, text) of each bare state, role or question type string in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            for name in filter(None, map(_attribute, sides)):
                values = NAMED.get(name, set())
                found += [(node.lineno, s) for side in sides for s in _strings(side) if s in values]
        elif isinstance(node, ast.Call) and _called(node) in ROLE_CALLS:
            found += [(node.lineno, s) for arg in node.args for s in _strings(arg) if s in NAMED["role"]]
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                targets = target.elts if isinstance(target, ast.Tuple) else [target]
                values = (
                    node.value.elts
                    if isinstance(node.value, ast.Tuple) and isinstance(target, ast.Tuple)
                    else [node.value]
                )
                for one, value in zip(targets, values, strict=False):
                    found += [(node.lineno, s) for s in _strings(value) if s in NAMED.get(_attribute(one), ())]
        elif isinstance(node, ast.keyword) and node.arg in NAMED:
            found += [(node.value.lineno, s) for s in _strings(node.value) if s in NAMED[node.arg]]
    return sorted(found)


def test_the_finder_finds_each_kind():
    source = (
        'if ret.state != "draft": pass\nok = user.has_role("coordinator")\n@roles_required("admin")\n'
        'def f(): pass\nv.status = "published"\nr.state, r.x = "accepted", 1\nB(state="approved")\n'
        'q = question.type == "date"\n'
    )
    assert [s for _, s in bare_names(source)] == [
        "draft",
        "coordinator",
        "admin",
        "published",
        "accepted",
        "approved",
        "date",
    ]
    assert bare_names('if ret.state != ReturnState.DRAFT: pass\nBlueprint("panel", __name__)\n') == []


def test_no_bare_state_role_or_question_type_strings_in_python_code():
    offences = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if path.name != "states.py"
        for line, text in bare_names(path.read_text(encoding="utf-8"))
    ]
    assert offences == [], "use the enums of audit_tools.states:\n" + "\n".join(offences)
