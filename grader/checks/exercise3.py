"""Checks for exercise 3: activations and losses from scratch."""

import torch
import torch.nn.functional as F

from grader.check import (
    Exercise,
    Forbidden,
    Task,
    check,
    expect,
    expect_close,
    expect_inputs_unchanged,
    expect_same_gradient,
    expect_shape,
)

EXERCISE = Exercise("exercise3", "Activations and losses from scratch", [
    Task("sigmoid", Forbidden(
        ops=frozenset({"aten.sigmoid"}),
        functions=frozenset({"torch.sigmoid", "Tensor.sigmoid", "torch.nn.functional.sigmoid",
                             "torch.special.expit"}),
        why="sigmoid must be built from exp; calling the library's sigmoid earns no credit here.")),
    Task("softmax", Forbidden(
        ops=frozenset({"aten._softmax", "aten._log_softmax"}),
        functions=frozenset({"torch.softmax", "Tensor.softmax", "torch.nn.functional.softmax",
                             "torch.log_softmax", "Tensor.log_softmax",
                             "torch.nn.functional.log_softmax", "torch.special.softmax"}),
        why="softmax must be built from exp and sum; calling torch.softmax earns no credit here.")),
    Task("log_softmax", Forbidden(
        ops=frozenset({"aten._softmax", "aten._log_softmax"}),
        functions=frozenset({"torch.log_softmax", "Tensor.log_softmax",
                             "torch.nn.functional.log_softmax", "torch.softmax", "Tensor.softmax",
                             "torch.nn.functional.softmax", "torch.special.log_softmax"}),
        why="log_softmax must be built as x - logsumexp(x); the library's softmax and "
            "log_softmax earn no credit here.")),
    Task("cross_entropy", Forbidden(
        ops=frozenset({"aten.nll_loss_forward", "aten.nll_loss2d_forward",
                       "aten.nll_loss_nd", "aten.cross_entropy_loss"}),
        functions=frozenset({"torch.nn.functional.cross_entropy", "torch.nn.functional.nll_loss"}),
        why="cross_entropy must be built from your log_softmax; F.cross_entropy and F.nll_loss "
            "earn no credit here.")),
    Task("mlp_forward"),
])

# float32 holds 1e4 only to within about 1e-3, so x - logsumexp(x) at 1e4 (the
# formula the contract asks for) is only that exact; a NaN, an inf or a wrong
# value is still caught by far.
HUGE_LOGITS_ATOL = dict(atol=2e-3)

# Different sizes for every dimension, so an answer along the wrong dim cannot pass.
BATCH = torch.Size((3, 4, 5))


def logits(*shape, scale=3.0):
    return torch.randn(*shape) * scale


# -- sigmoid ---------------------------------------------------------------

@check("sigmoid", points=2)
def test_sigmoid_matches_the_true_sigmoid(student):
    "sigmoid(x) is 1 / (1 + exp(-x)) for every element, whatever the shape."
    x = logits(*BATCH)
    expect_close(student.sigmoid(x), torch.sigmoid(x), "sigmoid(x)")


@check("sigmoid", hidden=True)
def test_sigmoid_is_finite_for_huge_inputs(student):
    "sigmoid stays finite and inside [0, 1] for inputs as large as 1e4 in either direction."
    x = torch.tensor([-1e4, -500.0, -80.0, 0.0, 80.0, 500.0, 1e4])
    expect_close(student.sigmoid(x), torch.sigmoid(x), "sigmoid([-1e4 ... 1e4])",
                 hint="exp(-x) overflows to inf for very negative x: use exp(-|x|).")


@check("sigmoid")
def test_sigmoid_gradient_is_the_true_one(student):
    "Gradients flow back through sigmoid exactly as through torch.sigmoid."
    expect_same_gradient(student, "sigmoid", (logits(4, 5),), {}, torch.sigmoid)


@check("sigmoid")
def test_sigmoid_leaves_its_input_unchanged(student):
    "sigmoid returns the right values in a new tensor and leaves the caller's tensor alone."
    expect_inputs_unchanged(student, "sigmoid", (logits(4, 5),), torch.sigmoid)


# -- softmax ---------------------------------------------------------------

