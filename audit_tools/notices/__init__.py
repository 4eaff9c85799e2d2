"""What the workbench tells people and when: the stages of the scheduled reminders (pure rules; the
ledger and the sending are in audit_app)."""

from __future__ import annotations

from audit_tools.notices.stages import ESCALATE_AFTER_DAYS, action_stage, escalation_due, reminder_stage

__all__ = ["ESCALATE_AFTER_DAYS", "action_stage", "escalation_due", "reminder_stage"]
