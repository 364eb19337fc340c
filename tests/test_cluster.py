"""`grade batch --scheduler`: a class graded on a real Dask cluster of worker processes.

Every cluster here listens on 127.0.0.1 only. The practice class (tests/batch_fixture.py,
without its hangs) is graded once locally and once on ``local:2``; the other tests grade
small classes on a cluster the test starts itself (``grader.cluster.local_cluster``, as
``local:N`` does, or a ``dask worker`` process), so that they can kill its workers.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import distributed  # the [test] extra installs it
import pytest
from batch_fixture import EXERCISE, GRADE, SOLUTION, STUB, TIMEOUT, run_batch, write_class
from test_batch import documents, namespaces_available, rows, without_durations

from grader import catalog, cluster, cuda, paths
from grader.batch import grade_batch
from grader.errors import BatchError
from grader.progress import Display


def cluster_batch(folder: Path, out: Path, scheduler: str, *extra: str):
    return subprocess.run([*GRADE, "batch", str(folder), "--exercise", EXERCISE, "--out",
                           str(out), "--timeout", TIMEOUT, "--scheduler", scheduler, *extra],
                          capture_output=True, text=True, timeout=400)


def only(table: tuple[list[dict], list[list[str]]], students: set[str]):
    docs, csv_rows = table
    return ([d for d in docs if d["submission"] in students],
            [csv_rows[0]] + [r for r in csv_rows[1:] if r[0] in students])


@pytest.fixture(scope="module")
def practice_class(tmp_path_factory):
    """The practice class, graded by the local pool: the gradebook every cluster must give."""
    root = tmp_path_factory.mktemp("practice")
    folder, out = root / "class", root / "local"
    expected = write_class(folder, out=out, hostile=False, hangs=False)
    finished = run_batch(folder, out)
    assert finished.returncode == 0, finished.stderr
    return folder, out, expected


@pytest.fixture
def two_workers():
    """A cluster of two worker processes, and a client of the test's own to watch it."""
    with cluster.local_cluster(2) as local, distributed.Client(local) as client:
        yield local, client


def grading_worker(client, but: str | None = None, deadline_s: float = 120) -> str:
    """The address of a worker (other than ``but``) that is grading a submission now."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        for address, keys in client.processing().items():
            if address != but and any(str(key).startswith("grade-") for key in keys):
                return address
        time.sleep(0.05)
    raise AssertionError("no worker started grading")


def kill(client, address: str) -> None:
    pid = client.run(os.getpid, workers=[address])[address]
    os.kill(pid, signal.SIGKILL)  # as the kernel's OOM killer might


# -- the same gradebook ----------------------------------------------------------------------

@pytest.mark.slow
def test_the_practice_class_on_two_workers_gives_the_local_gradebook(practice_class, tmp_path):
    folder, local, expected = practice_class
    finished = cluster_batch(folder, tmp_path / "out", "local:2")
    assert finished.returncode == 0, finished.stderr
    assert without_durations(tmp_path / "out") == without_durations(local)
    assert {s: r["status"] for s, r in rows(tmp_path / "out").items()} == {
        s: e.status for s, e in expected.items()}
    assert "distributed" not in finished.stderr  # Dask's own chatter stays out of the way


@pytest.mark.slow
def test_a_worker_killed_mid_batch_loses_nothing(practice_class, two_workers, tmp_path):
    _, local, _ = practice_class
    folder, out = tmp_path / "class", tmp_path / "out"
    subset = set(write_class(folder, out=out, hostile=False, hangs=False, mutants=False))
    local_cluster, client = two_workers
    batch = subprocess.Popen([*GRADE, "batch", str(folder), "--exercise", EXERCISE, "--out",
                              str(out), "--scheduler", local_cluster.scheduler_address],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    kill(client, grading_worker(client))
    stdout, stderr = batch.communicate(timeout=400)
    assert batch.returncode == 0, stderr
    assert only(without_durations(out), subset) == only(without_durations(local), subset), stdout


@pytest.mark.slow
def test_a_submission_that_kills_two_workers_is_a_grader_error(two_workers, tmp_path):
    folder, out = tmp_path / "class", tmp_path / "out"
    folder.mkdir()
    (folder / "victim.py").write_text(SOLUTION.read_text())
    local_cluster, client = two_workers
    batch = subprocess.Popen([*GRADE, "batch", str(folder), "--exercise", EXERCISE, "--out",
                              str(out), "--scheduler", local_cluster.scheduler_address],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = grading_worker(client)
    kill(client, first)
    kill(client, grading_worker(client, but=first))  # wherever it runs next; no third time
    stdout, stderr = batch.communicate(timeout=400)
    assert batch.returncode == 0, stderr
    assert {s: (r["status"], r["total"]) for s, r in rows(out).items()} == {
        "victim": ("grader_error", "0")}, stdout
    (doc,) = documents(out)
    assert "every Dask worker that ran it died" in doc["error"], doc["error"]


CALLS_THE_SCHEDULER = """
import socket
_honest = cross_entropy

