"""A current safeguarding concern in a return: which answers raise one, which questions say what the
auditor has done about it (required while a concern is raised), and the words of the prompt, the
banner and the e-mail. Pure: no database, no web framework."""

from __future__ import annotations

from audit_tools.returns.answers import Answers, is_visible
from audit_tools.tools import LONGTEXT, TEXT, Question, ToolDefinition

PROMPT_TITLE = "Act on a current concern now"  # the form's prompt and the banner after saving share it
ESCALATION_HEADING = "You recorded a current safeguarding concern about this child."
ACTION_REQUIRED = "Say what you have done about the current safeguarding concern"


def raises_concern(definition: ToolDefinition, answers: Answers) -> list[Question]:
    """Questions whose answer signals a live safeguarding concern (their ``escalate_if`` answers)."""

    def given(question: Question) -> list[str]:
        value = answers.get(question.key)
        return value if isinstance(value, list) else [value] if value else []

    return [q for q in definition.questions if q.escalate_if and set(given(q)) & set(q.escalate_if)]


def action_questions(definition: ToolDefinition, question: Question) -> list[Question]:
    """The written questions that ask what was done about the concern ``question`` raises: those shown
    only when it is given one of its escalating answers."""
    return [
        q
        for q in definition.questions
        if q.type in (TEXT, LONGTEXT)
        and q.show_if is not None
        and q.show_if.question == question.key
        and set(q.show_if.values) & set(question.escalate_if)
    ]


def action_keys(definition: ToolDefinition) -> set[str]:
    """Every question that asks what was done about a concern (the form marks them as required then)."""
    return {a.key for q in definition.questions if q.escalate_if for a in action_questions(definition, q)}


def missing_actions(definition: ToolDefinition, answers: Answers) -> list[Question]:
    """The questions about what was done that the answers leave empty while they raise a concern."""
    return [
        a
        for q in raises_concern(definition, answers)
        for a in action_questions(definition, q)
        if is_visible(a, answers) and not answers.get(a.key)
    ]


def what_was_done(definition: ToolDefinition, question: Question, answers: Answers) -> str:
    """The auditor's own words about what they did, for the concern's record (never for a log or e-mail)."""
    return "\n\n".join(
        str(answers[a.key]) for a in action_questions(definition, question) if isinstance(answers.get(a.key), str)
    )


def told_text(lead_told: bool) -> str:
    """What an autosave that raised a concern says about who now knows of it."""
    who = "The coordinator and your agency's safeguarding lead have" if lead_told else "The coordinator has"
    return f"{who} been told of the current concern."


def banner_text(escalation_route: str) -> str:
    """The banner after saving a return that raises a concern."""
    return f"{ESCALATION_HEADING} {escalation_route}"


def concern_message(case_reference: str, audit_title: str, agency_name: str, link: str) -> tuple[str, str]:
    """The e-mail about a new concern (subject, body): the case's pseudonymous reference and a link only,
    never the case's detail or what the auditor typed."""
    subject = f"Current safeguarding concern raised: case {case_reference}"
    body = (
        f"An auditor from {agency_name} has recorded a current safeguarding concern about the child in "
        f"case {case_reference} of the audit {audit_title}.\n\n"
        "The auditor has been asked to follow their agency's safeguarding procedure straight away. "
        "Please check that the concern is being acted on, and acknowledge it in the case audit workbench, "
        "saying what you have done:\n\n"
        f"{link}\n\n"
        "This message holds no detail of the case: sign in to read it.\n"
    )
    return subject, body
