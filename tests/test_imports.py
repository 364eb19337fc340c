"""The imports that keep grading cheap stay out: sympy (0.35 s, pulled in by backward() with a
gradient tensor), torch._dynamo (0.8 s, pulled in by torch.optim) and scikit-learn never
enter the grader's process or the fork-server's while an exercise3 submission is graded."""

import json
import subprocess
import sys

from grader import paths

SLOW = ("sympy", "torch._dynamo", "sklearn")

SCRIPT = f"""
import json, sys
from grader import engine
from grader.student import Student
from grader.submission import Submission

result = engine.grade("exercise3", {str(paths.SOLUTIONS / "exercise3.py")!r})
assert result.score == result.max_score, result.to_json()
# A worker is forked from the fork-server: what it holds, the fork-server held.
spy = Student(engine.fork_server(), Submission(
    "import sys\\ndef modules():\\n    return sorted(sys.modules)\\n", "spy.py", "spy"),
    engine.sandbox_config())
print(json.dumps({{"grader": sorted(sys.modules), "fork-server": spy.call("modules")}}))
spy.close()
"""


def test_grading_exercise3_imports_none_of_the_slow_modules():
    shown = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                           timeout=120)
    assert shown.returncode == 0, shown.stderr
    loaded = json.loads(shown.stdout.splitlines()[-1])
    assert "torch" in loaded["fork-server"] and "grader.plugin" in loaded["grader"]
    for process, modules in loaded.items():
        slow = [m for m in modules if m.split(".")[0] in SLOW or m.startswith(SLOW)]
        assert not slow, f"{process} imported {slow[:5]}"
