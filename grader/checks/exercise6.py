"""Checks for exercise 6: a device-aware training loop.

The student's functions run in the worker on the grader's models, digits loaders,
loss and optimizer (grader/probes/exercise6.py), which report what they saw. The
devices: a stand-in GPU (grader/fakedevice.py) that, like CUDA, refuses to mix its
tensors with CPU tensors, so a forgotten ``.to(device)`` fails here as it would on
a GPU, on any machine. On a cluster worker with a GPU (or with GRADER_DEVICE=cuda)
the device checks use CUDA itself where it works there (grader/cuda.py): the same
verdicts, told as what happened on the GPU.
"""

import functools
import math

import torch
import torch.nn.functional as F

from grader.carryforward import carry_crash_forward, carry_forward_judged
from grader.check import (
    Exercise,
    Mistake,
    Task,
    check,
    expect,
)
from grader.probes.exercise6 import (
    build_model,
    evaluate_probe,
    fit_probe,
    model_from,
    pick_device_probe,
    prepare,
    split,
    train_probe,
)

EXERCISE = Exercise("exercise6", "A device-aware training loop", [
    Task("pick_device"),
    Task("train_one_epoch"),
    Task("evaluate"),
    Task("fit", builds_on=("train_one_epoch", "evaluate")),
], worker_setup=prepare, preload=("torch._dynamo",), resources={"GPU": 1},
    without_resources="its device checks use the grader's stand-in GPU")

# Training checks run real (small) training; generous limits only matter for endless loops.
TRAINING_TIMEOUT = 30

# fit on the digits: the reference (Adam, cross-entropy) reaches about 0.95 in these
# settings (0.94 to 0.97 across seeds); 0.90 leaves room for other sound choices.
FIT_EPOCHS, FIT_LR, FIT_BATCH = 8, 0.01, 64
REFERENCE_ACCURACY, REQUIRED_ACCURACY = 0.95, 0.90

STAND_IN = ("The grader runs your code on a stand-in GPU, device 'gpu:0', that refuses to "
            "mix its tensors with CPU tensors exactly as CUDA does.")
RECORDED = ("(The stand-in GPU could not be set up on this machine, so the grader ran your "
            "code on the CPU and watched which tensors went through .to(device).)")
ON_CUDA = "The grader ran your code on a real GPU, device 'cuda:0'."
ABOUT = {"fake": STAND_IN, "recorded": RECORDED, "cuda": ON_CUDA}


def initial_state(kind: str, seed: int) -> dict:
    torch.manual_seed(seed)
    return build_model(kind).state_dict()


@functools.cache
def trained_state() -> dict:
    """An "mlp" trained one epoch in the grader, so accuracies are far from chance.

    Plain gradient descent by hand: torch.optim would import torch._dynamo (a second)
    into the grader's process.
    """
    torch.manual_seed(6)
    model = build_model("mlp")
    train_x, train_y, _, _ = split()
    for start in range(0, len(train_x), 32):
        model.zero_grad()
        F.cross_entropy(model(train_x[start:start + 32]), train_y[start:start + 32]).backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= 0.5 * p.grad
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def predictions_correct(kind: str, state: dict, x, y) -> torch.Tensor:
    model = model_from(kind, state).eval()
    with torch.no_grad():
        return model(x).argmax(dim=1) == y


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-6)


def expect_python_float(returned: dict, function: str, hint: str) -> float:
    kind = returned["kind"]
    if kind == "tensor" and returned.get("graph"):
        raise Mistake(f"your {function} returned a tensor that still holds the autograd graph "
                      f"of the whole epoch; it should return a Python float. {hint}")
    if kind == "tensor":
        raise Mistake(f"your {function} returned a tensor; it should return a Python float. "
                      f"{hint}")
    if kind != "float":
        raise Mistake(f"your {function} should return a Python float, but it returned "
                      f"{'nothing' if kind == 'NoneType' else 'a ' + kind}.")
    return returned["value"]


