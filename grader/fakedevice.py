"""A stand-in accelerator, so device placement can be checked on a machine without a GPU.

Training code that forgets to move a batch, or hard-codes ``.cuda()``, runs
fine on a CPU and fails on the first GPU. To catch that on any machine, the
grader gives the student's loop a device of its own, called ``gpu``, that
behaves like CUDA where it matters:

- a tensor on it is a ``DeviceTensor``: a wrapper subclass that reports
  ``device(type='gpu', index=0)`` and holds an ordinary CPU tensor; every aten
  op runs on the held CPU tensors, so the numbers are the CPU's, bit for bit;
- an op that meets a ``gpu`` tensor and a CPU tensor with at least one
  dimension raises the error CUDA raises ("Expected all tensors to be on the
  same device, but found at least two devices, gpu:0 and cpu!"); CPU scalars
  (0-dim tensors) mix freely, as they do with CUDA;
- ``module.to(device)`` keeps the parameters' identity, as it does for CUDA,
  so an optimizer built before the move still works.

It rests on PyTorch's private PrivateUse1 machinery
(``torch.utils.backend_registration._setup_privateuseone_for_python_backend``,
see PyTorch's test/test_privateuseone_python_backend.py), which can change
without notice: ``self_test()`` (run by tests/test_fakedevice.py, and by
``install()`` itself) fails loudly when it no longer works. The renaming of
PrivateUse1 can happen once per process, and ``install()`` also sets two
process-global torch flags and turns off autograd's multithreading for the
calling thread, so call it only in a grading worker (each is its own fork):
grader/probes/exercise6.py does, lazily, for exercise 6 only.
"""

from __future__ import annotations

import torch
from torch.utils._pytree import tree_flatten, tree_map

NAME = "gpu"
DEVICE_STRING = f"{NAME}:0"  # torch.device(NAME) exists only after install()

# Ops that may legitimately see a tensor on the device and one on the CPU:
# copies between devices, reading a scalar out (.item()), lifting a constant.
CROSS_DEVICE_OPS = frozenset({
    "_to_copy", "copy_", "_copy_from", "_copy_from_and_resize", "_local_scalar_dense",
    "lift_fresh", "lift_fresh_copy", "detach", "alias", "_has_compatible_shallow_copy_type",
    "set_",
})

_state: dict = {"installed": False, "error": None}


