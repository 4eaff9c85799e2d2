"""Command-line tools: `flask users …`, `flask audits …`, `flask disclosure …`, `flask briefing …`, `flask demo`."""

from __future__ import annotations

import secrets
from typing import BinaryIO

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from audit_app.data.audits import list_audits
from audit_app.data.users import UserError, agency_by_short_name, create_user, find_user_by_email, set_password
from audit_app.extensions import db
from audit_app.maintenance import cli as maintenance_cli
from audit_app.models import ROLES, User
from audit_app.transactions import discard_changes
from audit_tools.states import BriefingState, ToolState

users_cli = AppGroup("users", help="Manage user accounts.")
tools_cli = AppGroup("tools", help="List, export and import audit tools.")
audits_cli = AppGroup("audits", help="List and inspect audits.")
disclosure_cli = AppGroup("disclosure", help="Check a briefing for anything that could identify a child.")
briefing_cli = AppGroup("briefing", help="Build an audit's learning briefing as a PDF and a web page.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", "display_name", default=None, help="Display name (defaults to the e-mail address).")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES))
@click.option("--agency", default=None, help="Agency short name; required for auditors.")
@click.option("--password", default=None, help="Omit to generate one and print it once.")
def create_user_command(
    email: str, display_name: str | None, roles: tuple[str, ...], agency: str | None, password: str | None
) -> None:
    """Create a user with one or more roles."""
    agency_row = agency_by_short_name(agency) if agency else None
    if agency and agency_row is None:
        raise click.ClickException(f"No agency with the short name {agency!r}.")
    password = password or secrets.token_urlsafe(12)
    try:
        user = create_user(email, display_name or email, password, list(roles), agency_row)
    except UserError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {user.email} ({', '.join(sorted(user.roles))}). Password: {password}")


@users_cli.command("set-password")
@click.option("--email", required=True)
@click.option("--password", default=None, help="Omit to generate one and print it once.")
def set_password_command(email: str, password: str | None) -> None:
    """Give a user a new password (it must pass the password rules); their sessions end."""
    from audit_app.data.accounts import end_sessions
    from audit_tools.password_policy import password_problem

    user = _user_or_fail(email)
    password = password or secrets.token_urlsafe(16)
    problem = password_problem(password, email=user.email, name=user.display_name)
    if problem:
        raise click.ClickException(problem)
    set_password(user, password)
    end_sessions(user)
    db.session.commit()
    click.echo(f"New password for {user.email}: {password}")


@users_cli.command("invite")
@click.option("--email", required=True)
@click.option(
    "--base-url",
    envvar="APP_BASE_URL",
    default="http://127.0.0.1:5000",
    show_default=True,
    help="Where people reach the workbench (APP_BASE_URL).",
)
def invite_command(email: str, base_url: str) -> None:
    """Print a single-use link, valid for 72 hours, for the user to choose their own password."""
    from audit_app.data.accounts import invite

    token = invite(_user_or_fail(email), None)
    db.session.commit()
    click.echo(f"{base_url.rstrip('/')}/invitation/{token}")


@users_cli.command("disable")
@click.option("--email", required=True)
def disable_command(email: str) -> None:
    """Stop a user signing in; every session they have ends at once."""
    from audit_app.data.accounts import disable_user

    user = _user_or_fail(email)
    disable_user(user, None)
    db.session.commit()
    click.echo(f"Disabled {user.email}.")


def _user_or_fail(email: str) -> User:
    user = find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with the e-mail address {email}.")
    return user


@audits_cli.command("list")
def list_audits_command() -> None:
    """One line per audit: id, state, title."""
    for audit in list_audits():
        click.echo(f"{audit.id}\t{audit.state}\t{audit.title}")


