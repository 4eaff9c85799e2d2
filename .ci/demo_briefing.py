"""Build the demo audit's learning briefing and keep it, with a PNG of each page, as CI artefacts.

Run from the repository: .venv/bin/python .ci/demo_briefing.py [OUT_DIR]
It loads the demo into a throw-away SQLite database (migrations first, as in production),
writes OUT_DIR/demo-briefing.pdf (default artifacts/briefing) and, with poppler's
pdftoppm, OUT_DIR/page-1.png, page-2.png, … at 60 dpi, so a person can look at every page.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402

from audit_app import create_app  # noqa: E402
from audit_app.data.briefings import briefing_content, briefing_logo  # noqa: E402
from audit_app.demo.loader import load_demo  # noqa: E402
from audit_app.extensions import db  # noqa: E402
from audit_app.models import Audit  # noqa: E402
from config import TestingConfig  # noqa: E402
from reports.briefing_pdf import build_briefing_pdf  # noqa: E402


def demo_briefing_pdf(database: Path) -> bytes:
    """The PDF of the demo's completed audit, from a fresh database at ``database``."""

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{database}"

    app = create_app(Config)
    with app.app_context():
        upgrade()
        load_demo("demo briefing artefacts")
        db.session.commit()
        audit = db.session.scalar(select(Audit).where(Audit.state == "analysis"))
        return build_briefing_pdf(briefing_content(audit), logo=briefing_logo(), draft=True)


def main(out_dir: Path) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("page-*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as folder:
        pdf = demo_briefing_pdf(Path(folder) / "demo.db")
    target = out_dir / "demo-briefing.pdf"
    target.write_bytes(pdf)
    if shutil.which("pdftoppm") is None:
        print("pdftoppm (poppler-utils) is not installed: no page images made", file=sys.stderr)
        return 1
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(target), str(out_dir / "page")], check=True)
    pages = sorted(out_dir.glob("page-*.png"))
    print(f"demo briefing: {target} ({len(pdf):,} bytes), {len(pages)} page images in {out_dir}")
    return 0 if pages else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "artifacts" / "briefing"))
