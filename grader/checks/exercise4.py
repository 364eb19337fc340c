"""Checks for exercise 4: gradient descent by hand.

Parameters with gradients cannot travel between processes, so every check
runs the student's code through a probe (grader/probes/exercise4.py) that
builds the leaves in the worker and reports what happened to them. The
expected values are computed here, with torch.optim.SGD's update rule as the
gold standard.
"""

import torch

from grader.carryforward import carry_crash_forward, carry_forward
from grader.check import (
    Exercise,
    Forbidden,
    Mistake,
    Task,
    check,
    expect,
    expect_close,
    expect_float,
)
from grader.probes import exercise4 as probes
from grader.student import StudentRaised

FIT_LINE_PARTS = ("sgd_step",)  # fit_line is built on sgd_step (its stub says so)


class NoTorchOptim(Forbidden):
    """Forbidden calls, plus any use of torch.optim (the probes record it as ``torch.optim...``)."""

    def violation(self, functions: list[str], ops: list[str]) -> str | None:
        used = sorted(f for f in functions if f.startswith("torch.optim"))
        # An optimizer class (torch.optim.SGD) says more than its helpers.
        used = [f for f in used if f.rsplit(".", 1)[-1][:1].isupper()] or used
        used += sorted(set(functions) & self.functions) + sorted(set(ops) & self.ops)
        if not used:
            return None
        # The recorder sees torch.linalg.lstsq as torch.linalg_lstsq; say it as it is written.
        culprit = used[0].replace("torch.linalg_", "torch.linalg.")
        return f"{self.why} Your code called {culprit}, so this task earns no credit."


SOLVERS = frozenset({
    "torch.linalg.lstsq", "torch.linalg_lstsq", "torch.linalg.pinv", "torch.linalg_pinv",
    "torch.pinverse", "Tensor.pinverse", "torch.linalg.solve", "torch.linalg_solve",
    "torch.linalg.solve_ex", "torch.linalg_solve_ex", "torch.linalg.inv", "torch.linalg_inv",
    "torch.linalg.inv_ex", "torch.linalg_inv_ex", "torch.inverse", "Tensor.inverse",
    "torch.cholesky_solve", "torch.linalg.lu_solve", "torch.linalg_lu_solve"})
SOLVER_OPS = frozenset({
    "aten.linalg_lstsq", "aten.linalg_pinv", "aten.pinverse", "aten.linalg_solve",
    "aten._linalg_solve_ex", "aten.linalg_solve_ex", "aten.linalg_inv", "aten.linalg_inv_ex",
    "aten.inverse", "aten.cholesky_solve", "aten.linalg_lu_solve", "aten.lu_solve"})

EXERCISE = Exercise("exercise4", "Gradient descent by hand", [
    Task("sgd_step", NoTorchOptim(
        why="sgd_step must move the parameters itself; torch.optim earns no credit in this "
            "exercise.")),
    Task("sgd_momentum_step", NoTorchOptim(
        why="sgd_momentum_step must keep its own velocities; torch.optim earns no credit in "
            "this exercise.")),
    Task("fit_line", NoTorchOptim(
        functions=SOLVERS, ops=SOLVER_OPS,
        why="fit_line must find w and b by gradient descent; torch.optim and closed-form "
            "solvers (torch.linalg.lstsq, pinv, solve, inv) earn no credit here."),
        builds_on=FIT_LINE_PARTS),
])

NO_GRAD_ADVICE = (
    "PyTorch refuses to change a leaf that requires grad in place while autograd is recording. "
    "The update is bookkeeping, not part of the model: put it inside `with torch.no_grad():`, "
    "then `p -= lr * p.grad` (or `p.sub_(lr * p.grad)`) is allowed.")
REBIND_ADVICE = (
    "`p = p - lr * p.grad` builds a new tensor and only rebinds the local name p; the caller's "
    "tensor never moves. Update in place inside `with torch.no_grad():` with "
    "`p -= lr * p.grad` or `p.sub_(lr * p.grad)`.")

NONE_GRAD_ADVICE = {
    "sgd_step": "A parameter that took no part in the loss has `p.grad is None`; skip it with "
                "`if p.grad is None: continue`.",
    "fit_line": "w.grad is None when w is not a leaf any more: `w = w - lr * w.grad` replaces w "
                "with a new tensor that autograd gives no .grad. Update w and b in place inside "
                "`with torch.no_grad():` (your sgd_step does that).",
}


