"""Times people see are UK local time (GMT in winter, BST in summer) and say so; stored in UTC."""

from datetime import UTC, datetime

from audit_tools.text import long_date, uk_date_time, uk_local, uk_time

SUMMER = datetime(2026, 7, 1, 13, 5, tzinfo=UTC)  # BST: 14:05 in the UK
WINTER = datetime(2026, 1, 15, 13, 5, tzinfo=UTC)  # GMT: 13:05 in the UK


def test_summer_is_british_summer_time() -> None:
    assert uk_time(SUMMER) == "14:05 (UK time)"
    assert uk_date_time(SUMMER) == "1 July 2026 at 14:05 (UK time)"
    assert uk_local(SUMMER).tzname() == "BST"


def test_winter_is_greenwich_mean_time() -> None:
    assert uk_time(WINTER) == "13:05 (UK time)"
    assert uk_date_time(WINTER, seconds=True) == "15 January 2026 at 13:05:00 (UK time)"
    assert uk_local(WINTER).tzname() == "GMT"


def test_a_naive_stored_time_is_taken_as_utc() -> None:
    assert uk_time(datetime(2026, 7, 1, 13, 5)) == "14:05 (UK time)"


def test_late_evening_utc_in_summer_is_the_next_day_in_the_uk() -> None:
    assert long_date(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == "1 July 2026"
    assert long_date(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == "31 December 2026"


def test_nothing_shows_nothing() -> None:
    assert uk_time(None) == uk_date_time(None) == ""


def test_no_template_formats_a_time_itself() -> None:
    """Every time shown goes through uk_time / uk_date_time (or long_date for a day)."""
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "audit_app" / "templates"
    offenders = [p.name for p in templates.rglob("*.html") if "strftime" in p.read_text(encoding="utf-8")]
    assert offenders == []
