"""The grading plugin: how a check's outcome becomes a CheckResult."""

from __future__ import annotations

from grader import engine
from helpers import with_reference, write_submission


def test_a_hung_task_costs_one_timeout_not_one_per_check(tmp_path):
    path = write_submission(tmp_path, "exercise3", with_reference("exercise3", (
        "def sigmoid(x):\n    while True:\n        pass\n")))
    result = engine.grade("exercise3", path, check_timeout=1)
    sigmoid = next(t for t in result.tasks if t.name == "sigmoid")
    waited = [c for c in sigmoid.checks if "did not return within 1 s" in c.feedback]
    skipped = [c for c in sigmoid.checks if c.feedback.startswith("Not run")]
    assert len(waited) == 1 and len(skipped) == len(sigmoid.checks) - 1
    assert {c.status for c in sigmoid.checks} == {"timeout"}
    assert f"'{waited[0].name}'" in skipped[0].feedback
    # The other tasks are graded as usual, mlp_forward included (its sigmoid is called
    # in mlp_forward's own checks, which have their own clock).
    assert all(t.score == t.max_score for t in result.tasks if t.name not in ("sigmoid", "mlp_forward"))
