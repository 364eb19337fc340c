"""How long a student waits under `grade EXERCISE --watch`: from a save to the new report.

Starts `grade EXERCISE --watch --json` on a copy of the reference solution,
saves it ``--saves`` times (alternating two versions, one save at a time, each
once the previous report has arrived), and times each save until its result
document is read. Prints the median and 90th percentile next to a cold
`grade EXERCISE` measured in the same run, and their ratio:

    python bench/bench_watch.py                      # exercise3 and exercise6, 20 saves each
    python bench/bench_watch.py exercise3 --saves 40
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRADE = [sys.executable, "-m", "grader.cli"]


def cold_grade(exercise: str, path: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([*GRADE, exercise, "--submission", str(path), "--json"], check=True,
                       stdout=subprocess.DEVNULL, cwd=ROOT)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def save_to_report(exercise: str, path: Path, saves: int) -> tuple[list[float], list[float]]:
    """Seconds from each save to its report, and the grading time each report states."""
    versions = [path.read_text(), path.read_text() + "\n# saved again\n"]
    watching = subprocess.Popen([*GRADE, exercise, "--watch", "--json", "--submission", str(path)],
                                stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        json.loads(watching.stdout.readline())  # the first grade, before any save
        time.sleep(1.0)  # past the first quiet interval: the watcher is surely running
        latencies, grading = [], []
        for number in range(saves):
            started = time.perf_counter()
            path.write_text(versions[number % 2])
            document = json.loads(watching.stdout.readline())
            latencies.append(time.perf_counter() - started)
            grading.append(document["duration_s"])
            assert document["score"] == document["max_score"], document.get("error")
        return latencies, grading
    finally:
        watching.send_signal(signal.SIGINT)
        watching.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exercises", nargs="*", default=["exercise3", "exercise6"])
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--cold-runs", type=int, default=3)
    options = parser.parse_args()
    print(f"{'exercise':<10} {'saves':>5} {'median (s)':>11} {'p90 (s)':>8} {'of it grading':>14} "
          f"{'cold grade (s)':>15} {'cold / median':>14}")
    for exercise in options.exercises:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"{exercise}.py"
            path.write_text((ROOT / "solutions" / f"{exercise}.py").read_text())
            latencies, grading = save_to_report(exercise, path, options.saves)
            cold = cold_grade(exercise, path, options.cold_runs)
        median = statistics.median(latencies)
        p90 = statistics.quantiles(latencies, n=10, method="inclusive")[-1]
        print(f"{exercise:<10} {len(latencies):>5} {median:>11.3f} {p90:>8.3f} "
              f"{statistics.median(grading):>14.3f} {cold:>15.2f} {cold / median:>14.1f}")


if __name__ == "__main__":
    main()