def run_probe(student, probe, *args, task: str):
    """``student.probe`` with the classic crashes of a hand-written update turned into advice."""
    try:
        return student.probe(probe, *args, task=task)
    except StudentRaised as raised:
        message, kind = raised.error.get("message", ""), raised.error.get("type", "")
        # The student's own lines, without the exception's line that the message repeats.
        frames = raised.error.get("traceback", "").rstrip().splitlines()
        if frames and frames[-1].startswith(f"{kind}:"):
            frames.pop()
        where = "\n" + "\n".join(frames) if frames else ""
        if "leaf Variable that requires grad" in message:
            advice = Mistake(f"Your {task} raised RuntimeError: {message.splitlines()[0]}\n"
                             f"{NO_GRAD_ADVICE}{where}")
        elif "NoneType" in message:
            advice = Mistake(f"Your {task} raised {kind}: {message}\n"
                             f"{NONE_GRAD_ADVICE.get(task, NONE_GRAD_ADVICE['sgd_step'])}{where}")
        else:
            raise
        advice.error = raised.error  # still the student's crash (check.carry_crash_forward)
        raise advice from None


def random_params():
    """Parameters of different shapes, a scalar among them, so no shape can be mixed up."""
    return [torch.randn(3, 4), torch.randn(5), torch.randn(())]


# -- sgd_step --------------------------------------------------------------

@check("sgd_step", points=2)
def test_sgd_step_moves_each_parameter_against_its_gradient(student):
    "sgd_step subtracts lr times the gradient from every parameter."
    values, grads, lr = random_params(), random_params(), 0.1
    after = run_probe(student, probes.sgd_step_once, values, grads, lr, task="sgd_step")
    if all(torch.equal(a, v) for a, v in zip(after["values"], values)):
        if any(after["list_entries_replaced"]):
            raise Mistake("sgd_step put new tensors into the list (`params[i] = ...`) and left "
                          "the caller's own tensors unchanged. " + REBIND_ADVICE)
        raise Mistake("sgd_step left every parameter exactly as it was. " + REBIND_ADVICE)
    for i, (a, v, g) in enumerate(zip(after["values"], values, grads)):
        expect_close(a, v - lr * g, f"parameter {i} (shape {tuple(v.shape)}) after "
                     f"sgd_step(params, lr={lr})",
                     hint="Each parameter should become p - lr * p.grad: check the sign and "
                          "that lr multiplies the gradient exactly once.")


@check("sgd_step")
def test_sgd_step_updates_the_callers_leaves_in_place(student):
    "After sgd_step each parameter is the caller's own leaf, still requiring grad, untouched by autograd."
    values, grads = random_params(), random_params()
    after = run_probe(student, probes.sgd_step_once, values, grads, 0.1, task="sgd_step")
    for i, v in enumerate(values):
        expect(after["requires_grad"][i],
               f"After sgd_step, parameter {i} no longer has requires_grad=True, so the next "
               "backward() would give it no gradient. Do not switch it off (or detach it): "
               "`with torch.no_grad():` is enough to update it in place.")
        expect(after["is_leaf"][i] and not after["has_grad_fn"][i],
               f"After sgd_step, parameter {i} is no longer a leaf: the update was recorded by "
               "autograd. " + NO_GRAD_ADVICE)
        expect(not torch.equal(after["values"][i], v),
               f"sgd_step did not change the caller's parameter {i} in place. " + REBIND_ADVICE)


@check("sgd_step")
def test_sgd_step_clears_the_gradients(student):
    "After sgd_step every gradient is zero or None, ready for the next backward()."
    after = run_probe(student, probes.sgd_step_once, random_params(), random_params(), 0.1,
                      task="sgd_step")
    for i, g in enumerate(after["grads"]):
        expect(g is None or not g.any(),
               f"After sgd_step, parameter {i} still holds its gradient. backward() adds into "
               ".grad, so gradients that are never zeroed pile up from step to step and "
               "training drifts. Zero them after the update: `p.grad.zero_()` or "
               "`p.grad = None`.")


@check("sgd_step", hidden=True)
def test_sgd_step_skips_parameters_without_a_gradient(student):
    "A parameter whose .grad is None is left as it is, and the others are still updated."
    values, lr = random_params(), 0.1
    grads = [torch.randn(3, 4), None, torch.randn(())]
    after = run_probe(student, probes.sgd_step_once, values, grads, lr, task="sgd_step")
    expect(torch.equal(after["values"][1], values[1]) and after["grads"][1] is None,
           "sgd_step changed a parameter that had no gradient (p.grad is None). Skip such "
           "parameters: `if p.grad is None: continue`.")
    for i in (0, 2):
        expect(not torch.equal(after["values"][i], values[i]),
               f"sgd_step did not move parameter {i}, which has a gradient. " + REBIND_ADVICE)
        expect_close(after["values"][i], values[i] - lr * grads[i],
                     f"parameter {i} after sgd_step, when parameter 1 has no gradient",
                     hint="Skip only the parameters without a gradient, and keep going.")


