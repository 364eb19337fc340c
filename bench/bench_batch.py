"""`grade batch` against one `grade` process per submission, side by side in one run.

    python bench/bench_batch.py [--exercise exercise3] [--count 30] [--sample 8] [--jobs N]

Writes a class of ``--count`` submissions of the exercise (the reference solution,
the stub and every mutant, in turn), then measures:

* one process each: ``grade EXERCISE --submission FILE --json`` for ``--sample``
  of them, one after another (how established graders run), and ``--jobs`` at a
  time (a shell loop made parallel);
* batch: ``grade batch`` over the whole class with ``--jobs`` workers, start-up
  included.

It prints seconds per submission for each and the ratios. Every figure comes
from this one run on this machine; a busy machine slows all of them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRADE = [sys.executable, "-m", "grader.cli"]


def write_submissions(folder: Path, exercise: str, count: int) -> list[Path]:
    solution = (ROOT / "solutions" / f"{exercise}.py").read_text()
    sources = [solution, (ROOT / "exercises" / f"{exercise}.py").read_text()]
    sources += [solution + "\n\n" + m.read_text()
                for m in sorted((ROOT / "tests" / "mutants" / exercise).glob("*.py"))]
    files = []
    for i in range(count):
        path = folder / f"student{i:03d}" / f"{exercise}.py"
        path.parent.mkdir(parents=True)
        path.write_text(sources[i % len(sources)])
        files.append(path)
    return files


def grade_one(path: Path) -> float:
    started = time.perf_counter()
    subprocess.run([*GRADE, path.stem, "--submission", str(path), "--json"], check=True,
                   stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercise", default="exercise3")
    parser.add_argument("--count", type=int, default=30, help="submissions in the class")
    parser.add_argument("--sample", type=int, default=8,
                        help="submissions graded one process each")
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "class"
        files = write_submissions(folder, args.exercise, args.count)
        step = max(1, len(files) // args.sample)
        sample = files[::step][: args.sample]
        print(f"{os.cpu_count()} CPUs ({len(os.sched_getaffinity(0))} usable), load average "
              f"{os.getloadavg()[0]:.1f}; {args.exercise}, {args.count} submissions, "
              f"--jobs {args.jobs}", flush=True)

        subprocess.run([*GRADE, "list"], check=True, stdout=subprocess.DEVNULL, cwd=ROOT)  # warm
        started = time.perf_counter()
        for path in sample:
            grade_one(path)
        sequential = (time.perf_counter() - started) / len(sample)

        started = time.perf_counter()
        with ThreadPoolExecutor(args.jobs) as pool:
            list(pool.map(grade_one, sample))
        parallel = (time.perf_counter() - started) / len(sample)

        started = time.perf_counter()
        subprocess.run([*GRADE, "batch", str(folder), "--exercise", args.exercise, "--out",
                        str(Path(scratch) / "out"), "--jobs", str(args.jobs)],
                       check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        batch = (time.perf_counter() - started) / len(files)

    rows = [(f"grade, one process each, one at a time ({len(sample)} submissions)", sequential),
            (f"grade, one process each, {args.jobs} at a time ({len(sample)} submissions)",
             parallel),
            (f"grade batch --jobs {args.jobs} ({len(files)} submissions, start-up included)",
             batch)]
    width = max(len(name) for name, _ in rows)
    print(f"{'':<{width}}  s/submission  submissions/min")
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds:>12.3f}  {60 / seconds:>15.1f}")
    print(f"batch throughput: {sequential / batch:.1f}x one process each one at a time, "
          f"{parallel / batch:.1f}x {args.jobs} at a time")


if __name__ == "__main__":
    main()
