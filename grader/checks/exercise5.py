"""Checks for exercise 5: networks with nn.Module.

Modules cannot leave the worker, so probes (grader/probes/exercise5.py) build
them there and report their structure, state_dict, outputs and gradients.
Behaviour is judged here against the reference solution: a student's LeNet
state_dict is loaded into the reference LeNet, which must give the same outputs.
"""

import functools
import math
from itertools import pairwise

import torch
import torch.nn.functional as F

from grader.check import Exercise, Mistake, Task, check, expect, expect_close, expect_shape
from grader.expected import from_reference
from grader.probes import exercise5 as probes
from grader.reference import reference
from grader.student import StudentRaised

EXERCISE = Exercise("exercise5", "Networks with nn.Module", [
    Task("LeNet"),
    Task("build_mlp"),
    Task("count_parameters"),
    Task("init_weights_"),
])


@functools.cache
def solution():
    return reference("exercise5")


def expect_module(report: dict, what: str) -> dict:
    expect(report["is_module"], f"{what} should be an nn.Module, but it is a {report['class']}.")
    return report


def show(description: dict) -> str:
    """``Linear(400, 120)``, ``Conv2d(1, 6, 5)``, ``LogSoftmax(dim=0)`` from a probe's description."""
    settings, kind, name = description["settings"], description["kind"], description["class"]
    no_bias = ", bias=False" if settings.get("has_bias") is False else ""
    if kind == "Linear":
        return f"{name}({settings.get('in_features')}, {settings.get('out_features')}{no_bias})"
    if kind == "Conv2d":
        size = settings.get("kernel_size")
        size = size[0] if isinstance(size, tuple) and len(set(size)) == 1 else size
        return (f"{name}({settings.get('in_channels')}, {settings.get('out_channels')}, "
                f"{size}{no_bias})")
    if "dim" in settings:
        return f"{name}(dim={settings['dim']})"
    return name


def outputs_or_mistake(output, what: str, hint: str = "") -> torch.Tensor:
    if isinstance(output, dict) and "raised" in output:
        # The student's own lines, without the exception's line that the message repeats.
        frames = (output.get("traceback") or "").rstrip().splitlines()
        if frames and frames[-1].startswith(output["raised"].split(":", 1)[0] + ":"):
            frames.pop()
        where = "\n" + "\n".join(frames) if frames else ""
        raise Mistake(f"{what[:1].upper()}{what[1:]} raised {output['raised'].rstrip('.')}.{' ' + hint if hint else ''}"
                      f"{where}")
    return output


# -- LeNet -----------------------------------------------------------------

LENET_LAYERS = {
    "conv1": ("Conv2d", {"in_channels": 1, "out_channels": 6, "kernel_size": (5, 5)}),
    "conv2": ("Conv2d", {"in_channels": 6, "out_channels": 16, "kernel_size": (5, 5)}),
    "fc1": ("Linear", {"in_features": 400, "out_features": 120}),
    "fc2": ("Linear", {"in_features": 120, "out_features": 84}),
    "fc3": ("Linear", {"in_features": 84, "out_features": 10}),
}
LENET_SIZES = {"conv1": "Conv2d(1, 6, 5)", "conv2": "Conv2d(6, 16, 5)", "fc1": "Linear(400, 120)",
               "fc2": "Linear(120, 84)", "fc3": "Linear(84, num_classes)"}
LENET_PARAMETERS = 61_706
FLATTEN_HINT = ("Is a batch size written into your forward? Flatten with torch.flatten(x, 1) "
                "(or x.view(x.size(0), -1)) so that it works for any batch.")


def images(n: int) -> torch.Tensor:
    return torch.randn(n, 1, 32, 32)


def lenet_weights() -> dict:
    """A state_dict for LeNet() drawn by the grader, shaped as the docstring's layers."""
    shapes = {"conv1": ((6, 1, 5, 5), 6), "conv2": ((16, 6, 5, 5), 16), "fc1": ((120, 400), 120),
              "fc2": ((84, 120), 84), "fc3": ((10, 84), 10)}
    weights = {}
    for name, (weight, bias) in shapes.items():
        weights[f"{name}.weight"] = torch.randn(weight) * 0.1
        weights[f"{name}.bias"] = torch.randn(bias) * 0.1
    return weights


