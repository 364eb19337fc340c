"""`grade batch` against one `grade` process per submission, side by side in one run.

    python bench/bench_batch.py [--exercise exercise3] [--count 30] [--sample 8] [--jobs N]
                                [--scheduler local:2 | tcp://host:8786]

Writes a class of ``--count`` submissions of the exercise (the reference solution,
the stub and every mutant, in turn), then measures:

* one process each: ``grade EXERCISE --submission FILE --json`` for ``--sample``
  of them, one after another (how established graders run), and ``--jobs`` at a
  time (a shell loop made parallel);
* batch: ``grade batch`` over the whole class with ``--jobs`` workers, start-up
  included, and in steady state (from its first result to its last);
* with ``--scheduler``: the same batch on that Dask cluster (``local:2``: two Dask worker
  processes here), both ways, beside the local pool.

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


def timed_batch(folder: Path, out: Path, exercise: str, *options: str) -> tuple[float, float]:
    """Seconds per submission of ``grade batch``: start-up included, and from the first
    result to the last (its piped output is one line per result, read as it comes)."""
    started, seen = time.perf_counter(), []
    with subprocess.Popen([*GRADE, "batch", str(folder), "--exercise", exercise, "--out",
                           str(out), *options], stdout=subprocess.PIPE, text=True,
                          cwd=ROOT) as batch:
        for line in batch.stdout:
            if line.startswith("["):  # "[k/N] student graded ..."
                seen.append(time.perf_counter())
    if batch.returncode:
        sys.exit(f"grade batch {' '.join(options)} failed")
    total = (time.perf_counter() - started) / len(seen)
    return total, (seen[-1] - seen[0]) / max(1, len(seen) - 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercise", default="exercise3")
    parser.add_argument("--count", type=int, default=30, help="submissions in the class")
    parser.add_argument("--sample", type=int, default=8,
                        help="submissions graded one process each")
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--scheduler", help="also grade the class on this Dask cluster")
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

        batch, steady = timed_batch(folder, Path(scratch) / "out", args.exercise,
                                    "--jobs", str(args.jobs))
        if args.scheduler:
            on_cluster = timed_batch(folder, Path(scratch) / "cluster", args.exercise,
                                     "--scheduler", args.scheduler)

    rows = [(f"grade, one process each, one at a time ({len(sample)} submissions)", sequential),
            (f"grade, one process each, {args.jobs} at a time ({len(sample)} submissions)",
             parallel),
            (f"grade batch --jobs {args.jobs} ({len(files)} submissions, start-up included)",
             batch),
            (f"grade batch --jobs {args.jobs}, first result to last", steady)]
    if args.scheduler:
        rows += [(f"grade batch --scheduler {args.scheduler} (start-up included)", on_cluster[0]),
                 (f"grade batch --scheduler {args.scheduler}, first result to last",
                  on_cluster[1])]
    width = max(len(name) for name, _ in rows)
    print(f"{'':<{width}}  s/submission  submissions/min")
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds:>12.3f}  {60 / seconds:>15.1f}")
    print(f"batch throughput: {sequential / batch:.1f}x one process each one at a time, "
          f"{parallel / batch:.1f}x {args.jobs} at a time")
    if args.scheduler:
        print(f"cluster cost per submission: {on_cluster[0] / batch:.2f}x the local pool's "
              f"start-up included, {on_cluster[1] / steady:.2f}x first result to last")


if __name__ == "__main__":
    main()
