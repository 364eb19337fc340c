"""Hostile submissions cost only their own points, and the grader keeps answering."""

import os
from pathlib import Path

import pytest

from grader import engine, paths
from helpers import with_reference, write_submission

HOSTILE = Path(__file__).parent / "hostile"
CASES = sorted(p for p in HOSTILE.glob("*.py"))


def target(path: Path) -> str:
    return path.read_text().splitlines()[0].removeprefix("# hostile:").strip()


def expected_flags(path: Path) -> set[str] | None:
    """The flag kinds a '# flags: KIND, ...' second line says the attempt must raise."""
    second = (path.read_text().splitlines() + [""])[1]
    if not second.startswith("# flags:"):
        return None
    return {k.strip() for k in second.removeprefix("# flags:").split(",") if k.strip()}


def tampered(folder: Path) -> list[Path]:
    """Files the tampering submission managed to overwrite (it writes a 'pwned' line)."""
    return [f for f in folder.rglob("*.py") if "pwned" in f.read_text()]


@pytest.mark.parametrize("case", CASES, ids=[p.stem for p in CASES])
def test_hostile_submission_earns_only_what_it_deserves(case, tmp_path):
    submission = write_submission(tmp_path, "exercise3", with_reference("exercise3", case.read_text()))
    result = engine.grade("exercise3", submission, check_timeout=2)
    scores = {t.name: (t.score, t.max_score) for t in result.tasks}
    if target(case) == "import":
        assert result.status == "import_error"
        assert result.score == 0
        assert result.error
    else:
        assert result.status == "graded", result.error
        hostile = scores.pop(target(case))
        assert hostile[0] == 0, f"the hostile task scored {hostile}"
        assert all(score == full for score, full in scores.values()), scores
    assert len(result.to_json()) < 200_000, "what the worker sent was not capped"
    flags = expected_flags(case)
    if flags is not None:
        assert flags <= {f.kind for f in result.flags}, result.flags
    assert not tampered(paths.COURSE_ROOT / "grader"), "the submission changed the grader"
    assert "GRADER_PWNED" not in os.environ, "a reply ran code in the grader's process"


def test_grader_still_answers_after_the_hostile_ones():
    result = engine.grade("exercise3", paths.SOLUTIONS / "exercise3.py")
    assert result.score == result.max_score
    assert result.flags == []


def test_statuses_name_what_went_wrong(tmp_path):
    def statuses(case):
        path = write_submission(tmp_path, "exercise3",
                                with_reference("exercise3", (HOSTILE / case).read_text()))
        result = engine.grade("exercise3", path, task="cross_entropy", check_timeout=1)
        return {c.status for t in result.tasks for c in t.checks}, result

    assert statuses("infinite_loop.py")[0] == {"timeout"}
    assert statuses("segfault.py")[0] == {"crashed"}
    found, result = statuses("exits.py")
    assert found == {"crashed"}
    assert "exit" in result.tasks[0].checks[0].feedback
    found, result = statuses("patches_comparisons.py")
    assert "passed" not in found


PATCHES_AT_IMPORT = """
import torch

# What a probe reads to tell a view from a copy, made to say whatever suits.
torch.Tensor.data_ptr = lambda self: 42
torch.Tensor.untyped_storage = lambda self: None


def what_probes_see():
    x = torch.zeros(3)
    return [x.data_ptr() == 42, x.untyped_storage() is None]
"""


def test_library_names_replaced_at_import_are_put_back_before_any_check():
    """Probes run in the worker after the submission loaded, on torch's own methods: names of
    torch, NumPy or the builtins a submission replaces at import are put back, and flagged."""
    from grader.student import Student
    from grader.submission import Submission

    student = Student(engine.fork_server(), Submission(PATCHES_AT_IMPORT, "spy.py", "spy"),
                      engine.sandbox_config())
    try:
        assert student.call("what_probes_see") == [False, False]
        assert any(kind == "patches-libraries" and "undone" in detail
                   for kind, detail in student.flags)
    finally:
        student.close()


def test_replacing_the_probes_at_import_earns_nothing_more(tmp_path):
    """exercise1 made of copies, Python loops and a non-in-place add earns 15/24; replacing
    the grader's probes at import (looked up by name at call time) made it 24/24."""
    honest = (HOSTILE / "exercise1" / "copies_and_loops.py").read_text()
    patched = honest + (HOSTILE / "exercise1" / "replaces_the_probes.py").read_text()
    (tmp_path / "honest").mkdir()
    plain = engine.grade("exercise1", write_submission(tmp_path / "honest", "exercise1", honest))
    cheat = engine.grade("exercise1", write_submission(tmp_path, "exercise1", patched))
    assert plain.flags == [] and 0 < plain.score < plain.max_score
    assert cheat.score <= plain.score, (cheat.score, plain.score)
    assert {"imports-grader", "touches-grader-modules"} <= {f.kind for f in cheat.flags}
