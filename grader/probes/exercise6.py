"""Probes for exercise 6: run the student's training loop on the grader's own models,
data, loaders, optimizers and devices, and report what happened as plain data.

What they report: the devices of the tensors that reached the model, the model's
mode and autograd's state at every forward, each batch's loss, the gradients the
optimizer saw, what the function returned, calls that hard-code CUDA, and where
a batch that was never moved met tensors on the device. They know no expected
values; grader/checks/exercise6.py decides.

The device (``route``): CUDA itself (``"cuda"``) where the worker was told it runs
on a GPU (GRADER_DEVICE=cuda, grader/cuda.py) and CUDA works in it; otherwise
grader.fakedevice's stand-in GPU (``"fake"``). Where that cannot be set up either,
the probes run on the CPU and judge placement by the ``.to(...)`` calls they see
(``"recorded"``), and the checks say so.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import weakref
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.overrides import TorchFunctionMode
from torch.utils.data import DataLoader, TensorDataset

from grader import cuda, fakedevice
from grader.tracing import public_name

VAL_SIZE = 360
SPLIT_SEED = 0
# Calls that only read a tensor's metadata: using an unmoved batch in them is harmless.
METADATA = frozenset({"size", "dim", "numel", "__len__", "__get__", "__format__", "__repr__",
                      "__str__", "__hash__", "to", "cuda", "cpu", "is_floating_point"})


# -- data and models (the checks build the same ones) -----------------------

@functools.cache
def digits() -> tuple[torch.Tensor, torch.Tensor]:
    """scikit-learn's bundled handwritten digits: images (1797, 1, 8, 8) in [0, 1], labels.

    Read straight from the CSV file scikit-learn ships: the same numbers as
    ``sklearn.datasets.load_digits``, without the second it takes to import sklearn.
    """
    spec = importlib.util.find_spec("sklearn")
    folder = Path(next(iter(spec.submodule_search_locations or []), ""))
    path = folder / "datasets" / "data" / "digits.csv.gz"
    if path.is_file():
        table = np.loadtxt(path, delimiter=",", dtype=np.float32)
    else:  # sklearn moved its data: ask it
        from sklearn.datasets import load_digits

        bunch = load_digits()
        table = np.column_stack([bunch.data, bunch.target]).astype(np.float32)
    images = torch.from_numpy(table[:, :-1].copy()).reshape(-1, 1, 8, 8) / 16
    return images, torch.from_numpy(table[:, -1].copy()).long()


@functools.cache
def split() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(train_x, train_y, val_x, val_y): a fixed split of the digits."""
    x, y = digits()
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(SPLIT_SEED))
    val, train = order[:VAL_SIZE], order[VAL_SIZE:]
    return x[train], y[train], x[val], y[val]


def build_model(kind: str) -> nn.Module:
    """"mlp": 64 -> 32 -> 10 with ReLU; "dropout": the same with Dropout(0.2) after the ReLU."""
    layers = [nn.Flatten(), nn.Linear(64, 32), nn.ReLU()]
    if kind == "dropout":
        layers.append(nn.Dropout(0.2))
    layers.append(nn.Linear(32, 10))
    return nn.Sequential(*layers)


def model_from(kind: str, state: dict | None) -> nn.Module:
    model = build_model(kind)
    if state is not None:
        model.load_state_dict(state)
    return model


# -- devices -----------------------------------------------------------------

def fake_device_works() -> bool:
    """Install the stand-in GPU in this worker if it can be (GRADER_FAKE_DEVICE=off: never)."""
    return os.environ.get("GRADER_FAKE_DEVICE") != "off" and fakedevice.available()


# The device the cuda route hands the student: with its index, so that a device asked for
# by name (.cuda(), .to("cuda")) is told from the one given (.to(device), .to(x.device)).
CUDA = torch.device("cuda", 0)