@audits_cli.command("sample")
@click.argument("audit_id", type=int)
@click.option("--frame", "frame_file", type=click.File("rb"), required=True, help="The sample frame (CSV or .xlsx).")
@click.option(
    "--source",
    "source_label",
    help="A remembered source of frames, as named on the mapping page: its columns' meanings and agency names.",
)
@click.option("--size", type=int, required=True, help="How many cases to draw.")
@click.option("--stratify", multiple=True, help="A column to group by (repeat for several).")
@click.option("--allocation", type=click.Choice(["proportional", "equal"]), default="proportional")
@click.option("--minimum", type=int, default=0, help="At least this many cases from each group.")
@click.option("--seed", type=int, required=True, help="Recorded with the sample; the same seed draws the same cases.")
def sample_command(
    audit_id: int,
    frame_file: BinaryIO,
    source_label: str | None,
    size: int,
    stratify: tuple[str, ...],
    allocation: str,
    minimum: int,
    seed: int,
) -> None:
    """Import a sample frame, draw the sample and print the chosen references.

    The frame goes through the same steps as an upload: columns that identify a person are left out, dates
    of birth become ages, and each column's meaning is the remembered source's or else suggested by its name.
    An export the workbench cannot read unaided is mapped once in the browser and remembered as a source."""
    from audit_app.data import frame_mapping as mapping_data
    from audit_app.data import sampling as sampling_data
    from audit_app.data.audits import get_audit
    from audit_tools.privacy import key_from_environment
    from audit_tools.sampling import FrameError, SamplingError, SamplingPlan, TableError
    from audit_tools.sampling.frame_mapping import left_out_note

    audit = get_audit(audit_id)
    if audit is None:
        raise click.ClickException(f"No audit {audit_id}. `flask audits list` shows them.")
    source = mapping_data.source_named(source_label) if source_label is not None else None
    if source_label is not None and source is None:
        known = ", ".join(repr(s.label) for s in mapping_data.list_sources()) or "none yet"
        raise click.ClickException(f"No remembered source is called {source_label!r}. Remembered: {known}.")
    max_bytes = current_app.config["MAX_FRAME_BYTES"]
    try:
        key = (
            key_from_environment(current_app.config.get("PSEUDONYM_KEY"))
            if current_app.config.get("PSEUDONYM_KEY")
            else None
        )
        frame, staged = mapping_data.import_export(
            audit,
            frame_file.read(max_bytes + 1),
            frame_file.name,
            source,
            max_bytes=max_bytes,
            user=None,
            pseudonym_key=key,
            number_key=current_app.config.get("CASE_NUMBER_KEY"),
        )
        plan = SamplingPlan("stratified" if stratify else "random", size, tuple(stratify), allocation, minimum)
        sampling, sample = sampling_data.draw(audit, frame, plan, seed, None, [])
    except (TableError, FrameError) as error:
        discard_changes()
        raise click.ClickException("The frame was not imported:\n  " + "\n  ".join(error.problems)) from None
    except (SamplingError, sampling_data.SamplingStateError, ValueError) as error:
        discard_changes()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    for case in sample.chosen:
        click.echo(case.reference)
    if note := left_out_note(staged).strip():
        click.echo(note, err=True)
    click.echo(sampling.statement, err=True)


@tools_cli.command("list")
def list_tools_command() -> None:
    """One line per tool version: slug, version, status, name."""
    from audit_app.data.tools import list_tools

    for tool in list_tools():
        for version in tool.versions:
            click.echo(f"{tool.slug}\t{version.version}\t{version.status}\t{tool.name}")


@tools_cli.command("export")
@click.argument("slug")
@click.option("--version", "number", type=int, default=None, help="Version number (default: the latest published).")
def export_tool_command(slug: str, number: int | None) -> None:
    """Print a tool version as JSON (the documented tool file format)."""
    from audit_app.data.tools import definition_of, tool_by_slug
    from audit_tools.tools import dumps

    tool = tool_by_slug(slug)
    if tool is None:
        raise click.ClickException(f"No tool with the short name {slug!r}. `flask tools list` shows them.")
    candidates = [v for v in tool.versions if (v.version == number if number else v.status == ToolState.PUBLISHED)]
    if not candidates:
        raise click.ClickException(f"{slug} has no {'version ' + str(number) if number else 'published version'}.")
    click.echo(dumps(definition_of(candidates[-1])), nl=False)


@tools_cli.command("import")
@click.argument("file", type=click.File("rb"))
def import_tool_command(file: BinaryIO) -> None:
    """Import a tool file as a new tool or a new draft version; nothing is imported if anything is wrong."""
    from audit_app.data.tools import ToolError, import_tool
    from audit_tools.tools import MAX_FILE_BYTES, DefinitionError, read_tool_file

    try:
        raw = read_tool_file(file.read(MAX_FILE_BYTES + 1))
    except DefinitionError as error:
        raise click.ClickException(f"{file.name}: {error.problems[0]}") from None
    try:
        version = import_tool(raw, None)
    except DefinitionError as error:
        discard_changes()
        raise click.ClickException(f"{file.name} was not imported:\n  " + "\n  ".join(error.problems)) from None
    except ToolError as error:
        discard_changes()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Imported {version.tool.slug} as draft version {version.version}. Publish it before use.")


class CheckNotRun(click.ClickException):
    """The check could not run (exit status 2), as distinct from a check that found something (1)."""

    exit_code = 2


