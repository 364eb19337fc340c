"""grader.pool as a cluster's worker uses it: a kept pool, fed one submission a run."""

from __future__ import annotations

import json
import subprocess
import sys

from batch_fixture import SOLUTION, STUB

# In a process of its own: a pool refuses to start in one that loaded the checks (pytest's).
KEPT = f"""
import json
from pathlib import Path
from grader.pool import Graded, Job, Pool, Ready
from grader.submission import read_submission

pool = Pool("exercise3", 1, keep=True)
runs = []
for name, path in [("ann", {str(SOLUTION)!r}), ("bob", {str(STUB)!r})]:
    source = read_submission(Path(path), "exercise3")
    job = Job(name, Path("nowhere/exercise3.py"), source)  # graded from the source it carries
    events = list(pool.run([job], []))
    runs.append({{"ready": sum(isinstance(e, Ready) for e in events),
                  "graded": [(e.student, e.result.score) for e in events if isinstance(e, Graded)],
                  "processes": [s.pid for s in pool.slots]}})
pool.close()
print(json.dumps(runs))
"""


def test_a_kept_pool_grades_run_after_run_in_the_same_grading_process():
    shown = subprocess.run([sys.executable, "-c", KEPT], capture_output=True, text=True,
                           timeout=240)
    assert shown.returncode == 0, shown.stderr
    first, second = json.loads(shown.stdout.splitlines()[-1])
    assert first["graded"] == [["ann", 30.0]] and second["graded"] == [["bob", 0.0]]
    assert len(first["processes"]) == 1 and second["processes"] == first["processes"]
    assert (first["ready"], second["ready"]) == (1, 0)  # the template and budget, once