@functools.cache
def gpu_route() -> tuple[str, str | None]:
    """(route, why not CUDA or the stand-in): decided once per worker, at its setup (so
    CUDA's threads are part of the state the worker started from)."""
    why = None
    if cuda.requested():
        works, why = cuda.works()
        if works:
            return "cuda", None
    if fake_device_works():
        return "fake", why
    return "recorded", "; ".join(filter(None, [
        why, fakedevice.reason() or "GRADER_FAKE_DEVICE=off"]))


def prepare() -> None:
    """First thing in every training probe, and the worker's setup: the device, and one
    thread (the models are tiny; a second thread only adds contention with the grader)."""
    torch.set_num_threads(1)
    gpu_route()


def target_device(kind: str) -> tuple[torch.device, str, str | None]:
    """(device, route, why): CUDA or the stand-in GPU if one works here, else the CPU with
    recording."""
    if kind == "cpu":
        return torch.device("cpu"), "cpu", None
    route, why = gpu_route()
    if route == "cuda":
        return CUDA, route, why
    if route == "fake":
        return torch.device(fakedevice.NAME), route, why
    return torch.device("cpu"), route, why


def on_device(tensor, route: str) -> bool:
    """``tensor`` is on the device of ``route`` (the recorded route has none: False)."""
    if route == "cuda":
        return isinstance(tensor, torch.Tensor) and tensor.is_cuda
    return fakedevice.on_device(tensor)


def _requested(args, kwargs) -> torch.device | None:
    """The device a ``Tensor.to(...)`` call asks for, if any."""
    for value in (kwargs.get("device"), *args):
        if isinstance(value, torch.Tensor):
            return value.device
        if isinstance(value, (str, torch.device)):
            try:
                return torch.device(value)
            except RuntimeError:
                return None
    return None


class DeviceWatch(TorchFunctionMode):
    """Sees every torch call the student's loop makes: devices it asks for by name, and
    where a batch straight from the loader, never moved, is used with the device's tensors.

    It holds the batches it saw (a handful of small tensors), so ids stay unique; it
    takes no weak references, which would stop ``module.to`` from swapping parameters.
    """

    def __init__(self, device: torch.device, route: str):
        super().__init__()
        self.device, self.route = device, route
        self.cuda_requests: list[str] = []
        self.batch_tensors: dict[int, tuple[torch.Tensor, str]] = {}
        self.moved: dict[int, torch.Tensor] = {}  # only on the recorded route: .to(device) seen
        self.unmoved: list[list[str]] = []

    def saw_batch(self, batch) -> None:
        for tensor, role in zip(batch, ("inputs", "targets")):
            if isinstance(tensor, torch.Tensor):
                self.batch_tensors[id(tensor)] = (tensor, role)

    def unmoved_role(self, tensor) -> str | None:
        """"inputs" or "targets" if ``tensor`` came from the loader and was never moved."""
        entry = self.batch_tensors.get(id(tensor))
        if entry is None or entry[0] is not tensor or on_device(tensor, self.route) \
                or id(tensor) in self.moved:
            return None
        return entry[1]

    def _note_unmoved(self, func, args, kwargs) -> None:
        tensors = [a for a in (*args, *kwargs.values()) if isinstance(a, torch.Tensor)]
        tensors += [t for a in args if isinstance(a, (list, tuple)) for t in a
                    if isinstance(t, torch.Tensor)]
        if self.route != "recorded" and not any(on_device(t, self.route) for t in tensors):
            return
        for tensor in tensors:
            role = self.unmoved_role(tensor)
            if role is not None:
                self.unmoved.append([role, public_name(func)])
                return

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = getattr(func, "__name__", "")
        target = None
        if name in ("to", "cuda") and args and isinstance(args[0], torch.Tensor):
            target = torch.device("cuda") if name == "cuda" else _requested(args[1:], kwargs)
            if target is not None and target.type == "cuda" and target != self.device \
                    and len(self.cuda_requests) < 4:
                shown = "'cuda'" if name == "to" else ""
                self.cuda_requests.append(f".{name}({shown})")
        elif name not in METADATA and self.batch_tensors and len(self.unmoved) < 4:
            self._note_unmoved(func, args, kwargs)
        out = func(*args, **kwargs)
        if self.route == "recorded" and target is not None and target.type == self.device.type:
            for tensor in (args[0], out):
                self.moved[id(tensor)] = tensor
        return out


