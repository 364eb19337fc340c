"""exercise6's cuda route (grader/cuda.py), on a machine without CUDA: when it is chosen,
what it falls back to and why, and that nothing before a worker starts CUDA.

None of this runs CUDA: the route's own numbers are for bench/gpu_proof.py on a GPU machine.
Choosing a route installs the stand-in GPU (process-wide state), so those tests run in a
forked child, as a grading worker does.
"""

import os
import resource
import sys

import pytest
import torch
from test_fakedevice import in_forked_worker

from grader import catalog, cuda, engine
from grader.check import Mistake
from grader.probes import exercise6 as probes


def route_in_a_worker(device: str | None, works=None):
    """(route, why, the device a GPU check hands the student) in a fresh forked worker,
    with GRADER_DEVICE=``device`` and, if given, ``works`` standing in for cuda.works."""
    def choose():
        os.environ.pop(cuda.VARIABLE, None)
        if device is not None:
            os.environ[cuda.VARIABLE] = device
        if works is not None:
            cuda.works = works
        probes.gpu_route.cache_clear()
        probes.prepare()
        target, route, why = probes.target_device("gpu")
        return route, why, str(target)
    return in_forked_worker(choose)


def test_without_grader_device_the_stand_in_is_used_as_before():
    assert route_in_a_worker(None) == ("fake", None, "gpu")
    assert route_in_a_worker("stand-in") == ("fake", None, "gpu")


def test_asked_for_cuda_where_it_is_not_available_the_stand_in_says_why():
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    assert route_in_a_worker("cuda") == (
        "fake", "GRADER_DEVICE=cuda, but torch.cuda.is_available() is False in the grading "
        "worker", "gpu")


def cuda_that_fails():
    """cuda.works on a machine where CUDA is available but fails, as it would if a parent
    had started it before forking."""
    torch.cuda.is_available = lambda: True

    def failing_ones(*args, **kwargs):
        if kwargs.get("device") == "cuda":
            raise RuntimeError("CUDA error: initialization error\nCUDA kernel errors ...")
        return torch.zeros(*args, **kwargs) + 1
    torch.ones = failing_ones
    return cuda.works()


def test_cuda_that_fails_in_the_worker_falls_back_with_its_error():
    works, why = in_forked_worker(cuda_that_fails)
    assert (works, why) == (False, "GRADER_DEVICE=cuda, but CUDA failed in the grading worker "
                                   "(RuntimeError: CUDA error: initialization error)")


def test_cuda_that_works_is_the_route_and_the_student_gets_cuda_0():
    """Selection only: the cuda route is taken when cuda.works says so (no tensor is made)."""
    assert route_in_a_worker("cuda", works=lambda: (True, None)) == ("cuda", None, "cuda:0")


def test_nothing_before_a_worker_starts_cuda():
    """The fork-server seeds and warms up asking NVML, never CUDA (grader/cuda.py)."""
    from grader.worker import warm_up

    warm_up()
    assert not torch.cuda.is_initialized()
    assert cuda.visible() is (torch.cuda.device_count() > 0)


def test_only_a_gpu_exercise_told_it_has_a_gpu_runs_cuda(monkeypatch):
    exercise6, exercise3 = (catalog.load(e).exercise for e in ("exercise6", "exercise3"))
    assert exercise6.resources == {"GPU": 1} and not exercise3.resources
    monkeypatch.delenv(cuda.VARIABLE, raising=False)
    assert not engine.runs_cuda(exercise6)
    monkeypatch.setenv(cuda.VARIABLE, "cuda")
    assert engine.runs_cuda(exercise6) and not engine.runs_cuda(exercise3)
    assert engine.sandbox_config(with_cuda=True).limits.cuda


# -- the checks' sentences on the cuda route -------------------------------------------------

CUDA_MIXING = ("Expected all tensors to be on the same device, but found at least two devices, "
               "cuda:0 and cpu! (when checking argument for argument mat1 in method "
               "wrapper_CUDA_addmm)")


def cuda_report(**changes) -> dict:
    report = {"route": "cuda", "why": None, "name_on_device": "cuda:0", "cuda_requests": [],
              "unmoved": [], "model_on_device": True, "param_devices": ["cuda:0"], "error": None}
    return {**report, **changes}


def test_a_batch_left_on_the_cpu_is_told_with_cudas_own_error():
    checks = sys.modules[catalog.load("exercise6").module_name]
    error = {"type": "RuntimeError", "message": CUDA_MIXING,
             "traceback": f'  File "exercise6.py", line 7, in train_one_epoch\nRuntimeError: {CUDA_MIXING}\n'}
    report = cuda_report(unmoved=[["inputs", "linear"]], error=error)
    with pytest.raises(Mistake) as told:
        checks.expect_on_the_device("train_one_epoch", [], report, moves_model=False)
    text = str(told.value)
    assert "did not move the batch: the inputs reached the model still on the CPU" in text
    assert "The grader ran your code on a real GPU, device 'cuda:0'." in text
    assert "stand-in" not in text and CUDA_MIXING in text


def test_a_loop_that_moves_everything_passes_on_cuda():
    checks = sys.modules[catalog.load("exercise6").module_name]
    forwards = [{"training": True, "grad": True, "device": "cuda:0", "moved": True}]
    checks.expect_on_the_device("fit", forwards, cuda_report(), moves_model=True)


def test_a_cuda_worker_is_held_to_its_data_not_its_address_space():
    """CUDA reserves address space beyond RLIMIT_AS's allowance as it starts; the allowance
    holds for the data instead, so a submission still cannot take the machine's memory."""
    from test_sandbox import SPY

    from grader.student import Student, StudentRaised
    from grader.submission import Submission

    spy = SPY + '''
def limits():
    return [resource.getrlimit(r)[0] for r in (resource.RLIMIT_AS, resource.RLIMIT_DATA)]

def allocate(gib):
    return len(bytearray(gib * 1024**3))
'''
    worker = Student(engine.fork_server(), Submission(spy, "spy.py", "spy"),
                     engine.sandbox_config(with_cuda=True), timeout=10)
    try:
        address_space, data = worker.limits()
        assert address_space == resource.getrlimit(resource.RLIMIT_AS)[0]  # left as it was
        assert 0 < data < 64 * 1024**3
        with pytest.raises(StudentRaised, match="MemoryError"):
            worker.allocate(4)
    finally:
        worker.close()