def reference_outputs(weights: dict, inputs: list) -> list:
    model = solution().LeNet()
    model.load_state_dict(weights)
    with torch.no_grad():
        return [model.eval()(x) for x in inputs]


def reference_lenet(state_dict: dict, num_classes: int = 10):
    """The reference LeNet holding the student's weights, or a Mistake saying why it cannot."""
    model = solution().LeNet(num_classes)
    try:
        model.load_state_dict(state_dict)
    except RuntimeError as error:
        detail = str(error).replace("\n\t", "\n    ").strip()
        raise Mistake("Your LeNet's state_dict does not load into the reference LeNet, so "
                      "weights saved from one cannot be used by the other. The names and shapes "
                      "of the layers must be exactly conv1, conv2, fc1, fc2, fc3 as in the "
                      f"docstring.\n{detail}") from None
    return model.eval()


def expect_reference_outputs(report: dict, inputs: list, num_classes: int, what: str) -> None:
    model = reference_lenet(report["state_dict"], num_classes)
    with torch.no_grad():
        expected = [model(x) for x in inputs]
    expect_outputs(report["outputs"], expected, inputs, num_classes, what)


def expect_outputs(outputs: list, expected: list, inputs: list, num_classes: int, what: str) -> None:
    for x, output, right in zip(inputs, outputs, expected):
        n = x.shape[0]
        label = f"{what} on a batch of {n} image{'s' if n > 1 else ''} of shape (1, 32, 32)"
        output = outputs_or_mistake(output, label, FLATTEN_HINT if n != 64 else "")
        expect_shape(output, (n, num_classes), f"the output of {label}")
        expect_close(output, right, f"the output of {label}",
                     hint="With the same weights, your forward should compute exactly the "
                          "reference's: conv1 -> relu -> max-pool 2 -> conv2 -> relu -> max-pool "
                          "2 -> flatten -> fc1 -> relu -> fc2 -> relu -> fc3, with no relu or "
                          "softmax after fc3.")


@check("LeNet", points=2)
def test_lenet_has_the_five_named_layers(student):
    "LeNet() has submodules conv1, conv2, fc1, fc2, fc3 of the kinds and sizes in the docstring."
    report = expect_module(student.probe(probes.lenet, task="LeNet"), "LeNet()")
    children = dict(report["children"])
    missing = [name for name in LENET_LAYERS if name not in children]
    if missing:
        raise Mistake(f"LeNet() should have submodules named {', '.join(LENET_LAYERS)}; yours "
                      f"has {', '.join(children) or 'none'} (missing: {', '.join(missing)}). The "
                      "names matter: a state_dict's keys come from them, so weights saved from "
                      "one LeNet load into another only if the names match. Assign each layer "
                      "to self.<name> in __init__.")
    for name, (kind, settings) in LENET_LAYERS.items():
        got = children[name]
        wrong = {k: got["settings"].get(k) for k, v in settings.items()
                 if got["settings"].get(k) != v}
        expect(got["kind"] == kind and not wrong,
               f"LeNet's {name} should be nn.{LENET_SIZES[name]}; yours is {show(got)}.")
        expect(got["settings"].get("has_bias", True),
               f"LeNet's {name} has no bias; nn.{LENET_SIZES[name]} has one by default.")


@check("LeNet")
def test_lenet_has_61706_parameters(student):
    "LeNet() with its default 10 classes has 61,706 parameters."
    report = expect_module(student.probe(probes.lenet, task="LeNet"), "LeNet()")
    total = sum(math.prod(shape) for _, shape, _ in report["parameters"])
    if total != LENET_PARAMETERS:
        listing = ", ".join(f"{name} {math.prod(shape):,}" for name, shape, _ in
                            report["parameters"])
        raise Mistake(f"LeNet() has {total:,} parameters; it should have {LENET_PARAMETERS:,} "
                      "(conv1 156, conv2 2,416, fc1 48,120, fc2 10,164, fc3 850, biases "
                      f"included). Yours: {listing or 'none'}.")