@check("softmax", points=2)
def test_softmax_matches_torch_softmax_along_any_dim(student):
    "softmax(x, dim) equals torch.softmax(x, dim) for every dim, negative ones included."
    x = logits(*BATCH)
    for dim in (0, 1, 2, -1, -2):
        expect_close(student.softmax(x, dim=dim), F.softmax(x, dim=dim),
                     f"softmax(x, dim={dim}) for x of shape {tuple(x.shape)}",
                     hint="Reduce with dim=dim and keepdim=True so the sums broadcast back.")


@check("softmax")
def test_softmax_rows_sum_to_one(student):
    "softmax(x, dim=1) turns every row of scores into probabilities that sum to one."
    x = logits(4, 7)
    sums = expect_shape(student.softmax(x, dim=1), (4, 7), "softmax(x, dim=1)").sum(dim=1)
    row = int((sums - 1).abs().argmax())
    expect(torch.allclose(sums, torch.ones(4), atol=1e-5),
           f"softmax(x, dim=1) rows should sum to 1; row {row} sums to {sums[row].item():.4g}. "
           "Did you normalise over the wrong dim?")


@check("softmax", hidden=True)
def test_softmax_uses_the_last_dim_by_default_and_takes_a_batch_of_one(student):
    "softmax(x) works on the last dim by default, also for a batch holding one row."
    x = logits(1, 6)
    expect_close(student.softmax(x), F.softmax(x, dim=-1), "softmax(x) for x of shape (1, 6)")


@check("softmax", points=2, hidden=True)
def test_softmax_is_stable_for_huge_logits(student):
    "softmax gives finite, exact probabilities for logits as large as 1e4."
    x = torch.tensor([[1e4, 0.0, -1e4], [1e4, 1e4 - 1, 5.0], [-1e4, -1e4, -1e4]])
    expect_close(student.softmax(x, dim=1), F.softmax(x, dim=1), "softmax(x, dim=1) at 1e4",
                 hint="exp(1e4) is inf; subtract the max along dim before exp.")


@check("softmax")
def test_softmax_gradient_is_the_true_one(student):
    "Gradients flow back through softmax exactly as through torch.softmax."
    expect_same_gradient(student, "softmax", (logits(3, 5),), {"dim": 1}, F.softmax)


@check("softmax")
def test_softmax_leaves_its_input_unchanged(student):
    "softmax returns a new tensor and leaves the caller's tensor alone."
    expect_inputs_unchanged(student, "softmax", (logits(3, 5),), F.softmax, {"dim": 1})


# -- log_softmax -----------------------------------------------------------

@check("log_softmax", points=2)
def test_log_softmax_matches_torch_along_any_dim(student):
    "log_softmax(x, dim) equals F.log_softmax(x, dim) for every dim."
    x = logits(*BATCH)
    for dim in (0, 1, 2, -1):
        expect_close(student.log_softmax(x, dim=dim), F.log_softmax(x, dim=dim),
                     f"log_softmax(x, dim={dim}) for x of shape {tuple(x.shape)}")


@check("log_softmax", points=2, hidden=True)
def test_log_softmax_is_stable_for_huge_logits(student):
    "log_softmax stays finite and exact for logits as large as 1e4."
    x = torch.tensor([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4], [0.0, 200.0, -200.0]])
    expect_close(student.log_softmax(x, dim=1), F.log_softmax(x, dim=1),
                 "log_softmax(x, dim=1) at 1e4",
                 hint="log(softmax(x)) gives -inf where a probability rounds to 0; "
                      "use x - torch.logsumexp(x, dim, keepdim=True).", **HUGE_LOGITS_ATOL)


@check("log_softmax")
def test_log_softmax_gradient_is_the_true_one(student):
    "Gradients flow back through log_softmax exactly as through F.log_softmax."
    expect_same_gradient(student, "log_softmax", (logits(3, 5),), {"dim": 1}, F.log_softmax)


@check("log_softmax")
def test_log_softmax_leaves_its_input_unchanged(student):
    "log_softmax returns a new tensor and leaves the caller's tensor alone."
    expect_inputs_unchanged(student, "log_softmax", (logits(3, 5),), F.log_softmax,
                            {"dim": 1})


