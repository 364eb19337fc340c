"""Checks for exercise 2: autograd."""

import torch

from grader.check import (
    Exercise,
    Forbidden,
    Mistake,
    Task,
    check,
    expect,
    expect_close,
    expect_shape,
    expect_tensor,
    expect_unchanged,
)
from grader.expected import from_reference
from grader.probes.exercise2 import (
    SCALAR_FUNCTIONS,
    activations,
    build_model,
    call_watching_autograd,
    numerical_gradient,
    q_gradients_side_effects,
)
from grader.reference import reference
from grader.student import ForbiddenCall

BY_HAND = ("linear_mse_grads asks for the gradients derived by hand; calling backward() or "
           "torch.autograd earns no credit here.")

EXERCISE = Exercise("exercise2", "Autograd", [
    Task("q_gradients"),
    Task("linear_mse_grads", Forbidden(
        # Every route into autograd (torch.func, autograd.functional) ends in one of these;
        # the engine itself is watched too (grader/probes/exercise2.py).
        functions=frozenset({"Tensor.backward", "torch.autograd.backward", "torch.autograd.grad"}),
        why=BY_HAND)),
    Task("numerical_grad"),
    Task("capture_activations"),
])


# -- q_gradients -------------------------------------------------------------

def true_q_gradients(a, b):
    return 9 * a**2, -2 * b


def expect_q_gradients(value, a, b, what):
    expect(isinstance(value, (tuple, list)) and len(value) == 2,
           f"{what} should return a pair (dQ/da, dQ/db), but returned {type(value).__name__}.")
    right_a, right_b = true_q_gradients(a, b)
    expect_close(value[0], right_a, f"dQ/da from {what}",
                 hint="Q = sum(3 * a**3 - b**2), so dQ/da = 9 * a**2.")
    expect_close(value[1], right_b, f"dQ/db from {what}",
                 hint="Q = sum(3 * a**3 - b**2), so dQ/db = -2 * b.")


@check("q_gradients", points=2)
def test_q_gradients_gives_dq_da_and_dq_db(student):
    "q_gradients returns dQ/da = 9a² and dQ/db = -2b, shaped like a and b, for any shape."
    for shape in [(3, 4), (5,), (1,)]:
        a, b = torch.randn(shape), torch.randn(shape)
        expect_q_gradients(student.q_gradients(a, b), a, b, f"q_gradients(a, b) for shape {shape}")


@check("q_gradients")
def test_q_gradients_lets_autograd_do_the_work(student):
    "q_gradients gets its answer from autograd (backward or torch.autograd.grad), not a formula."
    a, b = torch.randn(2, 3), torch.randn(2, 3)
    report = student.probe(q_gradients_side_effects, a, b, False, task="q_gradients")
    expect_q_gradients(report["value"], a, b, "q_gradients(a, b)")
    expect(report["autograd_ran"],
           "q_gradients returned the right numbers without running autograd: this task is about "
           "letting autograd differentiate Q. Build Q from copies that require grad and call "
           "torch.autograd.grad(Q, (a, b)) or Q.backward().")


@check("q_gradients", points=2)
def test_q_gradients_leaves_no_grad_on_the_callers_tensors(student):
    "Called on tensors that require grad, q_gradients leaves no .grad on them and keeps the flag."
    a, b = torch.randn(3, 2), torch.randn(3, 2)
    report = student.probe(q_gradients_side_effects, a, b, True, task="q_gradients")
    expect_q_gradients(report["value"], a, b, "q_gradients(a, b) for a, b that require grad")
    left = [name for name in ("a", "b") if report[f"{name}_grad"] is not None]
    expect(not left,
           f"q_gradients left a .grad on the caller's {' and '.join(left)}: backward() adds into "
           "the .grad of the tensors it reaches. Work on detached copies "
           "(a.detach().requires_grad_()) or use torch.autograd.grad, which stores nothing.")
    expect(report["a_requires_grad"] and report["b_requires_grad"],
           "q_gradients switched off requires_grad on the caller's tensors; leave them as they "
           "were and work on copies.")
    expect(torch.equal(report["a_after"], a) and torch.equal(report["b_after"], b),
           "q_gradients changed the values of the caller's a or b.")


