"""Does a long `grade batch` leak? Resident memory of its processes as the results come in.

    python bench/bench_memory.py [--count 300] [--jobs 2]

Writes a class of ``--count`` exercise3 submissions (the solution, the stub and
every mutant, in turn), runs ``grade batch`` over it, and samples the resident
memory (RSS) of the batch process and of its grading processes every 0.2 s,
beside the number of results written so far. It prints RSS after the first
quarter of the class and at the end, and the growth per 100 submissions.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_batch import GRADE, ROOT, write_submissions  # noqa: E402


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0.0


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def sample(batch: int) -> tuple[float, float]:
    """RSS of the batch process, and the largest of its grading processes (the spawner's
    children; the spawner itself only forks)."""
    grading = [g for spawner in children(batch) for g in children(spawner)]
    return rss_mb(batch), max((rss_mb(g) for g in grading), default=0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder, out = Path(scratch) / "class", Path(scratch) / "out"
        write_submissions(folder, "exercise3", args.count)
        process = subprocess.Popen([*GRADE, "batch", str(folder), "--exercise", "exercise3",
                                    "--out", str(out), "--jobs", str(args.jobs)],
                                   stdout=subprocess.DEVNULL, cwd=ROOT)
        samples = []  # (results so far, batch RSS, largest grading process RSS)
        while process.poll() is None:
            results = out / "results.jsonl"
            done = results.read_bytes().count(b"\n") if results.exists() else 0
            batch, grading = sample(process.pid)
            if grading:
                samples.append((done, batch, grading))
            time.sleep(0.2)
    if process.returncode != 0 or not samples:
        sys.exit("grade batch failed")
    quarter = next(s for s in samples if s[0] >= args.count // 4)
    last = samples[-1]
    per_100 = 100 / max(1, last[0] - quarter[0])
    print(f"{args.count} exercise3 submissions, --jobs {args.jobs}; RSS in MB")
    print(f"{'':<28}{'after ' + str(quarter[0]):>12}{'after ' + str(last[0]):>12}{'per 100':>10}")
    for name, index in (("batch process", 1), ("largest grading process", 2)):
        growth = (last[index] - quarter[index]) * per_100
        print(f"{name:<28}{quarter[index]:>12.1f}{last[index]:>12.1f}{growth:>+10.1f}")


if __name__ == "__main__":
    main()