@disclosure_cli.command("check")
@click.argument("file", type=click.File("rb"))
@click.option("--audit", "audit_id", type=int, default=None, help="Also look for this audit's case references.")
def check_disclosure_command(file: BinaryIO, audit_id: int | None) -> None:
    """List anything in FILE (UTF-8 plain text; - for standard input) that could identify someone.

    One line per hit: line:column kind "text". Names of all users are looked for; with --audit,
    that audit's case references too. Exit status: 0 nothing found, 1 something found,
    2 the check could not run.
    """
    from audit_app.data.audits import case_references, get_audit
    from audit_app.data.users import list_users
    from audit_tools.privacy import check_text, format_hit

    references: list[str] = []
    if audit_id is not None:
        audit = get_audit(audit_id)
        if audit is None:
            raise CheckNotRun(f"No audit {audit_id}. `flask audits list` shows them.")
        references = sorted(case_references(audit))
    try:
        text = file.read().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CheckNotRun(f"{file.name} is not UTF-8 plain text ({error.reason} at byte {error.start}).") from None
    hits = check_text(text, case_references=references, names=[user.display_name for user in list_users()])
    for hit in hits:
        click.echo(format_hit(hit))
    if hits:
        click.get_current_context().exit(1)


@briefing_cli.command("build")
@click.argument("audit_id", type=int)
@click.option("--out", "pdf_path", type=click.Path(dir_okay=False), required=True, help="Where to write the PDF.")
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also write the briefing as a single web page (HTML) here.",
)
def build_briefing_command(audit_id: int, pdf_path: str, html_path: str | None) -> None:
    """Write AUDIT_ID's learning briefing: its newest published version exactly as published, else its newest
    draft, else a draft made now from the audit's data (not saved). Exit status 2: no such audit."""
    import io

    from pypdf import PdfReader

    from audit_app.briefings.rendering import briefing_pdf, content_of, standalone_html
    from audit_app.data.audits import get_audit
    from audit_app.data.briefing_versions import newest_to_build
    from audit_app.data.briefings import briefing_content

    audit = get_audit(audit_id)
    if audit is None:
        raise CheckNotRun(f"No audit {audit_id}. `flask audits list` shows them.")
    briefing = newest_to_build(audit)
    if briefing is not None and briefing.state == BriefingState.PUBLISHED and briefing.pdf and briefing.html:
        pdf, html, source = briefing.pdf, briefing.html, f"version {briefing.number}, published"
    else:
        content = content_of(briefing) if briefing else briefing_content(audit)
        source = f"version {briefing.number}, {briefing.state}" if briefing else "a new draft from the audit's data"
        created = briefing.updated_at if briefing else None
        pdf, html = briefing_pdf(content, draft=True, created=created), standalone_html(content) if html_path else ""
    with open(pdf_path, "wb") as handle:
        handle.write(pdf)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    click.echo(f"{pdf_path}: {pages} page{'s' if pages != 1 else ''} ({source})")
    if html_path:
        with open(html_path, "w", encoding="utf-8") as handle:
            handle.write(html)
        click.echo(html_path)


@click.command("seed")
def seed_command() -> None:
    """Add the standard agency list and the built-in audit tools where missing (safe to run again)."""
    from audit_app.data.seed import seed_reference_data

    added_agencies, added_tools = seed_reference_data()
    db.session.commit()
    click.echo(f"Reference data ready: {added_agencies} agencies and {added_tools} built-in tools added.")


@click.command("demo")
@click.option("--password", default=None, help="Password for every demo account (random if omitted).")
def demo_command(password: str | None) -> None:
    """Load the fictional demonstration partnership (does nothing if it is already there)."""
    from audit_app.briefings.workflow import publish_version
    from audit_app.demo.loader import DEMO_ACCOUNTS, DemoRefused, load_demo

    password = password or secrets.token_urlsafe(12)
    try:
        loaded = load_demo(password, publish=publish_version)
    except DemoRefused as refused:
        raise click.ClickException(str(refused)) from None
    if not loaded:
        click.echo("The demonstration data is already loaded; nothing was changed.")
        return
    db.session.commit()
    click.echo("Demonstration data loaded. Sign in with:")
    for email, roles, agency in DEMO_ACCOUNTS:
        click.echo(f"  {email:<28} {', '.join(roles)}{f' ({agency})' if agency else ''}")
    click.echo(f"Password for every demo account: {password}")


def register_commands(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(audits_cli)
    app.cli.add_command(tools_cli)
    app.cli.add_command(disclosure_cli)
    app.cli.add_command(briefing_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(seed_command)
    maintenance_cli.register_commands(app)  # backup, restore, retention
