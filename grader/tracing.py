"""Record what student code calls while it runs, whatever it called it.

Two views of the same run: a TorchFunctionMode sees the public names
(``torch.nn.functional.softmax``), good for messages; a TorchDispatchMode sees
the aten ops underneath (``aten._softmax``), however the call was spelled
(``F.softmax``, ``x.softmax(1)``, ``nn.Softmax``), good for detection.
"""

from __future__ import annotations

import contextlib

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode


def public_name(func) -> str:
    module = getattr(func, "__module__", None) or ""
    name = getattr(func, "__qualname__", None) or getattr(func, "__name__", None) or repr(func)
    if module.startswith("torch._C") or not module:
        module = "torch"
    for prefix in ("_VariableFunctionsClass.", "_VariableFunctions."):
        name = name.removeprefix(prefix)
    if name.startswith("TensorBase."):
        name = "Tensor." + name[len("TensorBase.") :]
    if name.startswith("Tensor."):
        return name
    return f"{module}.{name}"


class _FunctionRecorder(TorchFunctionMode):
    def __init__(self, names: set[str], paused: list[bool]):
        super().__init__()
        self.names = names
        self.paused = paused

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if not self.paused[0]:
            self.names.add(public_name(func))
        return func(*args, **(kwargs or {}))


class _OpRecorder(TorchDispatchMode):
    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        return False  # the default wraps us in torch._disable_dynamo: a 1 s import per worker

    def __init__(self, ops: set[str], paused: list[bool]):
        super().__init__()
        self.ops = ops
        self.paused = paused

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if not self.paused[0]:
            self.ops.add(f"aten.{func.overloadpacket.__name__}")
        return func(*args, **(kwargs or {}))


class Trace:
    """Context manager: ``with Trace() as t: ...`` then ``t.functions`` and ``t.ops``."""

    def __init__(self):
        self.functions: set[str] = set()
        self.ops: set[str] = set()
        self._paused = [False]  # shared with both recorders
        self._modes = [_FunctionRecorder(self.functions, self._paused),
                       _OpRecorder(self.ops, self._paused)]

    def saw(self, name: str) -> None:
        """Record a call that a probe's own watcher saw (torch.optim's optimizers)."""
        if not self._paused[0]:
            self.functions.add(name)

    @contextlib.contextmanager
    def paused(self):
        """Record nothing inside: code whose calls are judged elsewhere (see worker.py)."""
        was, self._paused[0] = self._paused[0], True
        try:
            yield
        finally:
            self._paused[0] = was

    def __enter__(self) -> Trace:
        for mode in self._modes:
            mode.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        for mode in reversed(self._modes):
            mode.__exit__(*exc)


def uses_modes_correctly() -> bool:
    """Self-test: the recorders still see a library softmax after a torch upgrade."""
    with Trace() as trace:
        torch.nn.functional.softmax(torch.ones(2, 2), dim=1)
    return "aten._softmax" in trace.ops and "torch.nn.functional.softmax" in trace.functions