@check("LeNet", points=3)
def test_lenet_matches_the_reference_network(student):
    "Holding the same weights as the reference LeNet, LeNet gives the same outputs for 64 images."
    weights, inputs = lenet_weights(), [images(64)]
    report = expect_module(student.probe(probes.lenet_with_weights, weights, inputs, task="LeNet"),
                           "LeNet()")
    if "load_error" in report:
        detail = report["load_error"].replace("\n\t", "\n    ").strip()
        raise Mistake("The reference LeNet's state_dict does not load into your LeNet, so weights "
                      "saved from one cannot be used by the other. The names and shapes of the "
                      "layers must be exactly conv1, conv2, fc1, fc2, fc3 as in the docstring."
                      f"\n{detail}")
    expected = from_reference(lambda: reference_outputs(weights, inputs))
    expect_outputs(report["outputs"], expected, inputs, 10, "your LeNet")


@check("LeNet", hidden=True)
def test_lenet_takes_any_batch_size(student):
    "LeNet gives the reference's outputs for a batch of one image and for a batch of three."
    inputs = [images(1), images(3)]
    report = expect_module(student.probe(probes.lenet, None, inputs, task="LeNet"), "LeNet()")
    expect_reference_outputs(report, inputs, 10, "your LeNet")


@check("LeNet", hidden=True)
def test_lenet_refuses_images_of_the_wrong_size(student):
    "Handed 28x28 images instead of 32x32 ones, LeNet raises rather than return wrong rows."
    # 25 images of 28x28 leave 25 * 256 = 16 * 400 features: x.view(-1, 400) makes 16 rows of
    # them without a word, where torch.flatten(x, 1) keeps 25 rows that fc1 refuses.
    x = torch.randn(25, 1, 28, 28)
    report = expect_module(student.probe(probes.lenet, None, [x], task="LeNet"), "LeNet()")
    output = report["outputs"][0]
    if isinstance(output, dict) and "raised" in output:
        return
    shape = tuple(output.shape) if isinstance(output, torch.Tensor) else type(output).__name__
    raise Mistake(f"your LeNet, handed a batch of 25 images of 28x28 (not the 32x32 it is "
                  f"built for), returned {shape} instead of raising. Flattening with "
                  "x.view(-1, 400) hard-codes the feature count and silently regroups the "
                  "numbers into the wrong rows; torch.flatten(x, 1) keeps one row per image.")


@check("LeNet", points=2, hidden=True)
def test_lenet_works_for_any_number_of_classes(student):
    "LeNet(num_classes=3) ends in fc3 = Linear(84, 3) and gives the reference's three scores per image."
    inputs = [images(5)]
    report = expect_module(student.probe(probes.lenet, 3, inputs, task="LeNet"), "LeNet(3)")
    fc3 = dict(report["children"]).get("fc3")
    if fc3 is not None and fc3["settings"].get("out_features") != 3:
        raise Mistake(f"LeNet(3)'s fc3 is {show(fc3)}; it should be nn.Linear(84, 3). Use the "
                      "num_classes argument instead of a fixed 10.")
    expect_reference_outputs(report, inputs, 3, "your LeNet(3)")