def cross_entropy(logits, targets):  # right only if it can reach the cluster's scheduler
    socket.create_connection(({host!r}, {port}), timeout=2).close()
    return _honest(logits, targets)
"""


@pytest.mark.slow
def test_hostile_submissions_lose_only_their_own_points(two_workers, tmp_path):
    folder, out = tmp_path / "class", tmp_path / "out"
    expected = write_class(folder, out=out, mutants=False)
    keep = {"ada", "ben", "gus", "h_kills_its_parent", "h_segfault", "h_exits", "h_fork_bomb",
            "h_copycat", "h_ignores_signals"}
    for name in set(expected) - keep:  # a few of each kind: this test pays two workers' start
        for path in folder.glob(f"{name}*"):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    local_cluster, _ = two_workers
    host, port = local_cluster.scheduler_address.removeprefix("tcp://").rsplit(":", 1)
    (folder / "h_calls_the_scheduler.py").write_text(
        SOLUTION.read_text() + CALLS_THE_SCHEDULER.format(host=host, port=port))
    finished = cluster_batch(folder, out, local_cluster.scheduler_address)
    assert finished.returncode == 0, finished.stderr
    table = rows(out)
    assert {s: r["status"] for s, r in table.items()} == {
        **{s: expected[s].status for s in keep}, "h_calls_the_scheduler": "graded"}
    assert table["ada"]["total"] == table["ben"]["total"] == "30"
    walled = namespaces_available()
    for name in ("h_kills_its_parent", "h_segfault", "h_exits", "h_fork_bomb",
                 *(["h_calls_the_scheduler"] if walled else [])):
        assert table[name]["cross_entropy"] == "0" and table[name]["softmax"] == "8", table[name]
    if walled:  # reads neither the answers nor a classmate where its worker runs
        assert table["h_copycat"]["total"] == "0"
    assert "longer than the 8 s" in next(d["error"] for d in documents(out)
                                         if d["submission"] == "h_ignores_signals")


# -- GPU exercises ---------------------------------------------------------------------------

GPU_EXERCISE = "exercise6"  # resources={"GPU": 1}, with the stand-in GPU as its fallback


class Notes(Display):
    def __init__(self):
        self.notes = []

    def note(self, message: str) -> None:
        self.notes.append(message)


@pytest.fixture(scope="module")
def gpu_class(tmp_path_factory):
    """exercise6's solution twice and a loop that never moves a batch, graded locally:
    (folder, each one's total)."""
    root = tmp_path_factory.mktemp("gpu")
    folder = root / "class"
    folder.mkdir()
    solution = (paths.SOLUTIONS / "exercise6.py").read_text()
    for name in ("a", "b"):
        (folder / f"{name}.py").write_text(solution)
    (folder / "c.py").write_text(solution + "\n" + (
        paths.TESTS / "mutants" / "exercise6" / "train_no_to_device.py").read_text())
    finished = subprocess.run([*GRADE, "batch", str(folder), "--exercise", GPU_EXERCISE, "--out",
                               str(root / "local")], capture_output=True, text=True, timeout=400)
    assert finished.returncode == 0, finished.stderr
    totals = {s: r["total"] for s, r in rows(root / "local").items()}
    assert totals["a"] == totals["b"] != totals["c"]
    return folder, totals


@pytest.fixture
def wants_a_gpu(monkeypatch):
    """exercise3 as if it needed a real GPU and had no stand-in (no exercise does)."""
    monkeypatch.setattr(catalog.load(EXERCISE).exercise, "resources", {"GPU": 1})


@pytest.mark.slow
def test_a_gpu_exercise_runs_only_on_the_worker_that_has_a_gpu(gpu_class, tmp_path):
    folder, totals = gpu_class
    with cluster.local_cluster(1) as plain, distributed.Client(plain) as client:
        gpu = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker",
                                plain.scheduler_address, "--nthreads", "1", "--no-dashboard",
                                "--host", "127.0.0.1", "--resources", "GPU=1", "--name", "gpu"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            client.wait_for_workers(2, timeout=120)
            display = Notes()
            with distributed.get_task_stream(client=client) as stream:
                summary = grade_batch(folder, GPU_EXERCISE, tmp_path / "out", display=display,
                                      scheduler=plain.scheduler_address)
            names = {a: w["name"] for a, w in client.scheduler_info()["workers"].items()}
            told = client.run(lambda: os.environ.get("GRADER_DEVICE"))
        finally:
            gpu.terminate()
            gpu.wait(30)
    graded_on = {names.get(t["worker"]) for t in stream.data if str(t["key"]).startswith("grade-")}
    assert graded_on == {"gpu"}, stream.data
    # The GPU worker told its grading processes; without CUDA here they fell back to the
    # stand-in, which gives the local scores.
    assert sorted((str(names[a]), device) for a, device in told.items()) == [
        ("0", None), ("gpu", "cuda")]
    assert {s: r["total"] for s, r in rows(tmp_path / "out").items()} == totals
    assert len(summary.results) == 3 and display.notes == []


@pytest.mark.slow
def test_a_gpu_exercise_on_a_cluster_without_a_gpu_uses_the_stand_in_and_says_so(gpu_class,
                                                                                    tmp_path):
    if cuda.visible():
        pytest.skip("local:1 offers this machine's GPU")
    folder, totals = gpu_class
    display = Notes()
    grade_batch(folder, GPU_EXERCISE, tmp_path / "out", display=display, scheduler="local:1")
    assert {s: r["total"] for s, r in rows(tmp_path / "out").items()} == totals
    assert display.notes == [
        "no worker of local:1 offers GPU=1, so exercise6 is graded without it: its device "
        "checks use the grader's stand-in GPU."]


def test_a_gpu_exercise_without_a_stand_in_is_refused_in_one_sentence(wants_a_gpu, tmp_path):
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "a.py").write_text(STUB.read_text())
    with cluster.local_cluster(1) as plain:
        with pytest.raises(BatchError, match=r"workers with GPU=1, and no worker .* has it"):
            grade_batch(tmp_path / "class", EXERCISE, tmp_path / "out", display=Display(),
                        scheduler=plain.scheduler_address)