# -- cross_entropy ---------------------------------------------------------

def targets_for(n, classes):
    return torch.randint(0, classes, (n,))


@check("cross_entropy", points=2)
def test_cross_entropy_matches_torch(student):
    "cross_entropy(logits, targets) is the mean negative log-likelihood, as F.cross_entropy."
    scores, targets = logits(6, 4), targets_for(6, 4)
    loss = expect_shape(student.cross_entropy(scores, targets), (), "cross_entropy(...)")
    summed = F.cross_entropy(scores, targets, reduction="sum")
    expect(not torch.allclose(loss, summed),
           "cross_entropy returned the sum of the per-sample losses; it should be their mean.")
    expect_close(loss, F.cross_entropy(scores, targets), "cross_entropy(logits, targets)",
                 hint="Pick -log_softmax(logits)[i, targets[i]] for each row i, then take "
                      "the mean.")


@check("cross_entropy", hidden=True)
def test_cross_entropy_takes_a_batch_of_one(student):
    "cross_entropy works for a batch holding a single sample."
    scores, targets = logits(1, 5), torch.tensor([3])
    expect_close(student.cross_entropy(scores, targets), F.cross_entropy(scores, targets),
                 "cross_entropy for a batch of one")


@check("cross_entropy", points=2)
def test_cross_entropy_is_finite_for_confident_logits(student):
    "cross_entropy stays finite and exact when the logits are as large as 1e4."
    scores = torch.tensor([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0], [0.0, 1e4, -1e4]])
    targets = torch.tensor([0, 0, 2])
    expect_close(student.cross_entropy(scores, targets), F.cross_entropy(scores, targets),
                 "cross_entropy at logits of 1e4",
                 hint="log(softmax(...)) turns a probability that rounds to 0 into -inf; "
                      "use a stable log_softmax.", **HUGE_LOGITS_ATOL)


@check("cross_entropy")
def test_cross_entropy_gradient_is_the_true_one(student):
    "Gradients reach the logits exactly as through F.cross_entropy."
    expect_same_gradient(student, "cross_entropy", (logits(4, 3), targets_for(4, 3)), {},
                         F.cross_entropy)


@check("cross_entropy")
def test_cross_entropy_leaves_its_inputs_unchanged(student):
    "cross_entropy leaves the caller's logits and targets alone."
    expect_inputs_unchanged(student, "cross_entropy", (logits(4, 3), targets_for(4, 3)),
                            F.cross_entropy)


# -- mlp_forward -----------------------------------------------------------

def mlp_inputs(n, d=5, h=4, k=3):
    return (torch.randn(n, d), torch.randn(d, h), torch.randn(h), torch.randn(h, k),
            torch.randn(k))


def true_mlp(x, w1, b1, w2, b2):
    return F.softmax(torch.sigmoid(x @ w1 + b1) @ w2 + b2, dim=1)


@check("mlp_forward", points=2)
def test_mlp_forward_gives_the_networks_probabilities(student):
    "mlp_forward is softmax(sigmoid(x @ w1 + b1) @ w2 + b2) over each row."
    inputs = mlp_inputs(6)
    out = expect_shape(student.mlp_forward(*inputs), (6, 3), "mlp_forward(x, ...) for x (6, 5)")
    expect_close(out.sum(dim=1), torch.ones(6), "the row sums of mlp_forward's output",
                 hint="The output layer's softmax goes over dim=1, one distribution per sample.")
    expect_close(out, true_mlp(*inputs), "mlp_forward's probabilities",
                 hint="The hidden layer uses sigmoid; the biases are added after each matmul.")


@check("mlp_forward", hidden=True)
def test_mlp_forward_takes_a_batch_of_one(student):
    "mlp_forward works for a single sample."
    inputs = mlp_inputs(1)
    expect_close(student.mlp_forward(*inputs), true_mlp(*inputs), "mlp_forward for one sample")


@check("mlp_forward")
def test_mlp_forward_leaves_its_inputs_unchanged(student):
    "mlp_forward leaves the caller's input and weights alone."
    expect_inputs_unchanged(student, "mlp_forward", mlp_inputs(3), true_mlp)
