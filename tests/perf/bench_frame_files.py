"""Benchmark: what each hostile (and each largest honest) sample-frame upload, XLSX or CSV, costs to answer.

Run: .venv/bin/python tests/perf/bench_frame_files.py
Each file is read in a process of its own, so its peak memory is its own; one line per file:
  frame_files case=<name> bytes=<upload> wall_s=<s> cpu_s=<s> peak_mb=<process peak> read_mb=<peak - before> outcome=…
The goal (issue 16, item 6): every upload the size limit lets in is answered within 5 s and 200 MB.
Wall time depends on how busy the machine is; CPU time (user + system) much less so.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run as a plain script from the repository

from tests import hostile_workbooks as hostile  # noqa: E402

MB = 1024 * 1024
MAX_BYTES = 10 * MB  # config.MAX_FRAME_BYTES

CASES = {
    "formatted_empty_rows_1048576": lambda: hostile.formatted_empty_rows(1_048_576),
    "shared_strings_bomb_5000000": lambda: hostile.shared_strings_bomb(5_000_000),
    "shared_strings_200000_within_bound": lambda: hostile.shared_strings_bomb(200_000),
    "zip_bomb_200MB": lambda: hostile.zip_bomb(200 * MB),
    "lying_sizes": lambda: hostile.lying_sizes(hostile.formatted_empty_rows(200_000)),
    "many_parts_5000": lambda: hostile.many_parts(5_000),
    "styles_bomb_400000": lambda: hostile.styles_bomb(400_000),
    "wide_rows_100000x90": lambda: hostile.wide_rows(100_000, 90),
    "wide_rows_just_within_bound": lambda: hostile.wide_rows(98_000, 49),
    "good_frame_100000x8_inline_text": lambda: hostile.good_frame(100_000, 8),
    "csv_10MB_of_blank_lines": lambda: b"reference,locality\n" + b"\n" * (MAX_BYTES - 20),
    "csv_10MB_100_columns": lambda: wide_csv(100, b"ab"),
    "csv_10MB_12_columns": lambda: wide_csv(12, b"abcdefg"),
}


def wide_csv(columns: int, value: bytes) -> bytes:
    """As many rows of ``columns`` short values as fit in the upload limit."""
    header = b",".join(b"c%d" % n for n in range(columns)) + b"\n"
    line = b",".join([value] * columns) + b"\n"
    return header + line * ((MAX_BYTES - len(header)) // len(line))


# The child: read one file, print its outcome and the process's own CPU time and peak memory.
CHILD = """
import sys, time
sys.path.insert(0, sys.argv[2])
from audit_tools.sampling import TableError, read_table
import openpyxl, pyexpat  # loaded before the baseline, as in a running server

def status(field):  # from /proc: VmHWM is this process's own peak (ru_maxrss would include the parent's)
    line = next(l for l in open("/proc/self/status") if l.startswith(field))
    return int(line.split()[1]) / 1024

data = open(sys.argv[1], "rb").read()
before = status("VmRSS:")
start, cpu = time.perf_counter(), time.process_time()
try:
    outcome = f"accepted:{len(read_table(data, sys.argv[4], max_bytes=int(sys.argv[3])).rows)}_rows"
except TableError as error:
    outcome = "refused:" + error.problems[0][:60].replace(" ", "_")
wall, cpu = time.perf_counter() - start, time.process_time() - cpu
print(wall, cpu, status("VmHWM:"), status("VmHWM:") - before, outcome)
"""


def measure(name: str, data: bytes) -> str:
    filename = "frame.csv" if name.startswith("csv") else "frame.xlsx"
    with tempfile.NamedTemporaryFile() as file:
        file.write(data)
        file.flush()
        result = subprocess.run(
            [sys.executable, "-c", CHILD, file.name, str(ROOT), str(MAX_BYTES), filename],
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
    wall, cpu, peak, growth, outcome = result.stdout.split()
    return (
        f"frame_files case={name} bytes={len(data)} wall_s={float(wall):.2f} cpu_s={float(cpu):.2f} "
        f"peak_mb={float(peak):.0f} read_mb={float(growth):.0f} outcome={outcome}"
    )


def main() -> None:
    print(f"frame_files machine load={os.getloadavg()[0]:.1f} cpus={os.cpu_count()} upload_limit_mb={MAX_BYTES // MB}")
    for name, build in CASES.items():
        started = time.perf_counter()
        data = build()
        built = time.perf_counter() - started
        assert len(data) <= MAX_BYTES, f"{name} is larger than the upload limit"
        print(measure(name, data), f"build_s={built:.1f}", flush=True)


if __name__ == "__main__":
    main()
