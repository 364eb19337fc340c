"""The integrity monitor: what a submission did to the process it runs in, as flags.

A detector, not a wall. It runs in the worker, the student's own process, so a
determined student who studies it can get past it; what it promises is that
trying leaves a trace the instructor sees (``GradeResult.flags``), and that
the commonest ways in are refused outright.

Python's audit hooks (PEP 578) see imports, file opens, directory listings,
``gc.get_objects``, ctypes, ``sys._getframe``, traceback frames and sockets,
and Python code cannot remove one. What they do not see in Python 3.11 (thread
starts, ``os.write``, torch's switches that turn its recording modes off) is
watched by wrapping those functions in the fork-server, before any submission
is loaded, everywhere torch keeps a reference to them. What the grader's own
modules hold in the worker (their names, and the methods of the classes they
define) is snapshotted before the submission loads and compared after every
request: a change is tampering, and the task it happened in earns nothing.

An event is the submission's when its own code is on the call stack; for
calls that libraries make too (``sys._getframe``, torch's switches), only when
the submission's code made the call itself. Honest work - every reference
solution, stub and mutant - is never flagged (tests/test_monitor.py).
"""

from __future__ import annotations

import _thread
import fcntl
import os
import posix
import sys
import threading
from pathlib import Path

MAX_FLAGS = 40
GRADER = str(Path(__file__).resolve().parent)
# The worker's own descriptors (stdin, stdout, stderr, the grader's socket): a submission
# did not open them, and the socket carries the replies the grader trusts.
WORKER_FDS = frozenset({0, 1, 2, 3})
GRADER_SOCKET = 3
# torch switches that turn the recording modes off, or hand out the modes themselves.
TORCH_SWITCHES = ("_DisableTorchDispatch", "DisableTorchFunction", "_pop_torch_dispatch_stack",
                  "_pop_torch_function_stack", "_unset_dispatch_mode", "_set_dispatch_mode",
                  "_ExcludeDispatchKeyGuard", "_DisableFuncTorch", "_get_dispatch_mode",
                  "_get_dispatch_stack_at", "_get_function_stack_at", "_ForceDispatchKeyGuard",
                  "_RestorePythonTLSSnapshot")
PYTHON_SWITCHES = {"torch.utils._python_dispatch": ("_disable_current_modes", "_pop_mode",
                                                    "_pop_mode_temporarily",
                                                    "_get_current_dispatch_mode",
                                                    "_get_current_dispatch_mode_stack"),
                   "torch.overrides": ("_pop_mode", "_pop_mode_temporarily",
                                       "_get_current_function_mode",
                                       "_get_current_function_mode_stack")}
# Modules whose functions the monitor wraps or relies on (stdlib modules also reload their
# C accelerators, like _elementtree, as a matter of course: those are no one's business).
WATCHED_MODULES = frozenset({"_thread", "threading", "os", "posix", "fcntl", "builtins", "gc",
                             "importlib", "sys", "ctypes", "_ctypes", "torch", "torch._C",
                             "torch.overrides", "torch.utils._python_dispatch"})
FRAME_ATTRIBUTES = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame"})
# Where a submission's own file reading goes through (glob.glob, Path.read_text, shutil).
FILE_HELPERS = ("/glob.py", "/pathlib.py", "/shutil.py", "/os.py", "/fnmatch.py", "/io.py")


def grader_state() -> list[tuple]:
    """What the grader's modules in this process point at: every module-level name, and every
    name of the classes they define, as (label, namespace, name, value). Taken once, before
    the submission loads; ``changed`` compares it with the process as it is now."""
    state = []
    for name, module in list(sys.modules.items()):
        if not (name == "grader" or name.startswith("grader.")) or module is None:
            continue
        space = vars(module)
        for key, value in list(space.items()):
            state.append((f"{name}.{key}", space, key, value))
            if isinstance(value, type) and value.__module__ == name:
                for attribute, member in list(vars(value).items()):
                    if attribute != "__slotnames__":  # pickle's cache, filled on first use
                        state.append((f"{name}.{key}.{attribute}", vars(value), attribute, member))
    return state


_GONE = object()


def changed(state: list[tuple]) -> list[str]:
    """The names in ``state`` that now point elsewhere or are gone (about 50 us: it runs
    after every request)."""
    return [label for label, space, key, value in state if space.get(key, _GONE) is not value]


