"""A class graded on a Dask cluster (``grade batch --scheduler``) instead of this machine's cores.

``Cluster`` has the pool's interface (``run(jobs, hidden, start)`` yielding the same
events, ``close()``), so the batch around it - discovery, the journal written here as
results arrive, the outputs - is the same. Where the grading happens:

* Each Dask worker hosts grading processes of its own, started once per worker by a
  worker plugin (``GradingHost``): a kept ``grader.pool.Pool`` of one per worker thread,
  with its own spawner, fork-server and sandbox. So a submission costs on a cluster about
  what it costs locally, and nothing of the grading machinery exists twice.
* A submission's source is read here (``read_submission``) and travels with its task: the
  workers need no shared file system, and never see the class folder.
* Faults: the pool on the worker times a submission out and retries a grading process that
  died; the scheduler reruns the task of a worker that died elsewhere, and gives up on a
  task that killed ``ALLOWED_FAILURES + 1`` workers (KilledWorker): that submission's row
  is ``grader_error``.
* GPU exercises. An exercise whose ``Exercise.resources`` asks for one (exercise6:
  ``{"GPU": 1}``) runs only on workers started with that resource (``dask worker
  --resources GPU=1``), and a worker that offers a GPU tells its grading processes so
  (``GRADER_DEVICE=cuda``): there the device checks use CUDA itself where it works
  (grader/cuda.py). On a cluster where no worker offers it (``local:N`` on a laptop), an
  exercise that has a stand-in (``Exercise.without_resources``: exercise6 has the
  stand-in GPU, which gives the same verdicts) is graded without it and the batch
  says so once; one without is refused in one sentence, before anything is graded
  (Dask would wait forever for such a worker). Written for CUDA, proven here only with
  workers that declare ``GPU=1`` on machines without one.

``distributed`` is an optional dependency (the ``[cluster]`` extra): imported only here.
"""

from __future__ import annotations

import logging
import os
import queue
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from grader import catalog, cuda
from grader.check import Exercise
from grader.errors import BatchError, GraderError
from grader.pool import STARTUP_LIMIT_S, Event, Graded, Job, Note, Pool, Ready, Stopped, Tick
from grader.results import GradeResult
from grader.sources import grader_digest
from grader.submission import read_submission

try:
    import dask
    import distributed
    from distributed import WorkerPlugin
except ImportError:  # the [cluster] extra is not installed: only --scheduler needs it
    distributed = None
    WorkerPlugin = object

# A submission whose task was running on two workers that died is not tried on a third
# (Dask's default is 3 retries: a submission that runs a worker out of memory would take
# four workers down). Set on the scheduler, so for local:N only; see the README for others.
ALLOWED_FAILURES = 1
CONNECT_TIMEOUT_S = 30

log = logging.getLogger("grader")


# -- on each Dask worker -----------------------------------------------------------------------

class GradingHost(WorkerPlugin):
    """Grading processes on one Dask worker: one kept Pool of one per worker thread."""

    def __init__(self, name: str, exercise: str, timeout: float | None, hidden: list[Path],
                 grader: str):
        self.name, self.exercise, self.timeout = name, exercise, timeout
        self.hidden, self.grader = hidden, grader
        self.pools: queue.Queue[Pool] | None = None  # made on the worker: a queue cannot travel

    def setup(self, worker) -> None:
        if grader_digest() != self.grader:  # its scores would not be this grader's
            raise BatchError(f"the Dask worker {worker.address} runs another version of the "
                             "grader; install the same one on every worker.")
        if worker.state.total_resources.get("GPU", 0) > 0:  # before the pools fork, to reach
            os.environ.setdefault(cuda.VARIABLE, "cuda")  # their workers (unless set already)
        # The worker's own folder may hold spilled tasks, that is classmates' submissions.
        self.hidden = [*self.hidden, Path(worker.local_directory)]
        self.pools = queue.Queue()
        for _ in range(worker.state.nthreads):
            self.pools.put(Pool(self.exercise, 1, self.timeout, keep=True))

    def teardown(self, worker) -> None:
        while self.pools is not None and not self.pools.empty():
            self.pools.get().close()

    def grade(self, job: Job) -> list[Event]:
        pool = self.pools.get()  # one per thread, so never shared by two tasks
        try:
            return [event for event in pool.run([job], self.hidden)
                    if not isinstance(event, (Ready, Tick))]  # the instructor has the template
        finally:
            self.pools.put(pool)