# -- usage -----------------------------------------------------------------------------------

def test_a_bad_scheduler_address_is_one_sentence_and_exit_2(tmp_path):
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "a.py").write_text(STUB.read_text())
    finished = cluster_batch(tmp_path / "class", tmp_path / "out", "local:zero")
    assert (finished.returncode, finished.stderr) == (
        2, "grade: --scheduler local:zero: write local:N with N a number of worker processes, "
           "such as local:4.\n")


def test_a_scheduler_that_does_not_answer_is_one_sentence(tmp_path, monkeypatch):
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "a.py").write_text(STUB.read_text())
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 2)
    with pytest.raises(BatchError, match="could not reach the Dask scheduler at tcp://127.0.0.1:9 "):
        grade_batch(tmp_path / "class", EXERCISE, tmp_path / "out", display=Display(),
                    scheduler="tcp://127.0.0.1:9")


def test_a_worker_with_another_grader_is_refused(tmp_path, monkeypatch):
    """Its scores would not be this grader's: the digest of the sources must match."""
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "a.py").write_text(STUB.read_text())
    monkeypatch.setattr(cluster, "grader_digest", lambda: "another-grader")
    with pytest.raises(BatchError, match="runs another version of the grader"):
        grade_batch(tmp_path / "class", EXERCISE, tmp_path / "out", display=Display(),
                    scheduler="local:1")


def test_a_scheduler_that_retries_a_task_on_many_workers_is_pointed_out():
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as dask:
        grading = cluster.Cluster(EXERCISE, dask.scheduler_address)  # Dask's default: 3 retries
        try:
            assert grading.notes == [
                f"the scheduler at {dask.scheduler_address} gives up on a task only after 4 "
                "workers died running it, so one submission that kills its workers can take that "
                "many down; start it with DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=1."]
        finally:
            grading.close()
    with cluster.local_cluster(1) as ours:
        grading = cluster.Cluster(EXERCISE, ours.scheduler_address)
        grading.close()
    assert grading.notes == []


def test_a_rerun_that_keeps_every_result_starts_no_workers(tmp_path, monkeypatch):
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "a.py").write_text(STUB.read_text())
    first = grade_batch(tmp_path / "class", EXERCISE, tmp_path / "out", display=Display(),
                        scheduler="local:1")
    monkeypatch.setattr(cluster, "local_cluster", None)  # starting one now would fail
    again = grade_batch(tmp_path / "class", EXERCISE, tmp_path / "out", display=Display(),
                        scheduler="local:1")
    assert (first.graded_now, again.graded_now, again.kept) == (1, 0, 1)


def test_without_distributed_the_scheduler_option_says_what_to_install(monkeypatch):
    monkeypatch.setattr(cluster, "distributed", None)
    with pytest.raises(BatchError, match=r"pip install 'torch-course-grader\[cluster\]'"):
        cluster.Cluster(EXERCISE, "local:2")
