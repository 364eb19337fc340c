"""The worker: the only process where a submission's code runs.

It loads the submission from source text, then answers requests from the
grader one at a time: call a task's function, or run one of the grader's
probes (``grader.probes``) that drives the student's code and reports what it
saw. Every answer is plain data. Nothing here knows the expected values.
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import importlib
import linecache
import math
import operator
import os
import random
import signal
import socket
import sys
import types
import warnings
from pathlib import Path

import numpy as np
import torch

from grader import cuda, sandbox, wire
from grader.monitor import MONITOR, changed, grader_state
from grader.probes.api import NotDefined, describe_error
from grader.seeding import seed_everything
from grader.tracing import Trace


class LoadedSubmission:
    """What a probe gets: the submission's module and a way to call into it under trace."""

    def __init__(self, module: types.ModuleType, parts: tuple[str, ...] = ()):
        self.module = module
        self.trace = Trace()
        self.parts = parts
        self._touched = MONITOR.tampered

    def call(self, name: str, *args, **kwargs):
        function = getattr(self.module, name, None)
        if function is None:
            raise NotDefined(name)
        with self.trace, self._parts_on_their_own_account():
            return function(*args, **kwargs)

    def call_plain(self, name: str, args: tuple, kwargs: dict) -> tuple:
        """The call's value and arguments as plain data, converted inside the trace: a tensor
        subclass that computes only when it is converted is seen computing."""
        function = getattr(self.module, name, None)
        if function is None:
            raise NotDefined(name)
        with self.trace, self._parts_on_their_own_account():
            value = function(*args, **kwargs)
            return plain(value), plain(list(args))

    def tampered(self) -> bool:
        """Whether anything touched the recorders since this object was made."""
        return MONITOR.tampered != self._touched or not self.trace.intact()

    @contextlib.contextmanager
    def _parts_on_their_own_account(self):
        """While a task built on other tasks runs (mlp_forward on sigmoid), what runs inside
        the student's own parts is not traced: a library call there is the part's mistake,
        judged by its own checks."""
        originals = {name: getattr(self.module, name, None) for name in self.parts}
        for name, part in originals.items():
            if callable(part):
                setattr(self.module, name, self._untraced(part))
        try:
            yield
        finally:
            for name, part in originals.items():
                if callable(part):
                    setattr(self.module, name, part)

    def _untraced(self, part):
        @functools.wraps(part)
        def run(*args, **kwargs):
            with self.trace.paused():
                return part(*args, **kwargs)
        return run


def plain(value, depth: int = 0):
    """Turn whatever student code returned into data the grader can decode safely."""
    kind = type(value)
    if value is None or kind in (bool, int, float, str, bytes):
        return value
    if depth > 32:
        return {"__unencodable__": "nested too deeply"}
    if isinstance(value, torch.Tensor):
        tensor = value.detach()
        if tensor.layout != torch.strided:
            tensor = tensor.to_dense()  # a sparse answer is judged by its values
        return torch.Tensor.as_subclass(tensor, torch.Tensor).to("cpu").clone()
    if isinstance(value, np.ndarray):
        return {"__ndarray__": torch.from_numpy(np.array(value, copy=True))}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        items = [plain(item, depth + 1) for item in value]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        return {plain(k, depth + 1): plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, torch.device):
        return {"__device__": str(value)}
    return {"__unencodable__": type(value).__name__}


def load_submission(source: str, filename: str, name: str) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__file__ = filename
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    sys.modules[name] = module
    exec(compile(source, filename, "exec"), module.__dict__)
    return module


def _watched_namespaces() -> dict[str, object]:
    import torch.nn.functional as F

    return {"builtins": builtins, "math": math, "random": random, "numpy": np, "torch": torch,
            "torch.Tensor": torch.Tensor, "torch.nn": torch.nn, "torch.nn.Module": torch.nn.Module,
            "torch.nn.functional": F, "torch.autograd": torch.autograd, "sys.modules": sys.modules,
            "grader.wire": wire, "grader.worker": _THIS_MODULE}


_LIBRARIES = ("builtins", "math", "random", "numpy", "torch", "torch.Tensor", "torch.nn",
              "torch.nn.Module", "torch.nn.functional", "torch.autograd")


def library_names() -> dict[str, tuple[object, dict]]:
    """What every name of the libraries a check relies on holds now, by namespace."""
    spaces = _watched_namespaces()
    return {name: (spaces[name], dict(vars(spaces[name]))) for name in _LIBRARIES}