class WatchedLoader(DataLoader):
    """A DataLoader that tells the watch about every batch it hands out."""

    watch: DeviceWatch | None = None

    def __iter__(self):
        for batch in super().__iter__():
            if self.watch is not None:
                self.watch.saw_batch(batch)
            yield batch


def loader(x, y, batch_size: int, shuffle_seed: int | None = None) -> WatchedLoader:
    generator = None if shuffle_seed is None else torch.Generator().manual_seed(shuffle_seed)
    return WatchedLoader(TensorDataset(x, y), batch_size=batch_size,
                         shuffle=shuffle_seed is not None, generator=generator)


def device_name(tensor) -> str:
    return str(tensor.device) if isinstance(tensor, torch.Tensor) else type(tensor).__name__


# -- what the loop does ------------------------------------------------------

class GraphWatch(TorchFunctionMode):
    """Follows each batch's loss: a tensor computed from it (``total += loss``) that is
    still alive a batch later keeps that batch's autograd graph alive."""

    def __init__(self):
        super().__init__()
        self.tracked: dict[int, tuple[weakref.ref, int, bool]] = {}

    def track_loss(self, loss: torch.Tensor, batch: int) -> None:
        self.tracked[id(loss)] = (weakref.ref(loss), batch, False)

    def alive_from_before(self, batch: int) -> bool:
        """A tensor derived from an earlier batch's loss, or a loss two batches old, lives."""
        return any(ref() is not None and (old < batch if derived else old < batch - 1)
                   for ref, old, derived in self.tracked.values())

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        if isinstance(out, torch.Tensor) and out.requires_grad:
            for arg in (*args, *kwargs.values()):
                entry = self.tracked.get(id(arg)) if isinstance(arg, torch.Tensor) else None
                if entry is not None and entry[0]() is arg:
                    self.tracked[id(out)] = (weakref.ref(out), entry[1], True)
                    break
        return out


class Observer:
    """Hooks on the grader's model and loss function that write down what they see."""

    def __init__(self, model: nn.Module, graph: GraphWatch | None = None,
                 watch: DeviceWatch | None = None):
        self.watch = watch
        self.forwards: list[dict] = []
        self.losses: list[float] = []
        self.target_devices: list[str] = []
        self.graph = graph
        self.graph_kept_at: int | None = None
        model.register_forward_pre_hook(self._forward)

    def _forward(self, module, args):
        inputs = args[0] if args else None
        self.forwards.append({"training": module.training, "grad": torch.is_grad_enabled(),
                              "device": device_name(inputs), "moved": self._moved(inputs)})
        batch = len(self.losses)
        if self.graph is not None and self.graph_kept_at is None \
                and self.graph.alive_from_before(batch):
            self.graph_kept_at = batch

    def _moved(self, inputs) -> bool | None:
        if self.watch is None:
            return None
        if self.watch.route != "recorded":
            return on_device(inputs, self.watch.route)
        return self.watch.unmoved_role(inputs) is None

    def loss_fn(self) -> nn.Module:
        observer = self

        class CrossEntropyLoss(nn.CrossEntropyLoss):
            def forward(self, outputs, targets):
                observer.target_devices.append(device_name(targets))
                loss = super().forward(outputs, targets)
                observer.losses.append(loss.item())
                if observer.graph is not None:
                    observer.graph.track_loss(loss, len(observer.losses) - 1)
                return loss

        return CrossEntropyLoss()