class Refused(PermissionError):
    """What a submission gets for reaching into the grader: the message says what."""


class Monitor:
    def __init__(self):
        self.filename: str | None = None  # armed when set: the submission's file name
        self.workdir = "/"
        self.allowed_roots: tuple[str, ...] = ()
        self.loaded: frozenset[str] = frozenset()
        self.flags: dict[tuple[str, str], None] = {}  # an ordered set
        self.tampered = 0  # how many times the recorders were touched; traced calls compare
        self._inside = False
        # Sends each new flag to the grader at once (set by the worker): a worker that is
        # killed for hanging never sends its reply, and the flags must not die with it.
        self.sink = None

    # -- what the worker calls -------------------------------------------------------------
    def arm(self, filename: str, allowed_roots: list[str]) -> None:
        """From now on, events made by code from ``filename`` are watched."""
        self.filename = filename
        self.workdir = os.getcwd()
        self.allowed_roots = tuple(r.rstrip("/") + "/" for r in allowed_roots
                                   if not r.startswith(GRADER))
        self.loaded = frozenset(sys.modules)

    def report(self) -> list[dict]:
        return [{"kind": kind, "detail": detail} for kind, detail in self.flags]

    def tamper(self, kind: str, detail: str) -> None:
        """Flag something that switches off or changes what the grader relies on here: the
        calls it records from then on can no longer be trusted (``tampered``)."""
        self.flag(kind, detail)
        self.tampered += 1

    def flag(self, kind: str, detail: str) -> None:
        key = (kind, detail[:300])
        if len(self.flags) >= MAX_FLAGS or key in self.flags:
            return
        self.flags[key] = None
        if self.sink is not None:
            self._inside = True
            try:
                self.sink([{"kind": key[0], "detail": key[1]}])
            except Exception:
                pass  # the reply carries every flag as well
            finally:
                self._inside = False

    # -- whose doing is it? ----------------------------------------------------------------
    def _is_student(self, frame) -> bool:
        return frame is not None and frame.f_code.co_filename == self.filename

    def _on_stack(self, frame) -> bool:
        for _ in range(400):
            if frame is None:
                return False
            if frame.f_code.co_filename == self.filename:
                return True
            frame = frame.f_back
        return True  # deeper than any honest call: count it

    def _frames(self, depth: int):
        """The frame ``depth`` levels above the caller, read without auditing ourselves."""
        self._inside = True
        try:
            return sys._getframe(depth + 1)
        except ValueError:
            return None
        finally:
            self._inside = False

    # -- the audit hook ----------------------------------------------------------------------
    def audit(self, event: str, args: tuple) -> None:
        if self.filename is None or self._inside:
            return
        handler = _HANDLERS.get(event) or (_ctypes if event.startswith("ctypes.") else None)
        if handler is None:
            return
        self._inside = True
        try:
            caller = sys._getframe(1)
        finally:
            self._inside = False
        handler(self, event, args, caller)

    def outside(self, path) -> bool:
        """A path a submission has no business reading: outside its folder and Python."""
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str):
            return False
        path = os.path.normpath(os.path.join(self.workdir, path))
        if path == self.workdir or path.startswith(self.workdir + "/"):
            return False
        if path.startswith(("/proc/", "/sys/", "/dev/")) or path in ("/proc", "/sys", "/dev"):
            return False
        return not (path + "/").startswith(self.allowed_roots)


def _import(monitor: Monitor, event: str, args: tuple, caller) -> None:
    name = args[0] if args and isinstance(args[0], str) else ""
    if not monitor._on_stack(caller):
        return
    if name == "grader" or name.startswith("grader."):
        # The worker took its own grader modules out of sys.modules: this loads fresh copies,
        # and whatever the submission changes in them, the worker never uses.
        monitor.flag("imports-grader", name)
    elif name in WATCHED_MODULES and name in monitor.loaded:
        # Taken out of sys.modules and loaded again, it comes back without the wrappers.
        monitor.tamper("touches-sys-modules", f"imported {name} again after taking it out of sys.modules")


def _gc(monitor: Monitor, event: str, args: tuple, caller) -> None:
    # Flagged, not refused: what it could find is the boundary's business (nothing of the
    # class is in a worker's memory, and the recorders are checked after every call).
    if monitor._on_stack(caller):
        monitor.flag("gc", event)