def grade_on_worker(plugin: str, job: Job) -> list[Event]:
    """A task: grade ``job`` in this Dask worker's grading processes."""
    return distributed.get_worker().plugins[plugin].grade(job)


# -- in the instructor's process -------------------------------------------------------------

# What the scheduler of local:N is told (a scheduler elsewhere is set up by its owner, see the
# README): one task a worker thread at a time, so a worker that dies takes only its running
# task down; no profiler thread in a worker process that forks grading processes.
LOCAL_SETTINGS = {"distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
                  "distributed.scheduler.worker-saturation": 1.0,
                  "distributed.worker.profile.enabled": False}


def local_cluster(workers: int, resources: dict | None = None):
    """``local:N``: N worker processes on this machine, on the loopback address only."""
    with dask.config.set(LOCAL_SETTINGS):
        return distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                        host="127.0.0.1", dashboard_address=None,
                                        resources=resources,
                                        silence_logs=logging.CRITICAL)  # the batch display speaks


def _gpus() -> dict | None:
    """local:N on a machine with CUDA: its workers share the GPU (asked without starting
    CUDA in this process, grader/cuda.py)."""
    return {"GPU": 1} if cuda.visible() else None


def _local_workers(scheduler: str) -> int | None:
    if not scheduler.startswith("local:"):
        return None
    count = scheduler.removeprefix("local:")
    if not count.isdigit() or int(count) < 1:
        raise BatchError(f"--scheduler {scheduler}: write local:N with N a number of worker "
                         "processes, such as local:4.")
    return int(count)