@check("sgd_step", points=2, hidden=True)
def test_sgd_step_trains_a_model_through_its_parameters(student):
    "Five rounds of backward() and sgd_step(model.parameters(), lr) train an nn.Linear as torch.optim.SGD does."
    weight, bias = torch.randn(2, 3), torch.randn(2)
    x, y = torch.randn(8, 3), torch.randn(8, 2)
    lr, steps = 0.1, 5
    got = run_probe(student, probes.sgd_step_trains_linear, weight, bias, x, y, lr, steps,
                    task="sgd_step")
    model = probes.linear_model(weight, bias)
    params = list(model.parameters())
    for _ in range(steps):
        probes.mse_of_linear(model, x, y).backward()
        sgd_reference(params, lr)
    expect(got["still_trainable"],
           f"After step {got['steps_done']} the model's parameters no longer require grad (or are "
           "not leaves any more), so the next backward() cannot reach them. Update them in place "
           "inside `with torch.no_grad():` and leave requires_grad alone.")
    expect(not torch.equal(got["weight"], weight),
           f"The nn.Linear's weight never moved in {steps} steps. " + REBIND_ADVICE)
    hint = ("model.parameters() is a generator: it can be looped over only once, so update and "
            "zero each gradient in the same loop. Gradients that are never zeroed pile up "
            "over the steps.")
    expect_close(got["weight"], model.weight.detach(),
                 f"the weight of an nn.Linear after {steps} steps of your sgd_step", hint=hint)
    expect_close(got["bias"], model.bias.detach(),
                 f"the bias of an nn.Linear after {steps} steps of your sgd_step", hint=hint)


# -- sgd_momentum_step -----------------------------------------------------

def sgd_reference(params, lr):
    """One step of torch.optim.SGD without momentum, then zero_grad().

    Written out rather than calling torch.optim: building an optimizer imports
    torch._dynamo, over a second of the grader's time.
    """
    with torch.no_grad():
        for p in params:
            p.add_(p.grad, alpha=-lr)
            p.grad = None


def momentum_trajectory(values, targets, lr, steps, velocity_rule):
    """Parameters and velocities after ``steps`` of ``v = velocity_rule(v, grad); p -= lr * v``.

    Velocities start at zero. With ``v = momentum * v + grad`` this is exactly
    torch.optim.SGD(momentum=momentum) (torch/optim/sgd.py: its first buffer is
    the gradient itself, which is what the rule gives from zero).
    """
    params = [v.clone().requires_grad_(True) for v in values]
    velocities = [torch.zeros_like(v) for v in values]
    for _ in range(steps):
        probes.momentum_objective(params, targets).backward()
        with torch.no_grad():
            for i, p in enumerate(params):
                velocities[i] = velocity_rule(velocities[i], p.grad)
                p.sub_(lr * velocities[i])
                p.grad = None
    return [p.detach() for p in params], velocities


def pytorch_momentum(momentum):
    return lambda v, grad: momentum * v + grad


def running_average(momentum):
    """The other convention students meet (dampening = momentum): not PyTorch's."""
    return lambda v, grad: momentum * v + (1 - momentum) * grad


def all_close(actual: list, expected: list) -> bool:
    return all(torch.allclose(a, e, rtol=1e-5, atol=1e-6) for a, e in zip(actual, expected))


MOMENTUM = {"lr": 0.05, "momentum": 0.8, "steps": 10}


def run_momentum(student):
    values, targets = random_params(), random_params()
    got = run_probe(student, probes.momentum_steps, values, targets, MOMENTUM["lr"],
                    MOMENTUM["momentum"], MOMENTUM["steps"], task="sgd_momentum_step")
    return values, targets, got