def _ctypes(monitor: Monitor, event: str, args: tuple, caller) -> None:
    # Libraries load their own through ctypes (torchvision): loading counts only when the
    # submission itself asks; anything else ctypes does, anywhere under the submission.
    loading = event in ("ctypes.dlopen", "ctypes.dlsym", "ctypes.dlsym/handle")
    if monitor._is_student(caller) if loading else monitor._on_stack(caller):
        monitor.tamper("ctypes", event)
        raise Refused(f"{event} is not available to graded code")


def _getframe(monitor: Monitor, event: str, args: tuple, caller) -> None:
    frame = args[0] if args else None
    # namedtuple, typing and warnings ask for their caller's frame: that is the student's own.
    if getattr(getattr(frame, "f_code", None), "co_filename", "").startswith(GRADER) \
            and monitor._on_stack(caller):
        monitor.tamper("grader-frames", "sys._getframe reached the grader's own frames")
        raise Refused("graded code may not look at the grader's frames")


def _getattr(monitor: Monitor, event: str, args: tuple, caller) -> None:
    if len(args) > 1 and args[1] in FRAME_ATTRIBUTES and monitor._is_student(caller):
        monitor.tamper("grader-frames", f"read .{args[1]}")
        raise Refused(f"graded code may not read .{args[1]}")


def _open(monitor: Monitor, event: str, args: tuple, caller) -> None:
    path = args[0] if args else None
    if not (monitor._is_student(caller) or _file_helper(caller)) or not monitor._on_stack(caller):
        return
    if isinstance(path, int):
        if path in WORKER_FDS:
            monitor.flag("writes-to-grader-fds", f"opened file descriptor {path}")
            if path == GRADER_SOCKET:
                raise Refused("graded code may not use the grader's socket")
        return
    if monitor.outside(path):
        monitor.flag("reads-outside-its-folder", os.fsdecode(path) if isinstance(path, bytes)
                     else str(path))


def _file_helper(frame) -> bool:
    """The standard library's ways to walk and read files on someone's behalf. Libraries
    such as torch also open files (their own data, entry points, caches): not counted."""
    return frame is not None and frame.f_code.co_filename.endswith(FILE_HELPERS)


def _socket(monitor: Monitor, event: str, args: tuple, caller) -> None:
    if monitor._on_stack(caller):
        monitor.flag("opens-sockets", event)
        raise Refused("graded code may not open sockets")


_HANDLERS = {
    "import": _import,
    "gc.get_objects": _gc, "gc.get_referrers": _gc, "gc.get_referents": _gc,
    "sys._getframe": _getframe,
    "object.__getattr__": _getattr,
    "open": _open, "os.listdir": _open, "os.scandir": _open,
    "socket.__new__": _socket,
}

MONITOR = Monitor()


# -- wrapped functions: what the audit hooks do not see --------------------------------------
def _thread_target(function):
    """The code a new thread will run (threading.Thread's target or its own run), and whether
    it is one of the standard library's threads that run whatever they are handed later (a
    Timer's, a ThreadPoolExecutor's, multiprocessing's ThreadPool's)."""
    thread = getattr(function, "__self__", None)
    if isinstance(thread, threading.Thread):
        function = getattr(thread, "_target", None) or type(thread).run
    code = getattr(function, "__code__", None)
    handed = isinstance(thread, threading.Timer) or code is not None and (
        os.path.basename(code.co_filename), code.co_name) in _RUNS_WHAT_IT_IS_HANDED
    return code, handed


_RUNS_WHAT_IT_IS_HANDED = {("thread.py", "_worker"), ("pool.py", "worker")}
_PYTHON = tuple({os.path.realpath(p) + os.sep for p in (sys.prefix, sys.base_prefix)})


def _libraries_own(code) -> bool:
    """Code of the Python installation (the standard library, site-packages): not code the
    submission wrote, under its own name or compiled under another."""
    return os.path.realpath(code.co_filename).startswith(_PYTHON)


def _started_by_the_submission(frame) -> bool:
    """The submission's code is on the stack, and not by way of an import (a library it
    imports may start a thread of its own: matplotlib's Timer)."""
    for _ in range(400):
        if frame is None:
            return False
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return False
        if frame.f_code.co_filename == MONITOR.filename:
            return True
        frame = frame.f_back
    return True