@check("q_gradients", hidden=True)
def test_q_gradients_leaves_requires_grad_off_when_it_was_off(student):
    "Called on plain tensors, q_gradients does not switch requires_grad on for the caller."
    a, b = torch.randn(4), torch.randn(4)
    report = student.probe(q_gradients_side_effects, a, b, False, task="q_gradients")
    expect_q_gradients(report["value"], a, b, "q_gradients(a, b)")
    switched = [name for name in ("a", "b") if report[f"{name}_requires_grad"]]
    expect(not switched,
           f"q_gradients switched on requires_grad for the caller's {' and '.join(switched)} "
           "(a.requires_grad_() changes the caller's tensor). Make copies first: "
           "a.detach().requires_grad_().")
    expect(report["a_grad"] is None and report["b_grad"] is None,
           "q_gradients left a .grad on the caller's tensors; work on detached copies.")


# -- linear_mse_grads --------------------------------------------------------

def true_linear_mse_grads(x, y, w, b):
    w, b = w.clone().requires_grad_(True), b.clone().requires_grad_(True)
    loss = ((w * x + b - y) ** 2).mean()
    return torch.autograd.grad(loss, (w, b))


def linear_data(n):
    x = torch.randn(n)
    return x, 1.5 * x - 0.5 + 0.3 * torch.randn(n), torch.tensor(0.7), torch.tensor(0.2)


def by_hand(student, *args) -> dict:
    """Call linear_mse_grads, refusing the answer if autograd's engine ran."""
    report = student.probe(call_watching_autograd, "linear_mse_grads", *args,
                           task="linear_mse_grads")
    if report["autograd_ran"]:
        raise ForbiddenCall(f"{BY_HAND} Your code ran autograd's backward pass, so this task "
                            "earns no credit.")
    return report


def expect_scalar_pair(value, what):
    expect(isinstance(value, (tuple, list)) and len(value) == 2,
           f"{what} should return a pair (dL/dw, dL/db), but returned {type(value).__name__}.")
    expect_shape(value[0], (), f"dL/dw from {what}")
    expect_shape(value[1], (), f"dL/db from {what}")


def expect_linear_grads(value, args, what):
    expect_scalar_pair(value, what)
    right_w, right_b = true_linear_mse_grads(*args)
    expect_close(value[0], right_w, f"dL/dw from {what}",
                 hint="With r = w*x + b - y: dL/dw = mean(2 * r * x), the mean over the samples.")
    expect_close(value[1], right_b, f"dL/db from {what}",
                 hint="With r = w*x + b - y: dL/db = mean(2 * r).")


@check("linear_mse_grads", points=2)
def test_linear_mse_grads_match_autograd(student):
    "linear_mse_grads returns dL/dw and dL/db as scalar tensors, equal to what autograd finds."
    args = linear_data(8)
    expect_linear_grads(by_hand(student, *args)["value"], args, "linear_mse_grads(x, y, w, b)")


@check("linear_mse_grads", hidden=True)
def test_linear_mse_grads_takes_a_batch_of_one(student):
    "linear_mse_grads works for a single sample: two finite scalars come back."
    # Whether they are the right ones is the first check's business: one mistake, one place.
    value = by_hand(student, *linear_data(1))["value"]
    expect_scalar_pair(value, "linear_mse_grads for one sample")
    expect(all(bool(torch.isfinite(v)) for v in value),
           f"linear_mse_grads for one sample returned {value[0].item()} and {value[1].item()}; "
           "both should be finite numbers. Did you divide by N - 1, or by something that is 0 "
           "for one sample?")


