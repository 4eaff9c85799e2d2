"""`flask backup FILE`, `flask restore FILE`, `flask retention run`, `flask trail checkpoint|verify`
(docs/OPERATIONS.md) and `flask notify run` (docs/DEPLOYMENT.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from audit_app.data.events import purge_payloads
from audit_app.data.notices import run_reminders
from audit_app.data.trail_check import CheckpointError, make_checkpoint, parse_checkpoint, verify_trail
from audit_app.extensions import db
from audit_app.maintenance import backup, retention
from audit_tools.text import long_date

trail_cli = AppGroup("trail", help="Check the audit trail's seals, and keep checkpoints of it outside the database.")
notify_cli = AppGroup("notify", help="Send the reminders that are due (safe to run every few minutes).")
retention_cli = AppGroup("retention", help="Remove case-level data of audits closed longer than the retention period.")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
def backup_command(file: str) -> None:
    """Write the whole database to FILE, a new file only its owner can read."""
    try:
        made = backup.backup_to(file)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup written to {made.path} ({made.size:,} bytes, SHA-256 {made.sha256}).")
    click.echo(f"Audit trail checkpoint written to {made.checkpoint}: keep it with the backup, away from the database.")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
def restore_command(file: str, yes: bool) -> None:
    """Replace EVERYTHING in the database with the backup in FILE. Stop the service first."""
    if not yes:
        click.confirm(
            f"This replaces everything in the database with {file}. Anything changed since that backup "
            "will be lost. Go ahead?",
            abort=True,
        )
    try:
        version = backup.restore_from(file)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Restored {file} (schema version {version}). "
        "If the backup is from an older release, run `flask db upgrade` next."
    )


@retention_cli.command("run")
@click.option("--dry-run", is_flag=True, help="Say what would be removed, and change nothing.")
def retention_run_command(dry_run: bool) -> None:
    """Apply the retention schedule to every closed audit; one line per audit. Safe to run again."""
    try:
        months = retention.retention_months()
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    today = date.today()
    results = retention.apply_retention(today, months, dry_run=dry_run)
    if not dry_run:
        db.session.commit()
    for item in results:
        click.echo(_summary(item, dry_run))
    done = sum(1 for item in results if item.removed)
    verb = "would apply to" if dry_run else "applied to"
    click.echo(
        f"Retention ({months} months after closure) {verb} {done} audit{'s' if done != 1 else ''}"
        f"{'' if done else ': nothing to do'}."
    )


def _summary(item: retention.AuditRetention, dry_run: bool) -> str:
    name = f"Audit {item.audit_id} ({item.title})"
    if item.removed:
        counts = ", ".join(f"{count} {label}" for label, count in item.removed.items())
        return f"{name}: {'would remove' if dry_run else 'removed'} {counts}."
    if item.applied_on:
        return f"{name}: nothing to do, retention was applied on {long_date(item.applied_on)}."
    if item.closed_on is None:
        return f"{name}: closed, but the audit trail does not say when; nothing removed. Check its history."
    return f"{name}: closed on {long_date(item.closed_on)}; case-level data kept until {long_date(item.due_on)}."


@trail_cli.command("checkpoint")
@click.option("--out", type=click.Path(dir_okay=False), help="Also write it to this new file (mode 0600).")
def trail_checkpoint_command(out: str | None) -> None:
    """Print the trail's checkpoint (number of events and last seal, sealed with the key) and log it."""
    checkpoint = make_checkpoint()
    try:
        if out:
            backup.write_checkpoint(checkpoint, out)
        else:
            current_app.logger.info("Audit trail checkpoint: %s", checkpoint.to_json())
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(checkpoint.to_json())


@trail_cli.command("verify")
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.Path(exists=True, dir_okay=False),
    help="A checkpoint kept outside the database (a backup's .checkpoint file, or a log line in a file).",
)
def trail_verify_command(checkpoint_file: str | None) -> None:
    """Check every seal and link of the trail, and compare it with a checkpoint. Exit status 1 if tampered."""
    try:
        checkpoint = parse_checkpoint(Path(checkpoint_file).read_text(encoding="utf-8")) if checkpoint_file else None
    except (CheckpointError, OSError, UnicodeDecodeError) as error:
        raise click.ClickException(f"{checkpoint_file}: {error}") from None
    check = verify_trail(checkpoint)
    click.echo("No tampering found." if check.intact else "THE AUDIT TRAIL HAS BEEN TAMPERED WITH.")
    for line in check.findings():
        click.echo(f"- {line}")
    if not check.intact:
        raise SystemExit(1)


@trail_cli.command("purge")
@click.argument("event_ids", nargs=-1, required=True, type=click.IntRange(min=1, max=2**31 - 1))
@click.option("--yes", is_flag=True, help="Do not ask first.")
def trail_purge_command(event_ids: tuple[int, ...], yes: bool) -> None:
    """Remove what the events EVENT_IDS say (their before and after), keeping who, what and when.

    For something that must not be kept; the purge is itself recorded, and the seals still hold.
    """
    if not yes:
        click.confirm(f"This removes for good what {len(event_ids)} event(s) say. Go ahead?", abort=True)
    purged = purge_payloads(list(event_ids))
    db.session.commit()
    missing = sorted(set(event_ids) - set(purged))
    click.echo(
        f"Purged {len(purged)} event{'s' if len(purged) != 1 else ''}"
        f"{': ' + ', '.join(map(str, purged)) if purged else ''}."
    )
    if missing:
        click.echo(f"Not found (or a purge record, which is kept): {', '.join(map(str, missing))}.")


def register_commands(app: Flask) -> None:
    app.cli.add_command(trail_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(retention_cli)
    app.cli.add_command(notify_cli)


@notify_cli.command("run")
def notify_run_command() -> None:
    """Record and send every reminder due now, once each: a second run straight after sends nothing.
    Runs take turns (a PostgreSQL advisory lock, SQLite's write lock), so two servers may both run it."""
    report = run_reminders()
    db.session.commit()  # the messages are sent once the ledger has them
    if not report.total:
        click.echo("Nothing due.")
    for kind, count in sorted(report.counts.items()):
        if count:
            click.echo(f"{kind}: {count} message{'s' if count != 1 else ''}")
