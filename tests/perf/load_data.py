"""The load test's database: set it up before the run, check afterwards that no acknowledged save was lost.

    python tests/perf/load_data.py setup            # DATABASE_URL's database, schema already migrated
    python tests/perf/load_data.py check ACKS.json  # prints: check acks=<n> returns=<n> lost=<n> trail=<…>

``setup`` makes an open audit of LOAD_CASES cases (default 12) for LOAD_USERS agencies (default 50),
every return a fully answered draft, and one auditor per agency, auditorNN@load.example, with the
password in LOAD_PASSWORD (hashed with the production argon2 parameters).

``check`` reads every save the simulated auditors tried, in order, with the version the server
acknowledged (none when it did not). For each return, the stored answer must carry the token of the
last acknowledged save, or of a save tried after it whose answer never came back (still in flight
when the run stopped); and no acknowledged version may be newer than the stored one. Every
acknowledged save that fails either test is counted as lost.
It also walks the audit trail's hash chain, which concurrent writers must not fork.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a plain script from the repository

import sqlalchemy as sa  # noqa: E402

from audit_app import create_app  # noqa: E402
from audit_app.data.events import verify_trail  # noqa: E402
from audit_app.data.users import create_user  # noqa: E402
from audit_app.extensions import db  # noqa: E402
from audit_app.models import Agency, Answer, Return  # noqa: E402
from config import DevelopmentConfig  # noqa: E402
from tests.perf.synthetic import make_audit  # noqa: E402


def setup(users: int, cases: int, password: str) -> None:
    audit_id = make_audit(db.session, cases=cases, agencies=users, questions=60, seed=7, state="open")
    for n in range(1, users + 1):
        agency = db.session.scalar(sa.select(Agency).where(Agency.short_name == f"SY{n:02d}"))
        create_user(f"auditor{n:02d}@load.example", f"Load auditor {n:02d}", password, ["auditor"], agency)
    db.session.commit()
    print(f"setup audit={audit_id} auditors={users} returns={users * cases}")


def lost_saves(saves: list[dict]) -> tuple[int, int]:
    """(acknowledged saves missing from the database, returns saved to)."""
    by_return: dict[int, list[dict]] = {}
    for save in saves:
        by_return.setdefault(save["return"], []).append(save)
    return sum(_lost_on(return_id, tried) for return_id, tried in by_return.items()), len(by_return)


def _lost_on(return_id: int, tried: list[dict]) -> int:
    acked = [n for n, save in enumerate(tried) if save["version"] is not None]
    if not acked:
        return 0
    key = tried[0]["field"].removeprefix("q_")
    stored_version = db.session.scalar(sa.select(Return.version).where(Return.id == return_id)) or 0
    stored_text = (
        db.session.scalar(sa.select(Answer.value).where(Answer.return_id == return_id, Answer.question_key == key))
        or ""
    )
    too_new = sum(1 for n in acked if tried[n]["version"] > stored_version)
    allowed = [save["token"] for save in tried[acked[-1] :]]  # the last acknowledged, or one in flight after it
    return too_new + (0 if any(token in stored_text for token in allowed) else 1)


def check(path: str) -> None:
    saves = json.loads(Path(path).read_text(encoding="utf-8"))
    lost, returns = lost_saves(saves)
    acks = sum(1 for save in saves if save["version"] is not None)
    trail = verify_trail()
    state = "intact" if trail.intact else f"broken_at_event_{trail.broken_at}"
    print(f"check saves={len(saves)} acks={acks} returns={returns} lost={lost} trail={state} events={trail.events}")
    if not trail.intact:
        print(f"audit trail: {trail.problem}")


def main() -> None:
    app = create_app(DevelopmentConfig)
    with app.app_context():
        if sys.argv[1] == "setup":
            setup(
                int(os.environ.get("LOAD_USERS", "50")),
                int(os.environ.get("LOAD_CASES", "12")),
                os.environ["LOAD_PASSWORD"],
            )
        else:
            check(sys.argv[2])


if __name__ == "__main__":
    main()
