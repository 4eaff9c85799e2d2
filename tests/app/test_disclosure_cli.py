"""`flask disclosure check`: silent exit 0 when clean, one line per identifier and exit 1, exit 2 when it cannot run."""

from __future__ import annotations

import pytest

from audit_app.data.users import create_user
from audit_app.extensions import db

CLEAN = """Learning from our multi-agency neglect audit
The panel looked at 12 children aged 1½ to 8 years, on plans for 9 to 14 months in 2025/26.
Early help and social care will share the learning; young people may join the event in March 2026.
Auditors from CAMHS, schools and the police took part; the coordinator chased 3 late returns.
Children Act 1989 section 47 enquiries were timely in 67% of cases.
"""

FOUND = """Learning from our multi-agency neglect audit
Case T-01 was presented by Priya Shah at the panel.
The NHS number 943 476 5919 appeared in one return.
"""


@pytest.fixture
def audit(factory):
    """An audit with cases T-01 and T-02, a named auditor, and users whose names are role words."""
    audit = factory.audit(cases=2)
    create_user("priya.shah@test.example", "Priya Shah", factory.password, ["auditor"], factory.agency("CSC"))
    factory.user("coordinator")
    factory.user("auditor", agency=factory.agency("EH"))
    db.session.commit()
    return audit


def write(tmp_path, content: str | bytes, name: str = "briefing.txt") -> str:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return str(path)


def check(runner, *args: str, **kwargs):
    return runner.invoke(args=["disclosure", "check", *args], **kwargs)


def test_a_clean_briefing_exits_0_and_prints_nothing(runner, audit, tmp_path):
    result = check(runner, write(tmp_path, CLEAN), "--audit", str(audit.id))
    assert (result.exit_code, result.output) == (0, "")


def test_each_identifier_is_one_line_and_the_exit_status_is_1(runner, audit, tmp_path):
    result = check(runner, write(tmp_path, FOUND), "--audit", str(audit.id))
    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [
        '2:6 case_reference "T-01"',
        '2:28 name "Priya Shah"',
        '3:16 nhs_number "943 476 5919"',
    ]


def test_without_an_audit_names_and_patterns_are_still_checked(runner, audit, tmp_path):
    result = check(runner, write(tmp_path, FOUND))
    assert result.exit_code == 1
    assert result.output.splitlines() == ['2:28 name "Priya Shah"', '3:16 nhs_number "943 476 5919"']


def test_only_the_chosen_audits_references_are_looked_for(runner, audit, factory, tmp_path):
    other = factory.audit(cases=3)  # T-01 … T-03
    path = write(tmp_path, "Only T-03 is mentioned.\n")
    assert check(runner, path, "--audit", str(audit.id)).output == ""
    result = check(runner, path, "--audit", str(other.id))
    assert (result.exit_code, result.output) == (1, '1:6 case_reference "T-03"\n')


def test_standard_input_is_read_for_a_dash(runner, audit):
    result = check(runner, "-", input=b"Call 07700 900123 for a copy.\n")
    assert (result.exit_code, result.output) == (1, '1:6 phone "07700 900123"\n')
    assert check(runner, "-", input=CLEAN.encode("utf-8")).exit_code == 0


def test_an_unknown_audit_exits_2_with_a_message(runner, audit, tmp_path):
    result = check(runner, write(tmp_path, CLEAN), "--audit", "987654")
    assert result.exit_code == 2
    assert "No audit 987654" in result.output


@pytest.mark.parametrize("content", [b"Caf\xe9 culture\n", b"\xff\xfeL\x00"])
def test_a_file_that_is_not_utf8_exits_2(runner, audit, tmp_path, content):
    result = check(runner, write(tmp_path, content))
    assert result.exit_code == 2
    assert "is not UTF-8 plain text" in result.output


def test_a_missing_file_exits_2(runner, audit, tmp_path):
    result = check(runner, str(tmp_path / "absent.txt"))
    assert result.exit_code == 2 and "absent.txt" in result.output


def test_a_byte_order_mark_does_not_shift_the_columns(runner, audit, tmp_path):
    result = check(runner, write(tmp_path, b"\xef\xbb\xbfPriya Shah wrote this.\n"))
    assert result.output == '1:1 name "Priya Shah"\n'