def describe(value) -> dict:
    """What a function returned, in a form the grader can judge."""
    if isinstance(value, torch.Tensor):
        single = value.numel() == 1
        return {"kind": "tensor", "graph": value.requires_grad, "shape": list(value.shape),
                "value": float(value.detach().cpu().reshape(-1)[0]) if single else None}
    if isinstance(value, float) or type(value) is int:
        return {"kind": type(value).__name__ if type(value) is int else "float",
                "value": float(value)}
    return {"kind": type(value).__name__}


def cpu_state(model: nn.Module) -> dict:
    return {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}


def param_devices(model: nn.Module) -> list[str]:
    return sorted({str(p.device) for p in model.parameters()})


def run_guarded(call, catch: bool, watch: DeviceWatch | None):
    """Run the student's call; with ``catch`` an exception becomes data, not a failure."""
    try:
        if watch is None:
            return call(), None
        with watch:
            return call(), None
    except Exception as exc:
        if not catch or isinstance(exc, NotImplementedError):
            raise
        from grader.probes.api import describe_error

        file = getattr(call, "student_file", "<submission>")
        return None, describe_error(exc, file)


def device_report(watch: DeviceWatch, model: nn.Module, error, why,
                  placed_by_grader: bool) -> dict:
    if watch.route != "recorded":
        placed = all(on_device(p, watch.route) for p in model.parameters())
        name_on_device = str(CUDA) if watch.route == "cuda" else fakedevice.DEVICE_STRING
    else:  # everything is on the CPU: judge by the .to(device) calls seen
        placed = placed_by_grader or all(id(p) in watch.moved for p in model.parameters())
        name_on_device = "cpu"
    return {"route": watch.route, "why": why, "name_on_device": name_on_device,
            "cuda_requests": watch.cuda_requests, "unmoved": watch.unmoved,
            "model_on_device": placed, "param_devices": param_devices(model),
            "error": error}


# -- probes ------------------------------------------------------------------

def pick_device_probe(submission, cuda_available: bool):
    """What pick_device returns when torch.cuda.is_available() says ``cuda_available``."""
    saved = torch.cuda.is_available, torch.cuda.device_count
    torch.cuda.is_available = lambda: cuda_available
    torch.cuda.device_count = lambda: int(cuda_available)
    try:
        device = submission.call("pick_device")
    finally:
        torch.cuda.is_available, torch.cuda.device_count = saved
    return {"kind": type(device).__name__, "text": str(device)[:200]}


def train_probe(submission, kind: str, state: dict, samples: int, batch_size: int, *,
                device_kind: str = "cpu", lr: float = 0.1, start_in_eval: bool = False,
                stale_grad: float | None = None, record_steps: bool = False,
                watch_graph: bool = False, catch: bool = False) -> dict:
    """train_one_epoch on the grader's model, loader, loss and SGD optimizer."""
    prepare()
    device, route, why = target_device(device_kind)
    train_x, train_y, _, _ = split()
    model = model_from(kind, state)
    if route in ("fake", "cuda"):
        model.to(device)  # the contract: the model is on `device` already
    if start_in_eval:
        model.eval()
    graph = GraphWatch() if watch_graph else None
    watch = DeviceWatch(device, route) if device_kind != "cpu" else None
    observer = Observer(model, graph, watch)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    if stale_grad is not None:
        for p in model.parameters():
            p.grad = torch.full_like(p, stale_grad)
    steps = []
    if record_steps:
        def before_step(optimizer, args, kwargs):
            steps.append({"params": [p.detach().cpu().clone() for p in model.parameters()],
                          "grads": [None if p.grad is None else p.grad.detach().cpu().clone()
                                    for p in model.parameters()]})
        optimizer.register_step_pre_hook(before_step)
    batches = loader(train_x[:samples], train_y[:samples], batch_size)
    batches.watch = watch
    function = submission.module.train_one_epoch

    def call():
        if graph is None:
            return function(model, batches, observer.loss_fn(), optimizer, device)
        with graph:
            return function(model, batches, observer.loss_fn(), optimizer, device)

    call.student_file = getattr(submission.module, "__file__", "<submission>")
    value, error = run_guarded(call, catch, watch)
    report = {"forwards": observer.forwards, "losses": observer.losses,
              "target_devices": observer.target_devices, "steps": steps,
              "returned": describe(value), "graph_kept_at": observer.graph_kept_at,
              "batches": len(batches)}
    if watch is not None:
        report["device"] = device_report(watch, model, error, why, placed_by_grader=True)
    return report