@check("sgd_momentum_step", points=3)
def test_sgd_momentum_step_matches_torch_optim_sgd_over_ten_steps(student):
    "Ten calls of sgd_momentum_step move the parameters exactly as torch.optim.SGD(momentum=0.8)."
    values, targets, got = run_momentum(student)
    lr, momentum, steps = MOMENTUM["lr"], MOMENTUM["momentum"], MOMENTUM["steps"]
    expected, _ = momentum_trajectory(values, targets, lr, steps, pytorch_momentum(momentum))
    if all_close(got["values"], expected):
        return
    if all(torch.equal(a, v) for a, v in zip(got["values"], values)):
        raise Mistake("sgd_momentum_step never changed the parameters. " + REBIND_ADVICE)
    if all_close(got["values"], momentum_trajectory(values, targets, lr, steps,
                                                    lambda v, grad: grad)[0]):
        raise Mistake("Your parameters moved exactly as plain SGD without momentum: the velocity "
                      "never carries over to the next call. `v = momentum * v + p.grad` rebinds "
                      "the name v; update the caller's velocity in place with "
                      "`v.mul_(momentum).add_(p.grad)`.")
    if all_close(got["values"], momentum_trajectory(values, targets, lr, steps,
                                                    running_average(momentum))[0]):
        raise Mistake("Your velocity is a running average, v = momentum * v + (1 - momentum) * "
                      "grad. PyTorch's convention has no (1 - momentum) factor: "
                      "v = momentum * v + grad, then p -= lr * v.")
    for i, (a, e) in enumerate(zip(got["values"], expected)):
        expect_close(a, e, f"parameter {i} after {steps} steps of sgd_momentum_step(lr={lr}, "
                     f"momentum={momentum})",
                     hint="PyTorch's convention: v = momentum * v + grad; p -= lr * v, "
                          "both in place.")


@check("sgd_momentum_step", points=2, hidden=True)
def test_sgd_momentum_step_updates_the_callers_velocities_in_place(student):
    "After ten steps the caller's velocity tensors hold torch.optim.SGD's momentum buffers."
    values, targets, got = run_momentum(student)
    lr, momentum, steps = MOMENTUM["lr"], MOMENTUM["momentum"], MOMENTUM["steps"]
    _, buffers = momentum_trajectory(values, targets, lr, steps, pytorch_momentum(momentum))
    velocities = got["velocities"]
    if all(not v.any() for v in velocities):
        replaced = any(got["velocity_entries_replaced"])
        raise Mistake("The caller's velocity tensors are still all zeros after ten steps"
                      + (": you put new tensors into the list instead of updating them. "
                         if replaced else ". ")
                      + "`v = momentum * v + p.grad` only rebinds the name v; update in place "
                        "with `v.mul_(momentum).add_(p.grad)` inside `torch.no_grad()`.")
    if all_close(velocities, [lr * b for b in buffers]):
        raise Mistake("Your velocities are lr times PyTorch's: you folded the learning rate "
                      "into the velocity (v = momentum * v + lr * grad). PyTorch's convention "
                      "keeps lr out of it: v = momentum * v + grad, then p -= lr * v.")
    for i, (v, b) in enumerate(zip(velocities, buffers)):
        expect_close(v, b, f"velocity {i} after {steps} steps (momentum={momentum})",
                     hint="The velocity follows v = momentum * v + grad, updated in place.")


@check("sgd_momentum_step", hidden=True)
def test_sgd_momentum_step_leaves_the_gradients_to_the_caller(student):
    "sgd_momentum_step leaves every gradient as it found it: clearing them is the caller's job."
    values, targets, got = run_momentum(student)
    lr, momentum, steps = MOMENTUM["lr"], MOMENTUM["momentum"], MOMENTUM["steps"]
    # The gradients of the last call are those of the parameters one step before the end.
    before, _ = momentum_trajectory(values, targets, lr, steps - 1, pytorch_momentum(momentum))
    leaves = [p.clone().requires_grad_(True) for p in before]
    probes.momentum_objective(leaves, targets).backward()
    for i, (grad, leaf) in enumerate(zip(got["grads"], leaves)):
        expect(grad is not None and bool(grad.any()),
               f"sgd_momentum_step cleared the gradient of parameter {i}; leave .grad as it is "
               "(the stub says clearing it is the caller's job).")
        expect_close(grad, leaf.grad, f"the gradient of parameter {i} after sgd_momentum_step")


# -- fit_line --------------------------------------------------------------

TRUE_W, TRUE_B = 2.25, 1.25


def line_data(n=64):
    x = torch.rand(n) * 4 - 1
    return x, TRUE_W * x + TRUE_B


def as_number(value, what: str) -> float:
    """A Python float or a one-element tensor, as a float (the float check is separate)."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return float(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise Mistake(f"{what} should be a number, but it is {type(value).__name__}: {value!r:.200}")


def by_students_sgd_step(student, x, y, lr=0.1, steps=1000):
    """What fit_line's recipe gives with the student's own sgd_step (error carried forward)."""
    return tuple(student.probe(probes.descend_with_students_sgd_step, x, y, lr, steps,
                               task="sgd_step", judged=False))


def fit_line_result(student, x, y, **kwargs) -> tuple | None:
    """The student's (w, b); None when fit_line crashed exactly as the recipe does with the
    student's own sgd_step (the crash is sgd_step's, and this check keeps its points)."""
    result = carry_crash_forward(
        "fit_line", FIT_LINE_PARTS,
        lambda: run_probe(student, probes.fit_line_on, x, y, kwargs, task="fit_line"),
        lambda: by_students_sgd_step(student, x, y, **kwargs))
    if result is None:
        return None
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Mistake(f"fit_line should return a pair (w, b), but it returned {result!r:.200}.")
    return result


def descend(x, y, lr, steps) -> tuple[float, float]:
    """Plain gradient descent on the MSE from w = 1, b = 0, in float32 as the student's."""
    w = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    for _ in range(steps):
        loss = ((w * x + b - y) ** 2).mean()
        w.grad = b.grad = None
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
    return w.item(), b.item()