@check("linear_mse_grads")
def test_linear_mse_grads_leaves_its_inputs_unchanged(student):
    "linear_mse_grads leaves the caller's x, y, w and b as they were."
    args = linear_data(5)
    before = [a.clone() for a in args]
    report = by_hand(student, *args)
    for name, old, new in zip("xywb", before, report["args_after"]):
        expect_unchanged(old, new, f"your linear_mse_grads (argument {name})")
    expect_scalar_pair(report["value"], "linear_mse_grads(x, y, w, b)")


# -- numerical_grad ----------------------------------------------------------

def autograd_gradient(function: str, x: torch.Tensor) -> torch.Tensor:
    x = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(SCALAR_FUNCTIONS[function](x), x)
    return grad


def estimate(student, function, x, eps=None):
    report = student.probe(numerical_gradient, function, x, eps, task="numerical_grad")
    value = expect_tensor(report["value"], "numerical_grad(f, x)")
    expect(value.dtype == torch.float64,
           f"numerical_grad returned a {value.dtype} tensor; it should be float64 "
           "(float32 is far too coarse for a step of 1e-6).")
    return report


# Central differences with eps = 1e-6 in float64 are good to about 1e-8 here.
CENTRAL = {"rtol": 1e-6, "atol": 1e-6}


@check("numerical_grad", points=2)
def test_numerical_grad_agrees_with_autograd(student):
    "numerical_grad matches autograd's gradient for several functions and shapes (float64)."
    cases = [("sum_of_cubes", (5,)), ("log_sum_exp", (3, 4)), ("sin_times_x", (2, 3, 2)),
             ("tanh_of_matmul", (3, 4))]
    for function, shape in cases:
        x = torch.randn(shape, dtype=torch.float64)
        report = estimate(student, function, x)
        expect_close(report["value"], autograd_gradient(function, x),
                     f"numerical_grad(f, x) for f = {function} and x of shape {shape}",
                     hint="Nudge one element at a time by +eps and -eps, call f on a tensor "
                          "shaped like x, and divide the difference by 2 * eps.", **CENTRAL)


@check("numerical_grad")
def test_numerical_grad_uses_central_differences(student):
    "numerical_grad uses (f(x+eps) - f(x-eps)) / 2eps: accurate even for a coarse eps of 1e-3."
    for function in ("sin_times_x", "sum_of_cubes"):
        x = torch.randn(6, dtype=torch.float64)
        report = estimate(student, function, x, eps=1e-3)
        expect_close(report["value"], autograd_gradient(function, x),
                     f"numerical_grad(f, x, eps=1e-3) for f = {function}",
                     hint="A one-sided difference (f(x+eps) - f(x)) / eps is off by about "
                          "eps * f''/2; the central difference is off by only about eps**2.",
                     rtol=0.0, atol=1e-5)


@check("numerical_grad", hidden=True)
def test_numerical_grad_uses_the_eps_it_is_given(student):
    "numerical_grad steps by the eps argument: with eps = 0.1 the estimate for x³ is 3x² + 0.01."
    x = torch.randn(4, dtype=torch.float64)
    report = estimate(student, "sum_of_cubes", x, eps=0.1)
    central = reference("exercise2").numerical_grad(SCALAR_FUNCTIONS["sum_of_cubes"], x, eps=0.1)
    expect_close(report["value"], central, "numerical_grad(f, x, eps=0.1) for f(x) = sum(x**3)",
                 hint="The central difference of x**3 with step h is exactly 3x² + h²: use the "
                      "eps argument as the step, and divide by 2 * eps.")


@check("numerical_grad", hidden=True)
def test_numerical_grad_handles_any_shape(student):
    "numerical_grad returns a float64 tensor shaped like x, for a 0-d x, one element, or 3-d."
    for shape in [(), (1,), (2, 1, 3)]:
        x = torch.randn(shape, dtype=torch.float64)
        report = estimate(student, "sum_of_cubes", x)
        expect_close(report["value"], autograd_gradient("sum_of_cubes", x),
                     f"numerical_grad(f, x) for x of shape {shape}",
                     hint="x.view(-1)[k] (on a contiguous copy) reaches element k of any shape, "
                          "0-d included.", **CENTRAL)


