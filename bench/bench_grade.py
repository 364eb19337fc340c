"""How long `grade EXERCISE` takes on a reference solution, against a bare `import torch`.

Runs both commands interleaved (so machine load hits both alike), several
times, and prints the medians, the difference and the ratio from this one run:

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


def bench(exercise: str, runs: int) -> tuple[float, float]:
    grade = [*GRADE, exercise, "--submission", str(ROOT / "solutions" / f"{exercise}.py"), "--json"]
    torch_only = [sys.executable, "-c", "import torch"]
    timed(torch_only)  # warm the file cache once
    grade_times, torch_times = [], []
    for _ in range(runs):
        grade_times.append(timed(grade))
        torch_times.append(timed(torch_only))
    return statistics.median(grade_times), statistics.median(torch_times)


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
    print(f"{'exercise':<10} {'grade (s)':>10} {'import torch (s)':>17} {'difference':>11} {'ratio':>6}")
    for exercise in exercises:
        grade, torch_only = bench(exercise, options.runs)
        print(f"{exercise:<10} {grade:>10.2f} {torch_only:>17.2f} {grade - torch_only:>+11.2f} "
              f"{grade / torch_only:>6.2f}")


if __name__ == "__main__":
    main()
