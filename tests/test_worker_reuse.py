"""One worker serves every task of a submission while the code it runs leaves no trace.

A worker per task cost half of all grading time; reuse must not make one task's
leftovers the next task's problem (tests/hostile/leaves_traces.py shows that
it does not). Here: honest code keeps its worker, and what counts as a trace.
"""

import sys
import types

import pytest
import torch

from grader import catalog, engine, paths
from grader.forkserver import ForkServer
from grader.worker import changes_since, process_state


@pytest.mark.parametrize("exercise", catalog.exercise_names())
def test_a_reference_solution_is_graded_by_one_worker(exercise, monkeypatch):
    spawned = []
    spawn = ForkServer.spawn
    monkeypatch.setattr(ForkServer, "spawn", lambda self, config: spawned.append(1) or spawn(self, config))
    result = engine.grade(exercise, paths.SOLUTIONS / f"{exercise}.py")
    assert result.score == result.max_score
    assert len(spawned) == 1, f"{exercise}'s solution needed {len(spawned)} workers"


def test_lazy_imports_are_not_traces_but_changed_names_and_switches_are(monkeypatch):
    before = process_state()
    submodule = types.ModuleType("torch.lazily_loaded")  # as torch loads its submodules
    monkeypatch.setattr(torch, "lazily_loaded", submodule, raising=False)
    monkeypatch.setitem(sys.modules, "torch.lazily_loaded", submodule)
    assert changes_since(before, process_state()) == []
    monkeypatch.setattr(torch.Tensor, "exp", lambda self: self)
    monkeypatch.setattr(torch, "get_default_dtype", torch.get_default_dtype)  # same object: no trace
    assert changes_since(before, process_state()) == ["torch.Tensor.exp"]
    torch.set_default_dtype(torch.float64)
    try:
        assert {"torch", "torch.Tensor.exp"} <= set(changes_since(before, process_state()))
    finally:
        torch.set_default_dtype(torch.float32)
