"""A fork-server: a clean process with torch already imported that forks workers on demand.

Importing torch costs over a second; forking a process that has already done
so costs milliseconds. The server is forked from the grader right after
torch is imported and before any check or reference solution is, so the
workers it forks hold no answers in their memory.

Each worker is born in two steps. The server forks a *keeper*, which leaves
for fresh namespaces and forks the *worker* proper; the worker is then the
first process (init) of its own PID namespace, so killing it kills everything
the submission started. The keeper waits for the worker and exits with its
status, which the server hands back to the grader.
"""

from __future__ import annotations

import importlib
import os
import pickle
import signal
import socket
import struct
import sys
import traceback
from dataclasses import dataclass

from grader import sandbox, wire

PID = struct.Struct("!q")
STDOUT, STDERR, CONTROL = 1, 2, 3


@dataclass
class WorkerHandle:
    keeper_pid: int
    worker_pid: int
    control: socket.socket
    output_fd: int
    in_namespaces: bool


def _keeper(control: socket.socket, output_fd: int, config: sandbox.SandboxConfig) -> None:
    """Runs in the keeper process: make the namespaces, fork the worker, wait for it."""
    os.setsid()
    sandbox.die_with_parent()
    # The worker keeps only its control socket and its output pipe.
    os.dup2(output_fd, STDOUT)
    os.dup2(output_fd, STDERR)
    os.dup2(control.detach(), CONTROL)
    os.closerange(CONTROL + 1, 1 << 16)
    control = socket.socket(fileno=CONTROL)
    # Asked before entering the namespaces: inside a user namespace everyone is root.
    worker_uid = sandbox.WORKER_UID_BASE + os.getpid() if os.getuid() == 0 else None
    in_namespaces = config.use_namespaces and sandbox.enter_namespaces()
    worker_pid = os.fork()
    if worker_pid == 0:
        try:
            sandbox.lock_down(config, in_namespaces, worker_uid)
        except BaseException as exc:
            print(f"the worker's sandbox could not be set up: {exc}", file=sys.stderr)
            os._exit(70)
        if in_namespaces:
            _be_init_for(os.fork())  # the namespace's init ignores its own signals; the worker won't
        from grader import worker

        sandbox.die_with_parent()
        worker.run(control)
        os._exit(0)
    control.sendall(PID.pack(worker_pid) + bytes([in_namespaces]))
    control.close()
    _exit_like(os.waitpid(worker_pid, 0)[1])


def _exit_like(status: int) -> None:
    """Exit with a child's status; a death by signal N becomes exit code 128+N."""
    if os.WIFSIGNALED(status):
        os._exit(128 + os.WTERMSIG(status))
    os._exit(os.WEXITSTATUS(status))


def _be_init_for(child: int) -> None:
    """In the parent of ``child``: reap every orphan of the namespace until ``child`` ends."""
    if child == 0:
        return
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            os._exit(0)
        if pid == child:
            _exit_like(status)


def _serve(requests: socket.socket) -> None:
    """The server's loop: spawn workers and reap keepers when the grader asks."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(requests, 1 << 16, 2)
        except OSError:
            return
        if not message:
            return
        request = pickle.loads(message)
        if request["op"] == "spawn":
            control_fd, output_fd = fds
            pid = os.fork()
            if pid == 0:
                requests.close()
                try:
                    _keeper(socket.socket(fileno=control_fd), output_fd, request["config"])
                except BaseException:
                    traceback.print_exc()
                    os._exit(71)
            os.close(control_fd)
            os.close(output_fd)
            reply = {"keeper_pid": pid}
        elif request["op"] == "reap":
            try:
                _, status = os.waitpid(request["pid"], 0)
                reply = {"status": os.waitstatus_to_exitcode(status)}
            except ChildProcessError:
                reply = {"status": None}
        elif request["op"] == "preload":
            reply = {"error": None}
            try:
                for name in request["modules"]:  # "module", or "module:function" to call
                    module, _, function = name.partition(":")
                    loaded = importlib.import_module(module)
                    if function:
                        getattr(loaded, function)()
            except Exception as exc:  # a worker will import it itself, or say why it can't
                reply = {"error": f"{type(exc).__name__}: {exc}"}
        else:
            reply = {"error": f"unknown op {request['op']!r}"}
        requests.sendall(pickle.dumps(reply))


class ForkServer:
    """The grader's handle on the fork-server process."""

    def __init__(self):
        import grader.probes.common  # noqa: F401
        import grader.worker  # noqa: F401  - imported here so every worker inherits it

        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.pid = os.fork()
        if self.pid == 0:
            ours.close()
            sandbox.die_with_parent()
            try:
                import torch

                from grader import monitor
                from grader.worker import warm_up

                # Submissions are small; idle OpenMP threads only burn the CPU other workers need.
                torch.set_num_threads(1)
                warm_up()  # runs while the grader loads its checks, on the other core
                monitor.install()  # before any submission: every worker inherits it, disarmed
                _serve(theirs)
            finally:
                os._exit(0)
        theirs.close()
        self.requests = ours
        self.preloaded: set[str] = set()

    def _ask(self, request: dict, fds: list[int] = ()) -> dict:
        socket.send_fds(self.requests, [pickle.dumps(request)], list(fds))
        return pickle.loads(self.requests.recv(1 << 16))

    def spawn(self, config: sandbox.SandboxConfig) -> WorkerHandle:
        control, worker_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        read_fd, write_fd = os.pipe()
        try:
            reply = self._ask({"op": "spawn", "config": config}, [worker_end.fileno(), write_fd])
        finally:
            worker_end.close()
            os.close(write_fd)
        control.settimeout(30)
        header = b""
        while len(header) < PID.size + 1:
            chunk = control.recv(PID.size + 1 - len(header))
            if not chunk:
                raise wire.WireError("the worker's keeper died before the worker started")
            header += chunk
        (worker_pid,) = PID.unpack(header[: PID.size])
        return WorkerHandle(reply["keeper_pid"], worker_pid, control, read_fd, bool(header[-1]))

    def preload(self, modules: tuple[str, ...]) -> None:
        """Import ``modules`` in the server, once: paid here rather than in every worker."""
        wanted = [m for m in modules if m not in self.preloaded]
        if wanted:
            self._ask({"op": "preload", "modules": wanted})
            self.preloaded.update(wanted)

    def reap(self, keeper_pid: int) -> int | None:
        """The worker's exit status as ``waitstatus_to_exitcode`` gives it (negative: a signal)."""
        status = self._ask({"op": "reap", "pid": keeper_pid})["status"]
        if status is not None and status >= 128:
            return -(status - 128)  # the keeper mirrors a worker killed by signal N as 128+N
        return status

    def close(self) -> None:
        self.requests.close()
        sandbox.end_child(self.pid)