class Cluster:
    """The batch's grading on the Dask scheduler at ``scheduler`` (or ``local:N``)."""

    def __init__(self, exercise: str, scheduler: str, timeout: float | None = None):
        if distributed is None:
            raise BatchError("--scheduler needs Dask's distributed package: "
                             "pip install 'torch-course-grader[cluster]'.")
        self.exercise, self.scheduler, self.timeout = exercise, scheduler, timeout
        self.local, self.client, self.plugin, self.notes = None, None, None, []
        self.workers = _local_workers(scheduler)
        # Dask reports every worker coming and going; the batch's display says what matters.
        self.quiet = logging.getLogger("distributed")
        self.loud = self.quiet.level
        self.quiet.setLevel(logging.ERROR)
        # local:N starts its workers only when there is something to grade (a re-run that
        # keeps every result needs none); a scheduler elsewhere is asked at once if it is there.
        self.jobs = self.workers or self._connect()

    def _connect(self) -> int:
        """Start local:N's workers, or reach the scheduler; returns its worker threads."""
        try:
            if self.workers:
                self.local = local_cluster(self.workers, _gpus())
            self.client = distributed.Client(self.local or self.scheduler,
                                             timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError, RuntimeError) as exc:
            self.close()
            raise BatchError(f"could not reach the Dask scheduler at {self.scheduler} "
                             f"({exc}).") from None
        self.notes = self._check_scheduler()
        return self._wait_for_workers()

    def _wait_for_workers(self) -> int:
        try:
            self.client.wait_for_workers(1, timeout=STARTUP_LIMIT_S)
        except TimeoutError:
            self.close()
            raise BatchError(f"no Dask worker joined the scheduler at {self.scheduler} within "
                             f"{STARTUP_LIMIT_S:g} s.") from None
        return sum(w["nthreads"] for w in self.client.scheduler_info()["workers"].values())

    def _check_scheduler(self) -> list[str]:
        """What the batch should say about a scheduler set up otherwise than local:N's."""
        try:
            allowed = self.client.run_on_scheduler(lambda dask_scheduler:
                                                   dask_scheduler.allowed_failures)
        except Exception:  # noqa: BLE001 - a scheduler that runs nothing for clients: say nothing
            return []
        if allowed <= ALLOWED_FAILURES:
            return []
        return [f"the scheduler at {self.scheduler} gives up on a task only after {allowed + 1} "
                "workers died running it, so one submission that kills its workers can take "
                "that many down; start it with DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=1."]

    def _resources(self, exercise: Exercise) -> tuple[dict | None, str | None]:
        """(the resources its tasks ask for, a note for the instructor), or a BatchError."""
        wanted = dict(exercise.resources)
        if not wanted:
            return None, None
        offered = [w.get("resources", {}) for w in self.client.scheduler_info()["workers"].values()]
        if any(all(r.get(k, 0) >= v for k, v in wanted.items()) for r in offered):
            return wanted, None
        asked = " ".join(f"{k}={v:g}" for k, v in wanted.items())
        if exercise.without_resources:
            return None, (f"no worker of {self.scheduler} offers {asked}, so {exercise.name} is "
                          f"graded without it: {exercise.without_resources}.")
        raise BatchError(f"{exercise.name} must be graded on workers with {asked}, and no "
                         f"worker of {self.scheduler} has it (start them with "
                         f"dask worker --resources \"{asked}\").")

    def _start_hosts(self, hidden: list[Path]) -> None:
        name = f"grader-{uuid.uuid4().hex[:12]}"
        host = GradingHost(name, self.exercise, self.timeout, list(hidden), grader_digest())
        try:
            self.client.register_plugin(host, name=name)
        except GraderError:
            raise
        except Exception as exc:  # noqa: BLE001 - a worker could not start: say which, once
            raise BatchError(f"the Dask workers could not start grading ({exc}).") from None
        self.plugin = name

    def run(self, jobs: list[Job], hidden: list[Path], start: bool = False) -> Iterator[Event]:
        """Grade ``jobs`` on the cluster, yielding the pool's events as results arrive."""
        # This process can load the checks: no grading process is forked from it.
        entry = catalog.load(self.exercise)
        template = entry.template()
        yield Ready(template, entry.budget_s)
        if not jobs:
            return
        if self.client is None:
            self._connect()
        for note in self.notes:
            yield Note(note)
        resources, note = self._resources(entry.exercise)
        if note:
            yield Note(note)
        self._start_hosts(hidden)
        futures = {}
        for job in jobs:
            try:
                submission = read_submission(job.path, self.exercise)
            except GraderError as problem:  # as a grading process says it (grader.pool._grade)
                yield Graded(job.student, GradeResult.empty(template, job.student, "import_error",
                                                            str(problem)))
                continue
            task = Job(job.student, Path(submission.filename), submission)
            # retries: an error of ours on a worker is retried once, as the pool does locally
            future = self.client.submit(grade_on_worker, self.plugin, task, pure=False, retries=1,
                                        key=f"grade-{uuid.uuid4().hex}", resources=resources)
            futures[future] = (job.student, time.monotonic())
        finished = distributed.as_completed(list(futures))
        while not finished.is_empty():
            done = finished.next_batch(block=False)
            for future in done:
                yield from self._events(future, *futures.pop(future))
            if not done:
                time.sleep(0.1)
            yield Tick()

    def _events(self, future, student: str, submitted: float) -> Iterator[Event]:
        try:
            if future.status == "finished":
                yield from future.result()
            elif future.status == "error":
                yield Stopped(student, "crashed", self._failure(future.exception()),
                              time.monotonic() - submitted)
            else:  # cancelled or lost: the scheduler itself went away
                raise BatchError(f"the Dask scheduler at {self.scheduler} stopped answering; "
                                 "run the same command again to grade the rest.")
        finally:
            future.release()  # so a worker dying later does not grade it again

    @staticmethod
    def _failure(exc: BaseException) -> str:
        if isinstance(exc, distributed.KilledWorker):
            why = "every Dask worker that ran it died"
        else:
            why = f"{type(exc).__name__}: {exc}"
        return (f"The grader failed more than once while grading this submission ({why}); run "
                "the batch again to retry it.")

    def close(self) -> None:
        if self.client is not None:
            if self.plugin is not None:
                try:
                    self.client.unregister_worker_plugin(self.plugin)  # ends the grading processes
                except Exception:  # noqa: BLE001 - the cluster may be gone already
                    pass
            self.client.close()
        if self.local is not None:
            self.local.close()
        self.client = self.local = self.plugin = None  # closing twice is closing once
        self.quiet.setLevel(self.loud)