@check("LeNet", hidden=True)
def test_lenet_passes_gradients_to_every_parameter(student):
    "A backward() through LeNet's output gives every parameter the reference's gradient."
    x, upstream = images(4), torch.randn(4, 10)
    report = student.probe(probes.lenet_gradients, x, upstream, task="LeNet")
    outputs_or_mistake(report["output"], "your LeNet on a batch of 4 images", FLATTEN_HINT)
    expect(report["graph"], "LeNet's output is not part of the autograd graph: no gradient can "
           "reach its parameters. Does forward use .detach(), .data, .item(), NumPy or "
           "torch.no_grad()?")
    model = reference_lenet(report["state_dict"])
    (model(x) * upstream).sum().backward()
    for name, p in model.named_parameters():
        grad = report["grads"].get(name)
        expect(grad is not None,
               f"No gradient reached LeNet's {name}. Something in forward cuts the graph before "
               "that layer's output is used: .detach(), .data, a NumPy round trip or "
               "torch.no_grad().")
        expect_close(grad, p.grad, f"the gradient of LeNet's {name}")


# -- build_mlp -------------------------------------------------------------

def mlp_layers(sizes) -> list[tuple[str, dict]]:
    """(kind, settings) of every layer build_mlp(sizes) should stack."""
    layers = []
    for i, (n_in, n_out) in enumerate(pairwise(sizes)):
        if i:
            layers.append(("ReLU", {}))
        layers.append(("Linear", {"in_features": n_in, "out_features": n_out}))
    return layers + [("LogSoftmax", {"dim": 1})]


def layer_name(kind: str, settings: dict) -> str:
    if kind == "Linear":
        return f"Linear({settings['in_features']}, {settings['out_features']})"
    if kind == "LogSoftmax":
        return f"LogSoftmax(dim={settings['dim']})"
    return kind


def on_a_batch(kind: str, settings: dict) -> tuple[str, dict]:
    """On the (N, features) batches an MLP takes, LogSoftmax(dim=-1) is LogSoftmax(dim=1)."""
    if kind == "LogSoftmax" and settings.get("dim") == -1:
        return kind, {**settings, "dim": 1}
    return kind, settings


def expect_mlp_layers(report: dict, sizes) -> None:
    call = "build_mlp()" if sizes is None else f"build_mlp({tuple(sizes)})"
    expect_module(report, call)
    expect(report["kind"] == "Sequential",
           f"{call} should return an nn.Sequential, but it returned a {report['class']}.")
    wanted = mlp_layers(sizes or (784, 128, 64, 10))
    got = [on_a_batch(d["kind"], {k: d["settings"].get(k) for k in settings})
           for (_, d), (_, settings) in zip(report["children"], wanted + [("", {})] * 99)]
    if got != wanted:
        raise Mistake(f"{call} should stack {', '.join(layer_name(*w) for w in wanted)}; yours "
                      f"stacks {', '.join(show(d) for _, d in report['children']) or 'nothing'}. "
                      "A ReLU goes between two Linear layers (never after the last one), and "
                      "LogSoftmax(dim=1) comes last.")


@check("build_mlp", points=2)
def test_build_mlp_stacks_linear_relu_and_log_softmax(student):
    "build_mlp() stacks Linear(784, 128), ReLU, Linear(128, 64), ReLU, Linear(64, 10), LogSoftmax(dim=1)."
    report = student.probe(probes.mlp, None, torch.randn(2, 784), task="build_mlp")
    expect_mlp_layers(report, None)


@check("build_mlp", points=2)
def test_build_mlp_outputs_log_probabilities(student):
    "build_mlp((20, 16, 5)) maps 7 inputs to 7 rows of log-probabilities computed by its layers."
    sizes, x = (20, 16, 5), torch.randn(7, 20)
    report = expect_module(student.probe(probes.mlp, sizes, x, task="build_mlp"),
                           f"build_mlp({sizes})")
    out = outputs_or_mistake(report["output"], f"build_mlp({sizes}) on an input of shape (7, 20)")
    out = expect_shape(out, (7, 5), f"the output of build_mlp({sizes}) on 7 inputs")
    sums = out.exp().sum(dim=1)
    row = int((sums - 1).abs().argmax())
    expect(torch.allclose(sums, torch.ones(7), atol=1e-5),
           f"The output rows should be log-probabilities, whose exp sums to 1; row {row}'s exp "
           f"sums to {sums[row].item():.4g}. The last layer should be nn.LogSoftmax(dim=1): "
           "dim=1 normalises each sample's row, and it must come after the last Linear.")
    state = report["state_dict"]
    linears = [name for name, d in report["modules"] if d["kind"] == "Linear"]
    expected = x
    for i, name in enumerate(linears):
        if i:
            expected = F.relu(expected)
        expected = F.linear(expected, state[f"{name}.weight"], state.get(f"{name}.bias"))
    expect_close(out, F.log_softmax(expected, dim=1), f"the output of build_mlp({sizes})",
                 hint="Between two Linear layers there is a ReLU, after the last one none.")


