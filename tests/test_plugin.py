"""The pytest plugin that runs the checks: only through pytest's public doors."""

import json
import os
import subprocess
import sys

from grader import engine, paths
from helpers import with_reference, write_submission

EVIL = '''
import os
open(os.environ["EVIL_MARKER"], "w").close()

def pytest_collection_modifyitems(items):
    items.clear()
'''


def test_installed_pytest_plugins_never_load_while_grading(tmp_path):
    """A plugin installed on one machine and not another must not change a score."""
    site = tmp_path / "site"
    info = site / "evil_plugin-0.1.dist-info"
    info.mkdir(parents=True)
    (site / "evil_plugin.py").write_text(EVIL)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: evil-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[pytest11]\nevil = evil_plugin\n")
    marker = tmp_path / "loaded"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(paths.COURSE_ROOT)]),
           "EVIL_MARKER": str(marker)}
    env.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
    found = subprocess.run([sys.executable, "-c", "import importlib.metadata as m; print("
                            "[e.name for e in m.entry_points(group='pytest11')])"],
                           env=env, capture_output=True, text=True)
    assert "evil" in found.stdout  # pytest would load it, were autoload on
    shown = subprocess.run([sys.executable, "-m", "grader.cli", "exercise3", "--submission",
                            str(paths.SOLUTIONS / "exercise3.py"), "--json"],
                           env=env, capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["score"] == 30.0
    assert not marker.exists()


def test_no_conftest_of_the_folder_grade_runs_in_loads_while_grading(tmp_path):
    """pytest imports conftest.py from test* folders of where it runs: a course's tests/, or a
    student's own. Neither belongs in the process that holds the checks and the scores."""
    marker = tmp_path / "loaded"
    for folder in ("tests", "testing"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "conftest.py").write_text(EVIL)
    env = {**os.environ, "PYTHONPATH": str(paths.COURSE_ROOT), "EVIL_MARKER": str(marker)}
    shown = subprocess.run([sys.executable, "-m", "grader.cli", "exercise3", "--submission",
                            str(paths.SOLUTIONS / "exercise3.py"), "--json"], cwd=tmp_path,
                           env=env, capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["score"] == 30.0
    assert not marker.exists()


def test_a_failed_check_reports_its_sentence_not_pytests_long_report(tmp_path):
    from grader import engine
    from helpers import with_reference, write_submission

    wrong = "def sigmoid(x):\n    return x * 0\n"
    path = write_submission(tmp_path, "exercise3", with_reference("exercise3", wrong))
    result = engine.grade("exercise3", path, task="sigmoid")
    failed = [c for _, c in result.checks() if c.status != "passed"]
    assert failed and all(c.feedback and "def test_" not in c.feedback for c in failed)


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
