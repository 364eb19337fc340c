"""`grade check` for every exercise: solutions full, stubs 0, every mutant caught (one by hidden
checks only), stable scores."""

import pytest

from grader import catalog, selfcheck


@pytest.mark.parametrize("exercise", catalog.exercise_names())
def test_checks_tell_right_from_wrong(exercise):
    findings = selfcheck.check_exercise(exercise)
    failures = [f"{f.subject}: {f.detail}" for f in findings if not f.ok]
    assert not failures, "\n".join(failures)
    assert any(f.subject.startswith("mutant") for f in findings), "no mutants for " + exercise
    # What hidden checks are for: a mistake the public checks let through costs points.
    assert any(f.subject.startswith("a mutant passes every public check") for f in findings)