@check("numerical_grad")
def test_numerical_grad_leaves_x_unchanged(student):
    "numerical_grad leaves the caller's x holding exactly its original values."
    x = torch.randn(3, 2, dtype=torch.float64)
    report = estimate(student, "sin_times_x", x)
    expect(torch.equal(report["x_after"], x),
           "numerical_grad changed the caller's x: nudging x in place leaves it off by rounding "
           "(or by eps). Nudge a copy: x.detach().to(torch.float64).clone().")
    expect_close(report["value"], autograd_gradient("sin_times_x", x), "numerical_grad(f, x)",
                 **CENTRAL)


# -- capture_activations -----------------------------------------------------

def true_activations(model: str, x: torch.Tensor) -> dict:
    return from_reference(lambda: reference("exercise2").capture_activations(build_model(model), x))


def expect_activations(value, expected: dict, what: str) -> None:
    if not isinstance(value, dict):
        raise Mistake(f"{what} should return a dict {{name: output}}, but returned "
                      f"{type(value).__name__}.")
    missing = sorted(set(expected) - set(value))
    extra = sorted(set(value) - set(expected), key=str)
    if missing or extra:
        problem = []
        if missing:
            problem.append(f"it misses {missing}")
        if extra:
            problem.append(f"it should not have {extra}")
        raise Mistake(f"{what} has keys {sorted(value, key=str)}; {' and '.join(problem)}. Keys "
                      f"are the qualified names from model.named_modules() of the leaf modules "
                      "(no children) that ran; containers like a Sequential are not leaves.")
    for name, output in expected.items():
        expect_close(value[name], output, f"the activation recorded for {name!r}",
                     hint="A forward hook gets (module, inputs, output): record the output.")


@check("capture_activations", points=2)
def test_capture_activations_records_every_leaf_by_qualified_name(student):
    "capture_activations returns {qualified name: output} for every leaf module that ran."
    x = torch.randn(3, 4)
    report = student.probe(activations, "two_part", x, task="capture_activations")
    expect_activations(report["value"], true_activations("two_part", x),
                       "capture_activations(model, x) for a model with nested submodules")


@check("capture_activations", hidden=True)
def test_capture_activations_works_on_a_conv_net_with_a_batch_of_one(student):
    "capture_activations also records a Sequential conv net run on a single image."
    x = torch.randn(1, 1, 6, 6)
    report = student.probe(activations, "conv_net", x, task="capture_activations")
    expect_activations(report["value"], true_activations("conv_net", x),
                       "capture_activations(model, x) for a conv net and one image")


@check("capture_activations")
def test_capture_activations_removes_its_hooks(student):
    "After capture_activations returns, the model carries no hook of it."
    x = torch.randn(2, 4)
    report = student.probe(activations, "two_part", x, task="capture_activations")
    expect_activations(report["value"], true_activations("two_part", x),
                       "capture_activations(model, x)")
    expect(report["hooks_left"] == 0,
           f"capture_activations left {report['hooks_left']} hook(s) on the model: they fire on "
           "every later forward pass. Keep the handles register_forward_hook returns and call "
           "handle.remove() on each before returning.")


@check("capture_activations", points=2, hidden=True)
def test_capture_activations_removes_its_hooks_even_when_forward_raises(student):
    "If model(x) raises, capture_activations still removes every hook it added."
    x = torch.randn(2, 4)
    normal = student.probe(activations, "two_part", x, task="capture_activations")
    expect_activations(normal["value"], true_activations("two_part", x),
                       "capture_activations(model, x)")
    report = student.probe(activations, "breaks_halfway", x, task="capture_activations")
    expect(report["raised"] in (None, "RuntimeError"),
           f"capture_activations raised {report['raised']} for a model whose forward raises "
           "RuntimeError; let the model's own exception through.")
    expect(report["hooks_left"] == 0,
           f"for a model whose forward raises, capture_activations left {report['hooks_left']} "
           "hook(s) behind. Run the forward pass inside try: and remove the handles in finally:, "
           "which runs whether or not an exception is on its way out.")