def expect_on_the_device(function: str, forwards: list[dict], report: dict,
                         moves_model: bool) -> None:
    """Everything the loop computed with was on the device it was given: the sentences."""
    about = ABOUT[report["route"]]
    error = report["error"]
    failure = ""
    if error:  # the student's traceback ends with the exception's own line
        failure = (f"\nIt failed here:\n{error['traceback']}" if error["traceback"]
                   else f"\nIt failed with {error['type']}: {error['message']}")
    if report["cuda_requests"]:
        raise Mistake(
            f"your {function} hard-codes CUDA: it called {report['cuda_requests'][0]} instead "
            "of moving tensors to the `device` it was given. That fails on every machine "
            "without an NVIDIA GPU and ignores the caller's choice; use .to(device). "
            f"{about}{failure}")
    inputs_moved = [f["moved"] for f in forwards]
    unmoved = {role: where for role, where in reversed(report["unmoved"])}
    if error and not forwards and not unmoved:
        raise Mistake(f"your {function} failed before it ran the model on the device it was "
                      f"given. {about}{failure}")
    if moves_model and not report["model_on_device"]:
        if not any(inputs_moved):
            raise Mistake(
                f"your {function} moved nothing to the device: the model and every batch "
                "stayed on the CPU, so on a GPU nothing would run there. Move the model once "
                "with model.to(device), and every batch's inputs and targets with "
                f".to(device). {about}{failure}")
        raise Mistake(
            f"your {function} moved the batches to the device but not the model: its "
            "parameters stayed on the CPU while the inputs were on the device. On a GPU "
            "this fails with 'Expected all tensors to be on the same device'. Call "
            f"model.to(device) at the start of {function}. {about}{failure}")
    if "inputs" in unmoved or not all(inputs_moved):
        lead = (f"your {function} moved the model to the device but not the batch" if moves_model
                else f"the model is on the device, but your {function} did not move the batch")
        raise Mistake(
            f"{lead}: the inputs reached the model still on the CPU. On a GPU this fails "
            "with 'Expected all tensors to be on the same device, but found at least two "
            "devices, cuda:0 and cpu'. Move every batch: inputs = inputs.to(device). "
            f"{about}{failure}")
    if "targets" in unmoved:
        raise Mistake(
            f"your {function} moved the inputs to the device but not the targets: the targets "
            f"from the loader were still on the CPU when they met the model's outputs in "
            f"{unmoved['targets']}. On a GPU this fails with 'Expected all tensors to be on "
            "the same device'. Move them too: targets = targets.to(device). "
            f"{about}{failure}")
    if error and not any(word in error["message"].lower() for word in ("device", "cuda")):
        # Everything reached the device; the crash is some other mistake, told as it is.
        raise Mistake(f"your {function} raised {error['type']}: {error['message']}"
                      + (f"\n{error['traceback'].rstrip()}" if error["traceback"] else ""))
    if error:
        raise Mistake(f"your {function} failed when given a device other than the CPU. "
                      f"{about}{failure}")
    expect(bool(forwards), f"your {function} never ran the model. {about}")
    expect(report["model_on_device"],
           f"your {function} moved the model's parameters off the device it was given: "
           f"they ended on {', '.join(report['param_devices'])}. {about}")


# -- pick_device -----------------------------------------------------------

def expect_device(seen: dict, wanted: str, situation: str) -> None:
    if seen["kind"] == "str":
        raise Mistake(f"pick_device returned the string '{seen['text']}' {situation}; return a "
                      f"torch.device: torch.device('{wanted}').")
    expect(seen["kind"] == "device",
           f"pick_device should return a torch.device, but it returned a {seen['kind']}.")
    expect(seen["text"] in (wanted, f"{wanted}:0"),
           f"pick_device returned torch.device('{seen['text']}') {situation}; it should return "
           f"torch.device('{wanted}'). Decide with torch.cuda.is_available().")


@check("pick_device")
def test_pick_device_chooses_cuda_when_it_is_available(student):
    "pick_device returns torch.device('cuda') when torch.cuda.is_available() is True."
    seen = student.probe(pick_device_probe, True, task="pick_device")
    expect_device(seen, "cuda", "when CUDA is available")


@check("pick_device", hidden=True)
def test_pick_device_falls_back_to_the_cpu_without_cuda(student):
    "pick_device returns torch.device('cpu') when CUDA is not available."
    seen = student.probe(pick_device_probe, False, task="pick_device")
    expect_device(seen, "cpu", "when CUDA is not available")


# -- train_one_epoch -------------------------------------------------------