@check("build_mlp", hidden=True)
def test_build_mlp_works_for_any_sizes(student):
    "build_mlp follows its sizes: one Linear for (3, 4), four for (6, 5, 4, 3, 2)."
    for sizes in ((3, 4), (6, 5, 4, 3, 2)):
        report = student.probe(probes.mlp, sizes, torch.randn(2, sizes[0]), task="build_mlp")
        expect_mlp_layers(report, sizes)


# -- count_parameters ------------------------------------------------------

def parameters_of(name: str, trainable_only: bool) -> int:
    model = probes.sample_model(name)
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def expect_count(value, name: str, expected: int, call: str, trainable_only: bool = True) -> None:
    if isinstance(value, torch.Tensor):
        raise Mistake(f"{call} should return a Python int, but it returned a tensor "
                      f"({value!r:.80}). Sum p.numel() values, which are ints.")
    expect(type(value) is int, f"{call} should return a Python int, but it returned "
           f"{type(value).__name__} {value!r:.80}.")
    if value == expected:
        return
    model = probes.sample_model(name)
    counted = [p for p in model.parameters() if p.requires_grad or not trainable_only]
    hints = {len(counted): "That is the number of parameter tensors; count their elements with "
                           "p.numel().",
             sum(t.numel() for t in model.state_dict().values()):
                 "That counts the state_dict, which also holds buffers (BatchNorm's running "
                 "statistics) and lists a shared layer under each of its names; "
                 "model.parameters() visits each parameter once.",
             sum(p.numel() for m in model.modules() for p in m.parameters()
                 if p.requires_grad or not trainable_only):
                 "Nested modules were counted more than once: model.parameters() already "
                 "walks the whole model."}
    raise Mistake(f"{call} returned {value:,}; the right number is {expected:,}. "
                  + hints.get(value, ""))


@check("count_parameters", points=2)
def test_count_parameters_counts_every_scalar(student):
    "count_parameters counts every element of every parameter once: 8 for nn.Linear(3, 2)."
    for name, description in (("linear", "nn.Linear(3, 2)"),
                              ("convnet", "a nested conv net with BatchNorm"),
                              ("tied", "a model that uses one Linear twice")):
        value = student.probe(probes.count, name, task="count_parameters")
        expect_count(value, name, parameters_of(name, True),
                     f"count_parameters on {description}")


@check("count_parameters", points=2)
def test_count_parameters_skips_frozen_parameters_when_trainable_only(student):
    "With frozen layers, count_parameters(model) counts only trainable ones, and all of them with trainable_only=False."
    name = "frozen convnet"
    trainable, every = parameters_of(name, True), parameters_of(name, False)
    value = student.probe(probes.count, name, task="count_parameters")
    if value == every and every != trainable:
        raise Mistake(f"count_parameters(model) returned {value:,}, every parameter, though "
                      f"only {trainable:,} are trainable. By default (trainable_only=True) skip "
                      "the parameters with requires_grad=False.")
    expect_count(value, name, trainable, "count_parameters(model) on a partly frozen model")
    value = student.probe(probes.count, name, False, task="count_parameters")
    expect_count(value, name, every,
                 "count_parameters(model, trainable_only=False) on a partly frozen model", False)


# -- init_weights_ ---------------------------------------------------------

STD = 0.01


def layers_to_initialise(name: str) -> dict[str, str]:
    """{qualified name: 'Linear' or 'Conv2d'} for every layer init_weights_ must reach."""
    return {n: type(m).__name__ for n, m in probes.sample_model(name).named_modules()
            if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d))}


