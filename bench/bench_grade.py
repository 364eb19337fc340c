"""How long `grade EXERCISE` takes on a reference solution, against a bare `import torch`.

Runs the commands interleaved (so machine load hits them alike), several
times, and prints the medians, the difference and the ratio from this one run.
Two baselines: ``python -c "import torch"`` as it is, and the same ending with
``os._exit(0)``: ``grade`` skips Python's own teardown of a process that has
imported torch (0.3 s), so the second says what the grading itself costs.

    python bench/bench_grade.py                 # exercise3
    python bench/bench_grade.py --all --runs 3  # every exercise
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRADE = [sys.executable, "-m", "grader.cli"]


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - started


def bench(exercise: str, runs: int) -> tuple[float, float, float]:
    grade = [*GRADE, exercise, "--submission", str(ROOT / "solutions" / f"{exercise}.py"), "--json"]
    torch_only = [sys.executable, "-c", "import torch"]
    torch_no_teardown = [sys.executable, "-c", "import os, torch; os._exit(0)"]
    timed(torch_only)  # warm the file cache once
    times: list[list[float]] = [[], [], []]
    for _ in range(runs):
        for kept, command in zip(times, (grade, torch_only, torch_no_teardown)):
            kept.append(timed(command))
    grade_s, torch_s, bare_s = (statistics.median(t) for t in times)
    return grade_s, torch_s, bare_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exercises", nargs="*", default=["exercise3"])
    parser.add_argument("--all", action="store_true", help="bench every exercise")
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    exercises = options.exercises
    if options.all:
        sys.path.insert(0, str(ROOT))
        from grader.catalog import exercise_names

        exercises = exercise_names()
    print(f"{'exercise':<10} {'grade (s)':>10} {'import torch (s)':>17} {'ratio':>6}"
          f" {'import torch, no teardown (s)':>30} {'ratio':>6}")
    for exercise in exercises:
        grade, torch_only, bare = bench(exercise, options.runs)
        print(f"{exercise:<10} {grade:>10.2f} {torch_only:>17.2f} {grade / torch_only:>6.2f}"
              f" {bare:>30.2f} {grade / bare:>6.2f}")


if __name__ == "__main__":
    main()