def restore_library_names(taken: dict[str, tuple[object, dict]]) -> None:
    """Put back every name that ``library_names`` saw and that now holds something else, and
    take away names added since (a method set on Tensor hides TensorBase's); an added module
    stays (torch imports its submodules lazily)."""
    for space, names in taken.values():
        for name, value in list(vars(space).items()):
            if name not in names and not isinstance(value, types.ModuleType):
                _put(space, name, _MISSING)
        for name, value in names.items():
            if vars(space).get(name, _MISSING) is not value:
                _put(space, name, value)


def _put(space: object, name: str, value: object) -> None:
    try:
        if value is _MISSING:
            delattr(space, name)
        else:
            setattr(space, name, value)
    except (AttributeError, TypeError):
        pass  # a read-only slot nobody could have replaced either


_MISSING = object()
_THIS_MODULE = sys.modules[__name__]
# The wire as it was before any submission loaded: one that replaces grader.wire's functions
# changes what the grader's snapshot sees (and is flagged), not what the worker sends.
_RECV, _ENCODE, _SEND = wire.recv_request, wire.encode_reply, wire.send_reply


def process_state() -> dict:
    """The process-wide state one task's code could leave behind for the next task: what the
    libraries' names point at, torch's global switches, timers, signal handlers, threads and
    child processes.

    Names are kept with what they hold, and compared by identity: ``id()`` raises an audit
    event, which made the snapshot cost three times as much with the monitor's hook installed.
    """
    names = {space_name: dict(space if isinstance(space, dict) else vars(space))
             for space_name, space in _watched_namespaces().items()}
    tasks = list(Path("/proc/self/task").iterdir())
    return {
        "names": names,
        "torch": (torch.get_default_dtype(), torch.is_grad_enabled(), torch.is_inference_mode_enabled(),
                  torch.are_deterministic_algorithms_enabled(), torch.is_anomaly_enabled(),
                  torch.get_num_threads(), torch._C._len_torch_function_stack(),
                  torch._C._len_torch_dispatch_stack()),
        "timers": [signal.getitimer(t) for t in (signal.ITIMER_REAL, signal.ITIMER_VIRTUAL,
                                                 signal.ITIMER_PROF)],
        "handlers": tuple(signal.getsignal(s) for s in _HANDLED_SIGNALS),
        "threads": len(tasks),
        "children": sum(len(Path(t, "children").read_text().split()) for t in tasks),
    }


_HANDLED_SIGNALS = tuple(s for s in signal.valid_signals() if s not in (signal.SIGKILL, signal.SIGSTOP))


def changes_since(before: dict, after: dict) -> list[str]:
    """What differs between two process states. A name that appeared since and holds a module
    is an import (torch loads submodules lazily), and ``__slotnames__`` is pickle's cache of
    a class's slots (torch.save sets it on Tensor): neither is a change. Whatever the student
    put there is compared by identity only: its own ``__eq__`` could say anything."""
    changed = [key for key in before if key not in ("names", "handlers") and before[key] != after[key]]
    if any(map(operator.is_not, before["handlers"], after["handlers"])):
        changed.append("handlers")
    for space_name, old in before["names"].items():
        new = after["names"][space_name]
        if list(old) == list(new) and not any(map(operator.is_not, old.values(), new.values())):
            continue  # the usual case, told at C speed
        for name in old.keys() | new.keys():
            if old.get(name, _MISSING) is new.get(name, _MISSING) or name == "__slotnames__":
                continue
            if name not in old and isinstance(new[name], types.ModuleType):
                continue
            changed.append(f"{space_name}.{name}")
    return sorted(changed)


def _probe(path: str):
    """The grader's function at ``module:function``."""
    module_name, _, function_name = path.partition(":")
    return getattr(importlib.import_module(module_name), function_name)


def capture_probes(modules: list[str]) -> dict:
    """Every function of the probe ``modules``, taken before the submission loads: looked up
    by name at call time, a submission could have replaced them."""
    probes = {}
    for name in modules:
        for attribute, value in vars(importlib.import_module(name)).items():
            if isinstance(value, types.FunctionType):
                probes[f"{name}:{attribute}"] = value
    return probes