def train(student, kind: str, samples: int, batch_size: int, **options) -> dict:
    return student.probe(train_probe, kind, initial_state(kind, 1), samples, batch_size,
                         **options, task="train_one_epoch")


@check("train_one_epoch", timeout=TRAINING_TIMEOUT)
def test_train_one_epoch_puts_the_model_in_training_mode(student):
    "train_one_epoch calls model.train() itself: a model handed over in eval mode trains in training mode."
    seen = train(student, "dropout", 64, 16, start_in_eval=True)
    expect(bool(seen["forwards"]), "your train_one_epoch never ran the model.")
    expect(all(f["training"] for f in seen["forwards"]),
           "your train_one_epoch ran the model in evaluation mode: the grader handed it over "
           "after model.eval() (as evaluate leaves it), and it was never switched back. Call "
           "model.train() at the start, or dropout and batch norm behave as in evaluation and "
           "the model trains wrongly.")


def batch_gradients(params: list[torch.Tensor], x, y) -> list[torch.Tensor]:
    model = build_model("mlp")
    model.load_state_dict(dict(zip(model.state_dict(), params)))
    F.cross_entropy(model(x), y).backward()
    return [p.grad for p in model.parameters()]


@check("train_one_epoch", points=2, timeout=TRAINING_TIMEOUT)
def test_train_one_epoch_zeroes_the_gradients_before_every_backward(student):
    "Every optimizer.step() uses exactly its batch's gradient, even with old gradients left on."
    samples, batch_size = 64, 16
    seen = train(student, "mlp", samples, batch_size, stale_grad=1.0, record_steps=True)
    steps, batches = seen["steps"], seen["batches"]
    expect(len(steps) == batches,
           f"optimizer.step() ran {len(steps)} times for {batches} batches; it should run "
           "once per batch, after loss.backward().")
    train_x, train_y, _, _ = split()
    for i, step in enumerate(steps):
        if any(g is None for g in step["grads"]):
            raise Mistake(
                f"when optimizer.step() ran for batch {i + 1}, the parameters had no gradient: "
                "the gradients were zeroed between backward() and step(). The order is "
                "zero_grad(), forward, loss, backward(), step().")
        rows = slice(i * batch_size, (i + 1) * batch_size)
        expected = batch_gradients(step["params"], train_x[rows], train_y[rows])
        if all(torch.allclose(g, e, rtol=1.3e-6, atol=1e-5)
               for g, e in zip(step["grads"], expected)):
            continue
        if i == 0:
            raise Mistake(
                "the first optimizer.step() used more than the first batch's gradient: "
                "gradients that were already on the parameters before train_one_epoch began "
                "were added in, because backward() adds to .grad. Call optimizer.zero_grad() "
                "at the start of every batch, before the forward and backward.")
        raise Mistake(
            f"at batch {i + 1}, optimizer.step() used the gradients of earlier batches as well "
            "as this one's: backward() adds to .grad, so they pile up unless you call "
            "optimizer.zero_grad() before every backward().")


