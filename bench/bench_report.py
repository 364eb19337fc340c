"""How long the class report takes to build, for a class of 40 and of 300.

    python bench/bench_report.py

Builds synthetic classes from the reference solution and an honest different one
(half copies, half honest, each with a function of its own), graded results made
up without grading, and times ``write_report``: similarity compares every pair, so
the ratio of the two times says how it grows with the class.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader import classreport, paths  # noqa: E402
from grader.gradebook import unique_file_names  # noqa: E402
from grader.results import CheckResult, GradeResult, TaskResult  # noqa: E402

SOLUTION = (paths.SOLUTIONS / "exercise3.py").read_text()
HONEST = (ROOT / "tests" / "similar" / "honest.py").read_text()


def klass(n: int) -> tuple[list[GradeResult], dict[str, str]]:
    results, sources = [], {}
    for i in range(n):
        student = f"student{i:04d}"
        checks = [CheckResult(f"check {j}", "passed" if (i + j) % 3 else "failed",
                              float((i + j) % 3 > 0), 1.0, f"row {j} sums to {i / 7:.2f}")
                  for j in range(6)]
        results.append(GradeResult("exercise3", student, "graded", sum(c.score for c in checks),
                                   6.0, [TaskResult("softmax", sum(c.score for c in checks), 6.0,
                                                    checks)]))
        code = re.sub(r"\bx\b", f"v{i}", SOLUTION if i % 2 else HONEST)
        sources[student] = code + f"\n\ndef extra_{i}(a):\n    return a * {i} + {i % 7}\n"
    return results, sources


def build(n: int) -> float:
    results, sources = klass(n)
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        classreport.write_report(Path(out), results,
                                 unique_file_names([r.submission for r in results]), sources)
        return time.perf_counter() - started


if __name__ == "__main__":
    small, large = build(40), build(300)
    print(f"class report, 40 students:  {small:.2f} s")
    print(f"class report, 300 students: {large:.2f} s")
    print(f"ratio 300/40: {large / small:.1f} (students: 7.5, pairs: {300 * 299 / (40 * 39):.0f})")