class Worker:
    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.module: types.ModuleType | None = None
        self.filename = "<submission>"
        self.as_loaded: dict | None = None
        self.probes: dict = {}
        self.grader_as_loaded: list[tuple] = []

    def handle(self, request: dict) -> dict:
        op = request["op"]
        if op == "load":
            self.filename = request["filename"]
            if request.get("setup"):
                _probe(request["setup"])()
            self.probes = capture_probes(request.get("probes", ()))
            MONITOR.arm(self.filename, sandbox.needed_paths())
            self.grader_as_loaded = grader_state()
            before, libraries = process_state(), library_names()
            self.module = load_submission(request["source"], self.filename, request["name"])
            # Names of torch, NumPy or the builtins replaced at import would be the baseline
            # every later check starts from (probes included, which rely on them): they are
            # put back, and flagged for the instructor.
            self.as_loaded = process_state()
            patched = [n for n in changes_since(before, self.as_loaded) if "." in n]
            if patched:
                restore_library_names(libraries)
                MONITOR.flag("patches-libraries", f"replaced {patched[0]} at import (undone)")
                self.as_loaded = process_state()
            return {"ok": True}
        if op == "changes":  # may this worker serve another task, or did it keep traces?
            return {"ok": True, "value": changes_since(self.as_loaded, process_state())
                    + changed(self.grader_as_loaded)}
        seed_everything(request.get("seed", 0))
        loaded = LoadedSubmission(self.module, tuple(request.get("parts") or ()))
        if op == "call":
            value, args_after = loaded.call_plain(request["function"], request["args"],
                                                  request["kwargs"])
            reply = {"ok": True, "value": value, "args_after": args_after}
        elif op == "probe":
            probe = self.probes.get(request["probe"]) or _probe(request["probe"])
            value = probe(loaded, *request["args"], **request["kwargs"])
            with loaded.trace:  # what a probe hands back may hold the student's lazy tensors
                reply = {"ok": True, "value": plain(value)}
        else:
            raise ValueError(f"unknown request {op!r}")
        reply["functions"] = sorted(loaded.trace.functions)
        reply["ops"] = sorted(loaded.trace.ops)
        reply["tampered"] = loaded.tampered() | self.grader_changed()
        return reply

    def grader_changed(self) -> bool:
        """Whether the grader's own modules here differ from before the submission loaded."""
        names = changed(self.grader_as_loaded)
        if names:
            MONITOR.flag("touches-grader-modules", f"changed {names[0]}")
        return bool(names)

    def serve(self) -> None:
        MONITOR.sink = lambda flags: _SEND(self.sock, _ENCODE({"flags": flags}))
        while True:
            try:
                request = _RECV(self.sock)
            except wire.WireError:
                return
            try:
                reply = self.handle(request)
            except BaseException as exc:  # the student's exception, reported as data
                reply = {"ok": False, "error": describe_error(exc, self.filename)}
            sys.stdout.flush()
            sys.stderr.flush()
            reply["flags"] = MONITOR.report()
            try:
                payload = _ENCODE(reply)
            except Exception as exc:
                payload = _ENCODE({"ok": False, "error": describe_error(exc, self.filename)})
            _SEND(self.sock, payload)


def warm_up() -> None:
    """Do once, in the fork-server, what every worker would otherwise do the first time:
    seeding, a traced forward and backward, and encoding a reply. About 15 ms saved per
    worker."""
    seed_everything(0)
    x = torch.ones(2, 2, dtype=torch.float64, requires_grad=True)
    with Trace():
        y = (x - x.amax(1, keepdim=True)).exp().sigmoid()
    if not cuda.visible():
        # Where CUDA is, autograd's first backward counts its devices (starting CUDA) and
        # starts a thread per device, after which a forked worker's every backward fails
        # ("Unable to handle autograd's threading in combination with fork-based
        # multiprocessing"): each worker then pays its own first backward.
        y.sum().backward()
    wire.encode_reply({"ok": True, "value": plain([y, 1.0, "text"])})


def run(sock: socket.socket) -> None:
    """Entry point inside the sandbox, with stdout/stderr already pointing at the grader."""
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    # Whatever sys.stdout was in the parent (a terminal, pytest's capture), here it is the pipe.
    sys.stdout = sys.__stdout__ = open(1, "w", buffering=1, encoding="utf-8", errors="replace",
                                       closefd=False)
    sys.stderr = sys.__stderr__ = open(2, "w", buffering=1, encoding="utf-8", errors="replace",
                                       closefd=False)
    # Course notebooks plot: with a backend that draws nowhere, plt.show() returns at once
    # and no window or display is needed (matplotlib reads this when it is first imported).
    os.environ["MPLBACKEND"] = "Agg"
    # A library's warning (random_split on the grader's edge-case inputs) is not something the
    # student printed: the output they are told about is their own.
    warnings.simplefilter("ignore")
    os.environ.setdefault("MPLCONFIGDIR", os.path.join(os.getcwd(), ".matplotlib"))
    sys.path[:] = [p for p in sys.path if p and os.path.isabs(p) and "solutions" not in p]
    for name in [m for m in sys.modules if m.startswith(("solutions", "grader.checks"))]:
        del sys.modules[name]
    Worker(sock).serve()