@check("train_one_epoch", points=2, timeout=TRAINING_TIMEOUT, hidden=True)
def test_train_one_epoch_returns_the_mean_batch_loss_as_a_float(student):
    "train_one_epoch returns the mean of its batches' losses as a Python float (the last batch here holds one sample)."
    samples, batch_size = 81, 16  # five batches of 16 and one of 1
    seen = train(student, "mlp", samples, batch_size, lr=0.5)
    losses, batches = seen["losses"], seen["batches"]
    expect(len(losses) == batches,
           f"your train_one_epoch called loss_fn {len(losses)} times for {batches} batches; "
           "it should compute each batch's loss once, with the loss_fn it is given.")
    value = expect_python_float(seen["returned"], "train_one_epoch",
                                "Add up loss.item() for each batch and divide by the number "
                                "of batches.")
    mean = sum(losses) / batches
    if close(value, mean):
        return
    sizes = [batch_size] * (samples // batch_size) + [samples % batch_size]
    likely = [
        (sum(losses) / samples, ("You divided by the number of samples; divide the sum of the "
                                "batch losses by the number of batches.")),
        (sum(losses) / sizes[-1], ("You divided by the size of the last batch; divide by the "
                                  "number of batches.")),
        (losses[-1], "That is the last batch's loss alone; return the mean over all batches."),
        (sum(losses), "That is the sum of the batch losses; divide it by the number of batches."),
        (sum(loss * size for loss, size in zip(losses, sizes)) / samples,
         ("You weighted each batch by its size; the task asks for the plain mean of the batch "
         "losses (sum of loss.item() / number of batches).")),
    ]
    hint = next((why for wrong, why in likely if close(value, wrong)), "")
    raise Mistake(f"your train_one_epoch returned {value:.6g}, but the mean of its "
                  f"{batches} batch losses is {mean:.6g}. {hint}".rstrip())


@check("train_one_epoch", timeout=TRAINING_TIMEOUT, hidden=True)
def test_train_one_epoch_keeps_no_autograd_graph_between_batches(student):
    "No batch's autograd graph outlives its batch: the running total is built from loss.item()."
    seen = train(student, "mlp", 64, 16, watch_graph=True)
    returned = seen["returned"]
    expect(not (returned["kind"] == "tensor" and returned.get("graph")),
           "your train_one_epoch returned a tensor that holds the autograd graph of every "
           "batch. Add up loss.item() (a plain float) instead of loss.")
    expect(seen["graph_kept_at"] is None,
           f"your train_one_epoch kept an earlier batch's autograd graph alive into batch "
           f"{(seen['graph_kept_at'] or 0) + 1}: something computed from loss (like "
           "total_loss += loss, or a list of losses) outlives its batch, and with it every "
           "graph, which on a GPU fills the memory. Accumulate loss.item(), a plain float.")


@check("train_one_epoch", points=3, timeout=TRAINING_TIMEOUT)
def test_train_one_epoch_moves_every_batch_to_the_device(student):
    "With the model on a GPU-like device, every batch's inputs and targets are moved there too."
    seen = train(student, "mlp", 48, 16, device_kind="gpu", catch=True)
    expect_on_the_device("train_one_epoch", seen["forwards"], seen["device"], moves_model=False)
    expect(all(d == seen["device"]["name_on_device"] for d in seen["target_devices"]),
           "the targets reached loss_fn on "
           f"{', '.join(sorted(set(seen['target_devices'])))}, not on the device: move them "
           "with targets = targets.to(device).")


# -- evaluate --------------------------------------------------------------

def evaluate(student, kind: str, state: dict, samples: int, batch_size: int, **options):
    return student.probe(evaluate_probe, kind, state, samples, batch_size, **options,
                         task="evaluate")


@check("evaluate", points=2, timeout=TRAINING_TIMEOUT)
def test_evaluate_returns_the_accuracy_over_all_samples(student):
    "evaluate returns the fraction of samples predicted right, counting samples, not batches."
    samples, batch_size = 101, 25
    seen = evaluate(student, "mlp", trained_state(), samples, batch_size)
    value = expect_python_float(seen["returned"], "evaluate",
                                "Count the correct predictions with .sum().item() and divide "
                                "by the number of samples.")
    _, _, val_x, val_y = split()
    correct = predictions_correct("mlp", trained_state(), val_x[:samples], val_y[:samples])
    accuracy = correct.sum().item() / samples
    if close(value, accuracy):
        return
    per_batch = [c.float().mean().item() for c in correct.split(batch_size)]
    likely = [
        (sum(per_batch) / len(per_batch), ("You averaged the accuracies of the batches; the "
                                          "last batch is smaller, so count correct samples "
                                          "over all batches and divide by the number of "
                                          "samples.")),
        (correct.sum().item(), ("That is the number of correct predictions; divide it by the "
                               "number of samples.")),
        (100 * accuracy, "That is a percentage; return a fraction between 0 and 1."),
    ]
    hint = next((why for wrong, why in likely if close(value, wrong)), "")
    raise Mistake(f"your evaluate returned {value:.6g} for a model that gets {correct.sum()} "
                  f"of {samples} samples right (accuracy {accuracy:.6g}). {hint}".rstrip())


@check("evaluate", timeout=TRAINING_TIMEOUT)
def test_evaluate_puts_the_model_in_evaluation_mode(student):
    "evaluate calls model.eval(): a model handed over in training mode (dropout on) is evaluated in evaluation mode."
    seen = evaluate(student, "dropout", initial_state("dropout", 2), 50, 25)
    expect(bool(seen["forwards"]), "your evaluate never ran the model.")
    expect(not any(f["training"] for f in seen["forwards"]),
           "your evaluate ran the model in training mode: the grader handed it over after "
           "model.train(), and dropout kept dropping units while you measured. Call "
           "model.eval() before the loop.")


@check("evaluate", timeout=TRAINING_TIMEOUT, hidden=True)
def test_evaluate_tracks_no_gradients(student):
    "evaluate runs the model under torch.no_grad(): measuring builds no autograd graph."
    seen = evaluate(student, "dropout", initial_state("dropout", 2), 50, 25)
    expect(bool(seen["forwards"]), "your evaluate never ran the model.")
    expect(not any(f["grad"] for f in seen["forwards"]),
           "your evaluate ran the model with gradient tracking on, so every batch builds an "
           "autograd graph nobody needs (memory and time). Wrap the loop in "
           "`with torch.no_grad():`.")


@check("evaluate", points=2, timeout=TRAINING_TIMEOUT)
def test_evaluate_moves_every_batch_to_the_device(student):
    "With the model on a GPU-like device, evaluate moves every batch's inputs and targets there."
    seen = evaluate(student, "mlp", trained_state(), 50, 16, device_kind="gpu", catch=True)
    expect_on_the_device("evaluate", seen["forwards"], seen["device"], moves_model=False)
    expect(seen["returned"]["kind"] == "float",
           f"on the device, your evaluate returned a {seen['returned']['kind']}, not a Python "
           "float: turn the count into a number with .item() before dividing.")


# -- fit -------------------------------------------------------------------

def expect_history(history, epochs: int) -> tuple[list, list]:
    expect(isinstance(history, dict),
           f"your fit should return a dict, but it returned {type(history).__name__}.")
    keys = sorted(map(str, history))
    expect(keys == ["train_loss", "val_acc"],
           f"your fit returned a dict with keys {keys}; it should have exactly 'train_loss' "
           "and 'val_acc'.")
    for key in ("train_loss", "val_acc"):
        values = history[key]
        expect(isinstance(values, list) and len(values) == epochs,
               f"history['{key}'] should be a list with one entry per epoch ({epochs}), but it "
               f"is {type(values).__name__}"
               + (f" of length {len(values)}." if isinstance(values, list) else "."))
        kinds = {type(v).__name__ for v in values if type(v) is not float}
        expect(not kinds, f"history['{key}'] should hold Python floats, but holds "
                          f"{', '.join(sorted(kinds))} values (use .item()).")
    expect(all(math.isfinite(v) and v > 0 for v in history["train_loss"]),
           f"history['train_loss'] should hold positive, finite losses: {history['train_loss']}")
    expect(all(0 <= v <= 1 for v in history["val_acc"]),
           f"history['val_acc'] should hold accuracies in [0, 1]: {history['val_acc']}")
    return history["train_loss"], history["val_acc"]


FIT_PARTS = ("train_one_epoch", "evaluate")


def same_training(runs: list, recipe_runs: list) -> bool:
    """The student's fit and the stub's recipe on the student's parts did the same thing:
    the same history and the same trained parameters."""
    for run, recipe in zip(runs, recipe_runs):
        if run["history"] != recipe["history"]:
            return False
        if any(not torch.allclose(run["state"][k], recipe["state"][k]) for k in run["state"]):
            return False
    return True


def judge_fit(student, judge, *args, **options) -> None:
    """``judge(runs)`` on the student's fit; a fit that does exactly what the stub's recipe
    does with the student's own train_one_epoch and evaluate is judged as that recipe
    is (error carried forward: a mistake in those parts is charged there, not here)."""
    def recipe():
        return student.probe(fit_probe, *args, task="fit", judged=False, recipe=True, **options)

    runs = carry_crash_forward("fit", FIT_PARTS,
                               lambda: student.probe(fit_probe, *args, task="fit", **options),
                               recipe)
    if runs is not None:
        carry_forward_judged("fit", FIT_PARTS, judge, runs, recipe, same=same_training)


@check("fit", timeout=TRAINING_TIMEOUT)
def test_fit_returns_one_loss_and_one_accuracy_per_epoch(student):
    "fit returns {'train_loss': [...], 'val_acc': [...]}, one float per epoch in each."
    train_samples, val_samples, epochs = 96, 64, 2

    def judge(runs):
        (run,) = runs
        _, val_acc = expect_history(run["history"], epochs)
        _, _, val_x, val_y = split()
        accuracy = predictions_correct("mlp", run["state"], val_x[:val_samples],
                                       val_y[:val_samples]).float().mean().item()
        expect(close(val_acc[-1], accuracy),
               f"the last val_acc your fit reported is {val_acc[-1]:.6g}, but the trained "
               f"model's accuracy on val_loader is {accuracy:.6g}. Each epoch, call "
               "evaluate(model, val_loader, device) after train_one_epoch and append its result.")

    judge_fit(student, judge, "mlp", [initial_state("mlp", 3)], train_samples, val_samples, 32,
              epochs, 0.01)


@check("fit", points=3, timeout=TRAINING_TIMEOUT)
def test_fit_reaches_the_reference_accuracy_on_the_digits(student):
    "On scikit-learn's handwritten digits, fit reaches the reference's validation accuracy."
    everything = 10**6

    def judge(runs):
        (run,) = runs
        train_loss, val_acc = expect_history(run["history"], FIT_EPOCHS)
        expect(val_acc[-1] >= REQUIRED_ACCURACY,
               f"after {FIT_EPOCHS} epochs at lr={FIT_LR}, your fit reached a validation "
               f"accuracy of {val_acc[-1]:.3f}; the reference reaches about "
               f"{REFERENCE_ACCURACY:.2f} (torch.optim.Adam with nn.CrossEntropyLoss), and "
               f"{REQUIRED_ACCURACY:.2f} is needed. Use torch.optim.Adam, as the docstring "
               "says; check also that every batch is used and the gradients are zeroed.")
        expect(train_loss[-1] < train_loss[0],
               f"your fit's training loss did not go down: {train_loss[0]:.4g} in the first "
               f"epoch, {train_loss[-1]:.4g} in the last.")

    judge_fit(student, judge, "dropout", [initial_state("dropout", 4)], everything, everything,
              FIT_BATCH, FIT_EPOCHS, FIT_LR)


@check("fit", points=2, timeout=TRAINING_TIMEOUT)
def test_fit_moves_the_model_and_every_batch_to_the_device(student):
    "Given a model on the CPU and a GPU-like device, fit moves the model there, and its loop every batch."
    def judge(runs):
        (run,) = runs
        expect_on_the_device("fit", run["forwards"], run["device"], moves_model=True)

    judge_fit(student, judge, "mlp", [initial_state("mlp", 5)], 48, 32, 16, 1, 0.01,
              device_kind="gpu", catch=True)


def changed(before: dict, after: dict) -> bool:
    return any(not torch.equal(before[name], after[name]) for name in before)


@check("fit", timeout=TRAINING_TIMEOUT, hidden=True)
def test_fit_builds_its_own_optimizer_with_the_given_lr(student):
    "fit builds a new optimizer from the model it is given, on every call, with the lr it is given."
    states = [initial_state("mlp", 7), initial_state("mlp", 8)]

    def judge(runs):
        moved = [changed(state, run["state"]) for state, run in zip(states, runs)]
        expect(any(moved),
               "your fit never changed the model's parameters: build the optimizer from this "
               "model's parameters, torch.optim.Adam(model.parameters(), lr=lr), and step it "
               "every batch.")
        expect(all(moved),
               "your fit trained the first model it was given but not the second: build a new "
               "optimizer from model.parameters() inside fit on every call. An optimizer kept "
               "from an earlier call still updates the old model's parameters.")

    judge_fit(student, judge, "mlp", states, 64, 32, 32, 1, 0.01)
    still = initial_state("mlp", 9)

    def judge_lr_zero(runs):
        expect(not changed(still, runs[0]["state"]),
               "with lr=0 your fit still changed the parameters, so it ignores its lr argument: "
               "pass it to the optimizer, torch.optim.Adam(model.parameters(), lr=lr).")

    judge_fit(student, judge_lr_zero, "mlp", [still], 64, 32, 32, 1, 0.0)