def _watch_threads(original):
    def start_new_thread(function, *args, **kwargs):
        code, handed = _thread_target(function)
        # Libraries start threads of their own (matplotlib, tqdm): only a thread that runs
        # the submission's code, or a pool it started that would run its work, counts. The
        # recorders are per thread: that code would run unseen.
        if MONITOR.filename is not None and code is not None and (
                not _libraries_own(code)
                or handed and _started_by_the_submission(MONITOR._frames(1))):
            MONITOR.flag("starts-threads", f"started a thread running {code.co_qualname}")
            raise Refused("graded code may not run its own code in a thread")
        return original(function, *args, **kwargs)

    return start_new_thread


def _watch_fd(original, name: str, refuse: bool = True):
    def write(fd, *args, **kwargs):
        if MONITOR.filename is not None and fd in WORKER_FDS \
                and MONITOR._on_stack(MONITOR._frames(1)):
            MONITOR.flag("writes-to-grader-fds", f"{name} on file descriptor {fd}")
            if fd == GRADER_SOCKET and refuse:
                raise OSError(9, "Bad file descriptor")
        return original(fd, *args, **kwargs)

    write.__name__ = name
    return write


def _watch_import(original):
    """builtins.__import__: the grader's modules are already loaded, so importing one raises
    no audit event; the import statement still comes through here."""

    def __import__(name, *args, **kwargs):
        if MONITOR.filename is not None and isinstance(name, str) \
                and (name == "grader" or name.startswith("grader.")) \
                and MONITOR._is_student(MONITOR._frames(1)):
            MONITOR.flag("imports-grader", name)
        return original(name, *args, **kwargs)

    return __import__


def _watch_import_module(original):
    def import_module(name, package=None):
        if MONITOR.filename is not None and isinstance(name, str) \
                and (name == "grader" or name.startswith("grader.")) \
                and MONITOR._is_student(MONITOR._frames(1)):
            MONITOR.flag("imports-grader", name)
        return original(name, package)

    return import_module


def _watch_switch(original, name: str):
    def switch(*args, **kwargs):
        if MONITOR.filename is not None and MONITOR._is_student(MONITOR._frames(1)):
            MONITOR.tamper("switches-torch-modes", name)
        return original(*args, **kwargs)

    switch.__name__ = name
    return switch


def _replace_everywhere(wrappers: dict[int, tuple]) -> None:
    """Point every loaded torch module's name for each original at its wrapper, in one pass
    over the modules: ``wrappers`` maps id(original) to (original, wrapper)."""
    for module in list(sys.modules.values()):
        name = getattr(module, "__name__", "")
        if not isinstance(name, str) or not name.startswith("torch"):
            continue
        space = getattr(module, "__dict__", {})
        for key, value in list(space.items()):
            found = wrappers.get(id(value))
            if found is not None and found[0] is value:
                space[key] = found[1]


def install() -> None:
    """In the fork-server, once: the hook and the wrappers every worker inherits, disarmed."""
    import torch  # noqa: F401  - its modules are what gets wrapped

    wrappers = {}
    for module_name, names in {"torch._C": TORCH_SWITCHES, **PYTHON_SWITCHES}.items():
        module = sys.modules.get(module_name)
        for name in names:
            original = getattr(module, name, None)
            if original is not None:
                wrappers[id(original)] = (original,
                                          _watch_switch(original, f"{module_name}.{name}"))
    _replace_everywhere(wrappers)
    import builtins
    import importlib

    builtins.__import__ = _watch_import(builtins.__import__)
    importlib.import_module = _watch_import_module(importlib.import_module)
    starter = _watch_threads(_thread.start_new_thread)
    _thread.start_new_thread = _thread.start_new = threading._start_new_thread = starter
    for name in ("write", "writev", "pwrite", "sendfile", "dup", "dup2"):
        original = getattr(os, name, None)
        if original is not None:
            wrapped = _watch_fd(original, f"os.{name}")
            setattr(os, name, wrapped)
            setattr(posix, name, wrapped)
    # fcntl can copy a descriptor too; flagged, not refused (the wire holds either way).
    fcntl.fcntl = _watch_fd(fcntl.fcntl, "fcntl.fcntl", refuse=False)
    sys.addaudithook(MONITOR.audit)