def evaluate_probe(submission, kind: str, state: dict, samples: int, batch_size: int, *,
                   device_kind: str = "cpu", start_in_train: bool = True,
                   catch: bool = False) -> dict:
    """evaluate on the grader's model and a loader over the first ``samples`` validation digits."""
    prepare()
    device, route, why = target_device(device_kind)
    _, _, val_x, val_y = split()
    model = model_from(kind, state)
    if route in ("fake", "cuda"):
        model.to(device)
    if start_in_train:
        model.train()
    watch = DeviceWatch(device, route) if device_kind != "cpu" else None
    observer = Observer(model, watch=watch)
    batches = loader(val_x[:samples], val_y[:samples], batch_size)
    batches.watch = watch
    function = submission.module.evaluate

    def call():
        return function(model, batches, device)

    call.student_file = getattr(submission.module, "__file__", "<submission>")
    value, error = run_guarded(call, catch, watch)
    report = {"forwards": observer.forwards, "returned": describe(value),
              "training_after": model.training}
    if watch is not None:
        report["device"] = device_report(watch, model, error, why, placed_by_grader=True)
    return report


def _plain_history(value):
    """The history as plain CPU data, whatever device its tensors (wrongly) live on."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().clone()
    if isinstance(value, dict):
        return {str(k): _plain_history(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_history(v) for v in value]
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return {"__unencodable__": type(value).__name__}


def fit_recipe(module):
    """fit as its stub spells it out, built on the student's own train_one_epoch and
    evaluate: what a fit built correctly on those parts does (error carried forward)."""
    def fit(model, train_loader, val_loader, epochs, lr, device):
        model.to(device)
        optimizer = torch.optim.Adam(model.parameters(), lr=lr)
        loss_fn = nn.CrossEntropyLoss()
        history = {"train_loss": [], "val_acc": []}
        for _ in range(epochs):
            history["train_loss"].append(
                module.train_one_epoch(model, train_loader, loss_fn, optimizer, device))
            history["val_acc"].append(module.evaluate(model, val_loader, device))
        return history
    return fit


def fit_probe(submission, kind: str, states: list, train_samples: int, val_samples: int,
              batch_size: int, epochs: int, lr: float, *, device_kind: str = "cpu",
              shuffle_seed: int = 0, catch: bool = False, recipe: bool = False) -> list:
    """fit on fresh models built from ``states`` (one run each, in order) and the digits;
    with ``recipe``, the stub's recipe for fit on the student's own parts instead."""
    prepare()
    device, route, why = target_device(device_kind)
    train_x, train_y, val_x, val_y = split()
    function = fit_recipe(submission.module) if recipe else submission.module.fit
    runs = []
    for state in states:
        model = model_from(kind, state)
        watch = DeviceWatch(device, route) if device_kind != "cpu" else None
        observer = Observer(model, watch=watch)
        train = loader(train_x[:train_samples], train_y[:train_samples], batch_size,
                       shuffle_seed)
        val = loader(val_x[:val_samples], val_y[:val_samples], batch_size)
        train.watch = val.watch = watch

        def call(model=model, train=train, val=val):
            return function(model, train, val, epochs, lr, device)

        call.student_file = getattr(submission.module, "__file__", "<submission>")
        value, error = run_guarded(call, catch, watch)
        run = {"history": _plain_history(value), "state": cpu_state(model),
               "forwards": observer.forwards}
        if watch is not None:
            run["device"] = device_report(watch, model, error, why, placed_by_grader=False)
        runs.append(run)
    return runs