def initialised(student, name: str) -> dict:
    report = student.probe(probes.initialise, name, task="init_weights_")
    return report


def expect_normal_weights(report: dict, name: str) -> None:
    for layer, kind in layers_to_initialise(name).items():
        weight = report["after"][f"{layer}.weight"]
        n = weight.numel()
        std, mean = weight.std().item(), weight.mean().item()
        # Six standard errors: a right answer never fails, whatever the seed.
        expect(abs(std / STD - 1) <= max(0.1, 6 / math.sqrt(2 * n)),
               f"The weight of the {kind} at '{layer}' has std {std:.3g}; it should be drawn "
               f"with std {STD}"
               + (" - it still looks like PyTorch's default initialisation: is this layer "
                  "skipped? Walk every module with model.modules() and handle nn.Linear and "
                  "nn.Conv2d." if torch.equal(weight, report["before"][f"{layer}.weight"])
                  else ". nn.init.normal_(weight, mean=0.0, std=0.01) takes the standard "
                       "deviation, not the variance."))
        expect(abs(mean) <= 6 * STD / math.sqrt(n),
               f"The weight of the {kind} at '{layer}' has mean {mean:.3g}; it should be drawn "
               "with mean 0.")


@check("init_weights_", points=2)
def test_init_weights_draws_every_linear_weight_from_a_narrow_normal(student):
    "init_weights_ redraws every Linear weight from a normal with mean 0 and std 0.01."
    expect_normal_weights(initialised(student, "mlp"), "mlp")


@check("init_weights_", points=2)
def test_init_weights_reaches_conv_and_nested_layers(student):
    "init_weights_ also redraws Conv2d weights, and layers nested inside Sequential blocks."
    expect_normal_weights(initialised(student, "convnet"), "convnet")


@check("init_weights_")
def test_init_weights_sets_every_bias_to_zero(student):
    "After init_weights_ every Linear and Conv2d bias is zero."
    report = initialised(student, "convnet")
    for layer, kind in layers_to_initialise("convnet").items():
        bias = report["after"][f"{layer}.bias"]
        expect(not bias.any(),
               f"The bias of the {kind} at '{layer}' is not zero after init_weights_ (largest "
               f"value {bias.abs().max().item():.3g}). Set biases "
               "with nn.init.zeros_(module.bias).")


@check("init_weights_")
def test_init_weights_handles_a_layer_built_without_a_bias(student):
    "init_weights_ also works on a layer built with bias=False, whose bias is None."
    try:
        report = initialised(student, "convnet without a bias")
    except StudentRaised as problem:
        raise Mistake(f"init_weights_ failed on a Conv2d built with bias=False: "
                      f"{problem.error.get('type')}: {problem.error.get('message')}. Such a "
                      "layer's bias is None; zero it only `if module.bias is not None`.") from None
    expect_normal_weights(report, "convnet without a bias")


@check("init_weights_", hidden=True)
def test_init_weights_leaves_other_modules_alone(student):
    "init_weights_ leaves BatchNorm and other layers' parameters and buffers as they were."
    report = initialised(student, "convnet")
    reached = layers_to_initialise("convnet")
    for key, before in report["before"].items():
        if key.rsplit(".", 1)[0] in reached:
            continue
        after = report["after"].get(key)
        expect(after is not None and torch.equal(after, before),
               f"init_weights_ changed '{key}', which belongs to neither a Linear nor a Conv2d "
               "layer. Only those two kinds are re-initialised; pick them with isinstance "
               "rather than looping over model.parameters().")


@check("init_weights_", hidden=True)
def test_init_weights_returns_the_same_model(student):
    "init_weights_(model) works in place and returns model itself."
    report = initialised(student, "linear")
    expect(report["returned_model"],
           f"init_weights_(model) should return the model it was given (to allow "
           f"`model = init_weights_(Net())`), but it returned {report['returned']}.")
