"""The stages of the scheduled reminders fire on the right days."""

from datetime import date, timedelta

from audit_tools.notices import action_stage, escalation_due, reminder_stage

DUE = date(2026, 3, 20)


def test_the_stages_fire_on_the_right_days():
    assert reminder_stage(DUE, DUE - timedelta(days=8)) is None
    assert reminder_stage(DUE, DUE - timedelta(days=7)) == "week"
    assert reminder_stage(DUE, DUE - timedelta(days=2)) == "week"
    assert reminder_stage(DUE, DUE - timedelta(days=1)) == "day"
    assert reminder_stage(DUE, DUE) == "day"
    assert reminder_stage(DUE, DUE + timedelta(days=1)) == "overdue-0"
    assert reminder_stage(DUE, DUE + timedelta(days=7)) == "overdue-0"
    assert reminder_stage(DUE, DUE + timedelta(days=8)) == "overdue-1"
    assert not escalation_due(DUE, DUE + timedelta(days=13)) and escalation_due(DUE, DUE + timedelta(days=14))
    assert action_stage(DUE, DUE - timedelta(days=8)) is None
    assert action_stage(DUE, DUE - timedelta(days=7)) == "soon"
    assert action_stage(DUE, DUE + timedelta(days=1)) == "overdue"