class DeviceTensor(torch.Tensor):
    """A tensor on the stand-in device; ``elem`` holds its values on the CPU."""

    elem: torch.Tensor

    @staticmethod
    def __new__(cls, elem: torch.Tensor, requires_grad: bool = False):
        wrapper = torch.Tensor._make_wrapper_subclass(
            cls, elem.size(), strides=elem.stride(), storage_offset=elem.storage_offset(),
            dtype=elem.dtype, layout=elem.layout, device=DEVICE_STRING, requires_grad=requires_grad,
        )
        wrapper.elem = elem
        return wrapper

    # Student code sees a plain tensor: no Python-level interception, only aten ops.
    __torch_function__ = torch._C._disabled_torch_function_impl

    def __repr__(self) -> str:
        return repr(self.elem).removesuffix(")") + f", device='{DEVICE_STRING}')"

    @classmethod
    def __torch_dispatch__(cls, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = func.overloadpacket.__name__
        if name not in CROSS_DEVICE_OPS:
            _refuse_mixed_devices(func, args, kwargs)
        to_cpu = _targets_cpu(kwargs)
        kwargs = _without_device(kwargs)
        unwrapped_args = tree_map(_unwrap, args)
        unwrapped_kwargs = tree_map(_unwrap, kwargs)
        out = func(*unwrapped_args, **unwrapped_kwargs)
        if to_cpu:
            return out
        # In-place and out= ops return one of their inputs: give back the wrapper itself.
        originals = {id(_unwrap(a)): a for a in tree_flatten((args, kwargs))[0]
                     if isinstance(a, DeviceTensor)}
        return tree_map(lambda t: originals[id(t)] if id(t) in originals else _wrap(t), out)


def _unwrap(value):
    return value.elem if isinstance(value, DeviceTensor) else value


def _wrap(value):
    if isinstance(value, torch.Tensor) and not isinstance(value, DeviceTensor):
        return DeviceTensor(value)
    return value


def _targets_cpu(kwargs: dict) -> bool:
    device = kwargs.get("device")
    return device is not None and torch.device(device).type == "cpu"


def _without_device(kwargs: dict) -> dict:
    if "device" in kwargs and kwargs["device"] is not None \
            and torch.device(kwargs["device"]).type == NAME:
        return {**kwargs, "device": torch.device("cpu")}
    return kwargs


def _refuse_mixed_devices(func, args, kwargs) -> None:
    tensors = [t for t in tree_flatten((args, kwargs))[0] if isinstance(t, torch.Tensor)]
    if not any(isinstance(t, DeviceTensor) for t in tensors):
        return
    for t in tensors:
        if not isinstance(t, DeviceTensor) and (t.dim() > 0 or t.device.type != "cpu"):
            other = t.device if t.device.type != "cpu" else "cpu"
            raise RuntimeError(
                "Expected all tensors to be on the same device, but found at least two "
                f"devices, {DEVICE_STRING} and {other}! (when running {func.overloadpacket.__name__})")


def _factory(op, *args, **kwargs):
    """PrivateUse1 kernels for what reaches the key without a wrapper: factories, copies."""
    kwargs = _without_device(kwargs)
    return tree_map(_wrap, op(*tree_map(_unwrap, args), **kwargs))


def install() -> None:
    """Make ``gpu`` a device in this process (once; later calls do nothing).

    Autograd's engine sizes its per-device queues and threads once per process,
    at the first backward pass - and the fork-server runs one before forking
    workers, so in a worker the engine has no queue for a new device (and the
    threads of a forked engine are gone). The device's backward therefore runs
    with autograd's multithreading off (in the calling thread, on the CPU's
    queue), which is where its CPU kernels run anyway.
    """
    if _state["installed"]:
        return
    if _state["error"] is not None:
        raise RuntimeError(_state["error"])
    swap = torch.__future__.get_swap_module_params_on_conversion()
    try:
        from torch.utils.backend_registration import _setup_privateuseone_for_python_backend

        _setup_privateuseone_for_python_backend(NAME)
        library = torch.library.Library("_", "IMPL")
        library.fallback(_factory, "PrivateUse1")
        _state["library"] = library  # a Library unregisters itself when collected
        torch._C._set_only_lift_cpu_tensors(True)
        torch.__future__.set_swap_module_params_on_conversion(True)
        torch.autograd.set_multithreading_enabled(False)  # this thread's state: the worker's
        self_test()
    except Exception as exc:
        # Leave the process as it was, as far as that is possible (the rename stays).
        torch._C._set_only_lift_cpu_tensors(False)
        torch.__future__.set_swap_module_params_on_conversion(swap)
        torch.autograd.set_multithreading_enabled(True)
        _state["error"] = (f"the stand-in '{NAME}' device could not be set up: "
                           f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
        raise RuntimeError(_state["error"]) from exc
    _state["installed"] = True


def available() -> bool:
    """Install the device if possible; False (with the reason in ``reason()``) if not."""
    try:
        install()
    except RuntimeError:
        return False
    return True


def reason() -> str | None:
    return _state["error"]


def on_device(tensor: torch.Tensor) -> bool:
    return isinstance(tensor, DeviceTensor) and str(tensor.device) == DEVICE_STRING


def self_test() -> None:
    """Fail loudly if the private API this module rests on stopped working."""
    def fail(what: str):
        raise AssertionError(f"fake device self-test: {what}")

    x = torch.randn(3, 4)
    y = x.to(NAME)
    if not on_device(y) or y.device.type != NAME:
        fail(f"x.to('{NAME}') gave a tensor on {y.device}")
    if not torch.equal(y.cpu(), x) or type(y.cpu()) is not torch.Tensor:
        fail("a round trip to the device and back changed the values")
    if not on_device(torch.zeros(2, device=NAME)):
        fail("a factory function did not create a tensor on the device")
    if not on_device(torch.tensor([1.0, 2.0], device=NAME)):
        fail("torch.tensor(..., device=...) did not create a tensor on the device")
    try:
        y + x
    except RuntimeError as exc:
        if "same device" not in str(exc):
            raise
    else:
        fail("mixing a device tensor with a CPU tensor did not raise")
    (y * torch.tensor(2.0)).sum()  # a CPU scalar mixes freely, as with CUDA
    model = torch.nn.Linear(4, 2)
    weight = model.weight
    model.to(NAME)
    if model.weight is not weight or not on_device(model.weight):
        fail("module.to(device) did not keep the parameters' identity")
    torch.manual_seed(0)
    cpu_model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Dropout(0.2),
                                    torch.nn.Linear(3, 2))
    dev_model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Dropout(0.2),
                                    torch.nn.Linear(3, 2))
    dev_model.load_state_dict(cpu_model.state_dict())
    dev_model.to(NAME)
    results = []
    for net, device in ((cpu_model, "cpu"), (dev_model, NAME)):
        torch.manual_seed(1)
        optimizer = torch.optim.Adam(net.parameters(), lr=0.1)
        for _ in range(3):
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(
                net(x.to(device)), torch.tensor([0, 1, 1]).to(device))
            loss.backward()
            optimizer.step()
        results.append([p.detach().cpu() for p in net.parameters()])
    if not all(torch.equal(a, b) for a, b in zip(*results)):
        fail("training on the device did not give exactly the CPU's numbers")
    if loss.item() != loss.item():
        fail("loss.item() on the device is NaN")