@check("fit_line", points=3)
def test_fit_line_finds_the_true_line(student):
    "With its default lr and steps fit_line recovers y = 2.25 x + 1.25 to within 1e-2."
    x, y = line_data()
    result = fit_line_result(student, x, y)
    if result is None:
        return

    def within_a_hundredth(answer, reference):
        w, b = (as_number(v, name) for v, name in zip(answer, "wb"))
        if not (abs(w - reference[0]) <= 1e-2 and abs(b - reference[1]) <= 1e-2):
            raise Mistake(f"On data from y = {TRUE_W} x + {TRUE_B}, fit_line(x, y) returned "
                          f"w = {w:.6g}, b = {b:.6g}; both should be within 1e-2 of the truth. "
                          "If the values blow up, check that the loss is the mean (not the sum) "
                          "of the squared errors and that the gradients are zeroed after every "
                          "step.")

    carry_forward("fit_line", FIT_LINE_PARTS, within_a_hundredth, result, (TRUE_W, TRUE_B),
                  lambda: by_students_sgd_step(student, x, y))


@check("fit_line", points=2)
def test_fit_line_takes_gradient_descent_steps_from_w_1_b_0(student):
    "fit_line starts at w = 1, b = 0 and takes exactly `steps` gradient steps of size lr."
    x, y = line_data(16)
    for lr, steps in ((0.05, 0), (0.05, 1), (0.05, 3)):
        result = fit_line_result(student, x, y, lr=lr, steps=steps)
        if result is None:
            return
        got = [as_number(v, name) for v, name in zip(result, "wb")]
        if steps == 0:
            expect(got == [1.0, 0.0], f"fit_line(x, y, steps=0) returned (w, b) = ({got[0]:.6g}, "
                   f"{got[1]:.6g}); with no steps it should return the start, w = 1.0, b = 0.0.")
            continue

        def same_steps(answer, reference, lr=lr, steps=steps):
            expect_close(torch.tensor([float(v) for v in answer]), torch.tensor(reference),
                         f"(w, b) after fit_line(x, y, lr={lr}, steps={steps})",
                         hint=f"From w = 1, b = 0, each of the {steps} step(s) should subtract "
                              "lr times the gradient of mean((w * x + b - y) ** 2), then zero "
                              "the gradients. Use the lr and steps you are given.")

        carry_forward("fit_line", FIT_LINE_PARTS, same_steps, got, descend(x, y, lr, steps),
                      lambda lr=lr, steps=steps: by_students_sgd_step(student, x, y, lr, steps))


@check("fit_line")
def test_fit_line_returns_python_floats(student):
    "fit_line returns w and b as Python floats, not tensors."
    x, y = line_data(16)
    result = fit_line_result(student, x, y, steps=2)
    if result is None:
        return
    w, b = result
    expect_float(w, "the w returned by fit_line")
    expect_float(b, "the b returned by fit_line")


@check("fit_line", hidden=True)
def test_fit_line_leaves_x_and_y_alone(student):
    "fit_line leaves the caller's x and y as they were: same values, no requires_grad, no .grad."
    x, y = line_data(16)
    after = carry_crash_forward(
        "fit_line", FIT_LINE_PARTS,
        lambda: run_probe(student, probes.fit_line_inputs_after, x, y, {"steps": 2},
                          task="fit_line"),
        lambda: by_students_sgd_step(student, x, y, steps=2))
    if after is None:
        return
    for name, before in (("x", x), ("y", y)):
        expect(torch.equal(after[name], before),
               f"fit_line changed the caller's {name}. Only w and b are learned; compute with "
               f"{name} but never write into it (no in-place operations on it).")
    for name, requires_grad, grad in zip("xy", after["requires_grad"], after["grads"]):
        expect(not requires_grad and not grad,
               f"After fit_line the caller's {name} requires grad (or holds a .grad). Only w "
               f"and b need requires_grad=True: the data {name} is a constant of the loss.")
