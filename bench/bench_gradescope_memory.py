"""Peak memory and CPU of grading one submission, against Gradescope's default limits.

Gradescope's default autograder container has 768 MB of memory and half a CPU.
A container counts the memory of every process in it, so this samples the whole
process tree of one `grade EXERCISE` (grader, fork-server, workers) every 20 ms and
sums its proportional set size (PSS: a page shared by forked workers counts once,
as the container's memory does). It prints the peak, its ratio to 768 MB, and the
CPU seconds used (sampled per process, so the shortest-lived workers' are missed;
at half a CPU, the wall time is about twice that):

    python bench/bench_gradescope_memory.py              # exercise6, the training loop
    python bench/bench_gradescope_memory.py exercise3
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
GRADESCOPE_MEMORY_MB = 768
GRADESCOPE_CPUS = 0.5


def tree_pss(process: psutil.Process, cpu: dict[int, float]) -> int:
    """Bytes of the tree's PSS; records each process's CPU seconds so far in ``cpu``."""
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_full_info().pss
            times = p.cpu_times()
            cpu[p.pid] = max(cpu.get(p.pid, 0.0), times.user + times.system)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total


def measure(exercise: str) -> tuple[float, float, float]:
    command = [sys.executable, "-m", "grader.cli", exercise, "--submission",
               str(ROOT / "solutions" / f"{exercise}.py"), "--json"]
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    process, peak, cpu = psutil.Process(child.pid), 0, {}
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        try:
            peak = max(peak, tree_pss(process, cpu))
        except psutil.NoSuchProcess:
            pass
        time.sleep(0.02)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"grading {exercise} failed ({os.waitstatus_to_exitcode(status)})")
    # the tree's samples, or what wait4 counted for the child and what it waited for
    cpu_s = max(sum(cpu.values()), usage.ru_utime + usage.ru_stime)
    return peak / 1e6, cpu_s, time.perf_counter() - started


def main() -> None:
    exercise = sys.argv[1] if len(sys.argv) > 1 else "exercise6"
    peak_mb, cpu_s, wall_s = measure(exercise)
    print(f"{exercise}: peak memory {peak_mb:.0f} MB = {peak_mb / GRADESCOPE_MEMORY_MB:.2f} x "
          f"Gradescope's default {GRADESCOPE_MEMORY_MB} MB")
    print(f"{exercise}: {cpu_s:.1f} CPU s (wall {wall_s:.1f} s here); at Gradescope's "
          f"{GRADESCOPE_CPUS} CPU about {cpu_s / GRADESCOPE_CPUS:.0f} s")


if __name__ == "__main__":
    main()
