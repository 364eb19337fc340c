"""Checks for exercise 3: activations and losses from scratch."""

import torch
import torch.nn.functional as F

from grader.carryforward import expect_composed
from grader.check import (
    Exercise,
    Forbidden,
    Mistake,
    Task,
    check,
    expect,
    expect_close,
    expect_finite_gradient,
    expect_honest_gradient,
    expect_inputs_unchanged,
    expect_shape,
)
from grader.elementary import ELEMENTARY_OPS

SIGMOIDS = frozenset({"torch.sigmoid", "Tensor.sigmoid", "torch.nn.functional.sigmoid",
                      "torch.special.expit"})
SOFTMAXES = frozenset({"torch.softmax", "Tensor.softmax", "torch.nn.functional.softmax",
                       "torch.special.softmax"})
LOG_SOFTMAXES = frozenset({"torch.log_softmax", "Tensor.log_softmax",
                           "torch.nn.functional.log_softmax", "torch.special.log_softmax"})

EXERCISE = Exercise("exercise3", "Activations and losses from scratch", [
    Task("sigmoid", Forbidden(
        ops=frozenset({"aten.sigmoid"}), functions=SIGMOIDS,
        why="sigmoid must be built from exp; calling the library's sigmoid earns no credit here.",
        allowed=ELEMENTARY_OPS)),
    Task("softmax", Forbidden(
        ops=frozenset({"aten._softmax", "aten._log_softmax"}), functions=SOFTMAXES | LOG_SOFTMAXES,
        why="softmax must be built from exp and sum; calling torch.softmax earns no credit here.",
        allowed=ELEMENTARY_OPS)),
    Task("log_softmax", Forbidden(
        ops=frozenset({"aten._softmax", "aten._log_softmax"}), functions=SOFTMAXES | LOG_SOFTMAXES,
        why="log_softmax must be built as x - logsumexp(x); the library's softmax and "
            "log_softmax earn no credit here.",
        allowed=ELEMENTARY_OPS)),
    # The composed tasks may not call the library either (the stub says so): calls made inside
    # the student's own parts are the parts' business (Task.builds_on), not these tasks'.
    Task("cross_entropy", Forbidden(
        ops=frozenset({"aten.nll_loss_forward", "aten.nll_loss2d_forward", "aten.nll_loss_nd",
                       "aten.cross_entropy_loss", "aten._softmax", "aten._log_softmax"}),
        functions=frozenset({"torch.nn.functional.cross_entropy", "torch.nn.functional.nll_loss"})
        | SOFTMAXES | LOG_SOFTMAXES,
        why="cross_entropy must be built from your log_softmax; F.cross_entropy, F.nll_loss and "
            "the library's softmax and log_softmax earn no credit here.",
        allowed=ELEMENTARY_OPS),
        builds_on=("log_softmax",)),
    Task("mlp_forward", Forbidden(
        ops=frozenset({"aten.sigmoid", "aten._softmax", "aten._log_softmax"}),
        functions=SIGMOIDS | SOFTMAXES | LOG_SOFTMAXES,
        why="mlp_forward must use your own sigmoid and softmax; the library's earn no credit "
            "here.",
        allowed=ELEMENTARY_OPS),
        builds_on=("sigmoid", "softmax")),
])

# float32 holds numbers near 1e4 only to within about 1e-3 (its spacing there is 9.8e-4),
# so any stable formula at logits of 1e4 (x - max, then exp; exp(x - logsumexp(x));
# x - logsumexp(x)) is only that exact, in a log-probability or a probability alike. A NaN,
# an inf or a wrong value is still caught by far.
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
def test_sigmoid_and_its_gradient_are_finite_for_huge_inputs(student):
    "sigmoid stays inside [0, 1], and its gradient finite, for inputs as large as 1e4 either way."
    x = torch.tensor([-1e4, -500.0, -100.0, -80.0, 0.0, 80.0, 100.0, 500.0, 1e4])
    expect_close(student.sigmoid(x), torch.sigmoid(x), "sigmoid([-1e4 ... 1e4])",
                 overflow_hint="exp(-x) overflows to inf for very negative x: use exp(-|x|).")
    # One overflow, one check: the textbook formula's values survive it, its gradient does not.
    expect_finite_gradient(student, "sigmoid", x,
                           hint="Its backward goes through an exp that overflows to inf, and "
                                "inf / inf is NaN, even where the value itself came out right: "
                                "use exp(-|x|) and pick the formula for each sign with "
                                "torch.where.")


@check("sigmoid")
def test_sigmoid_gradient_matches_its_values(student):
    "The gradient autograd computes through sigmoid is the slope of sigmoid's own values."
    expect_honest_gradient(student, "sigmoid", (logits(4, 5),))


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
    "softmax turns a vector of scores into probabilities that sum to one."
    # One vector at a time (dim=0 is its only dim): which dim is reduced is the first check's
    # business, so a softmax that ignores dim loses its points there, not here too.
    for row in logits(1, 7):
        total = expect_shape(student.softmax(row, dim=0), (7,), "softmax(x, dim=0) for x of "
                             "shape (7,)").sum()
        expect(abs(total.item() - 1) <= 1e-5,
               f"softmax(x, dim=0) of a vector should sum to 1, but sums to {total.item():.4g}. "
               "Divide exp(x) by its sum.")


@check("softmax", hidden=True)
def test_softmax_uses_the_last_dim_by_default_and_takes_a_batch_of_one(student):
    "softmax(x) works on the last dim by default, also for a batch holding one row."
    x = logits(1, 6)
    expect_close(student.softmax(x), F.softmax(x, dim=-1), "softmax(x) for x of shape (1, 6)")


@check("softmax", points=2, hidden=True)
def test_softmax_is_stable_for_huge_logits(student):
    "softmax gives finite, exact probabilities for logits as large as 1e4."
    # One vector at a time: the extremes are judged here, the dims elsewhere.
    for row in torch.tensor([[1e4, 0.0, -1e4], [1e4, 1e4 - 1, 5.0], [-1e4, -1e4, -1e4]]):
        expect_close(student.softmax(row, dim=0), F.softmax(row, dim=0),
                     f"softmax({row.tolist()}, dim=0)",
                     overflow_hint="exp(1e4) is inf; subtract the max along dim before exp.",
                     **HUGE_LOGITS_ATOL)


@check("softmax")
def test_softmax_gradient_matches_its_values(student):
    "The gradient autograd computes through softmax is the slope of softmax's own values."
    expect_honest_gradient(student, "softmax", (logits(3, 5),), {"dim": 1})


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
    # One vector at a time: the extremes are judged here, the dims elsewhere.
    for row in torch.tensor([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4], [0.0, 200.0, -200.0]]):
        expect_close(student.log_softmax(row, dim=0), F.log_softmax(row, dim=0),
                     f"log_softmax({row.tolist()}, dim=0)",
                     overflow_hint="log(softmax(x)) gives -inf where a probability rounds to "
                                   "0; use x - torch.logsumexp(x, dim, keepdim=True).",
                     **HUGE_LOGITS_ATOL)


@check("log_softmax")
def test_log_softmax_gradient_matches_its_values(student):
    "The gradient autograd computes through log_softmax is the slope of its own values."
    expect_honest_gradient(student, "log_softmax", (logits(3, 5),), {"dim": 1})


@check("log_softmax")
def test_log_softmax_leaves_its_input_unchanged(student):
    "log_softmax returns a new tensor and leaves the caller's tensor alone."
    expect_inputs_unchanged(student, "log_softmax", (logits(3, 5),), F.log_softmax,
                            {"dim": 1})


# -- cross_entropy ---------------------------------------------------------

def targets_for(n, classes):
    return torch.randint(0, classes, (n,))


def cross_entropy_from(scores, targets):
    """cross_entropy as the task builds it from log_softmax, with the given parts."""
    def compose(parts):
        picked = parts.log_softmax(scores, dim=1).gather(1, targets.unsqueeze(1))
        return -picked.mean()
    return compose


LOG_SOFTMAX = {"log_softmax": F.log_softmax}


def expect_cross_entropy(student, scores, targets, what, **tolerances):
    loss = student.cross_entropy(scores, targets)
    try:
        expect_composed(student, loss, "cross_entropy", cross_entropy_from(scores, targets),
                        LOG_SOFTMAX, what, **tolerances)
    except Mistake:
        summed = F.cross_entropy(scores, targets, reduction="sum")
        if len(targets) > 1 and isinstance(loss, torch.Tensor) and loss.shape == () \
                and torch.allclose(loss, summed):
            raise Mistake(f"{what} is the sum of the per-sample losses; it should be their "
                          "mean.") from None
        raise


@check("cross_entropy", points=2)
def test_cross_entropy_matches_torch(student):
    "cross_entropy(logits, targets) is the mean negative log-likelihood, as F.cross_entropy."
    scores, targets = logits(6, 4), targets_for(6, 4)
    expect_shape(student.cross_entropy(scores, targets), (), "cross_entropy(logits, targets)")
    expect_cross_entropy(student, scores, targets, "cross_entropy(logits, targets)")


@check("cross_entropy", hidden=True)
def test_cross_entropy_takes_a_batch_of_one(student):
    "cross_entropy works for a batch holding a single sample."
    expect_cross_entropy(student, logits(1, 5), torch.tensor([3]), "cross_entropy for a batch of one")


@check("cross_entropy", points=2)
def test_cross_entropy_is_finite_for_confident_logits(student):
    "cross_entropy stays finite and exact when the logits are as large as 1e4."
    scores = torch.tensor([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0], [0.0, 1e4, -1e4]])
    targets = torch.tensor([0, 0, 2])
    # One sample at a time: how the batch is reduced is the first check's business.
    for row in range(len(scores)):
        expect_cross_entropy(student, scores[row:row + 1], targets[row:row + 1],
                             f"cross_entropy of the logits {scores[row].tolist()} with target "
                             f"{targets[row].item()}",
                             overflow_hint="log(softmax(...)) turns a probability that rounds to "
                                           "0 into -inf; use a stable log_softmax.",
                             **HUGE_LOGITS_ATOL)


@check("cross_entropy")
def test_cross_entropy_gradient_matches_its_values(student):
    "The gradient autograd computes through cross_entropy is the slope of its own values."
    expect_honest_gradient(student, "cross_entropy", (logits(4, 3), targets_for(4, 3)))


@check("cross_entropy")
def test_cross_entropy_leaves_its_inputs_unchanged(student):
    "cross_entropy leaves the caller's logits and targets alone."
    expect_inputs_unchanged(student, "cross_entropy", (logits(4, 3), targets_for(4, 3)),
                            F.cross_entropy)


# -- mlp_forward -----------------------------------------------------------

def mlp_inputs(n, d=5, h=4, k=3):
    return (torch.randn(n, d), torch.randn(d, h), torch.randn(h), torch.randn(h, k),
            torch.randn(k))


def mlp_from(x, w1, b1, w2, b2):
    """The network as the task builds it from sigmoid and softmax, with the given parts."""
    return lambda parts: parts.softmax(parts.sigmoid(x @ w1 + b1) @ w2 + b2, dim=1)


SIGMOID_AND_SOFTMAX = {"sigmoid": torch.sigmoid, "softmax": F.softmax}


def true_mlp(x, w1, b1, w2, b2):
    return F.softmax(torch.sigmoid(x @ w1 + b1) @ w2 + b2, dim=1)


@check("mlp_forward", points=2)
def test_mlp_forward_gives_the_probabilities_of_the_network(student):
    "mlp_forward is softmax(sigmoid(x @ w1 + b1) @ w2 + b2) over each row."
    inputs = mlp_inputs(6)
    out = expect_shape(student.mlp_forward(*inputs), (6, 3), "mlp_forward(x, ...) for x (6, 5)")
    expect_composed(student, out, "mlp_forward", mlp_from(*inputs), SIGMOID_AND_SOFTMAX,
                    "mlp_forward's probabilities",
                    hint="The hidden layer uses sigmoid, the biases are added after each "
                         "matmul, and the output's softmax goes over dim=1, one distribution "
                         "per sample.")


@check("mlp_forward", hidden=True)
def test_mlp_forward_takes_a_batch_of_one(student):
    "mlp_forward works for a single sample."
    inputs = mlp_inputs(1)
    expect_composed(student, student.mlp_forward(*inputs), "mlp_forward", mlp_from(*inputs),
                    SIGMOID_AND_SOFTMAX, "mlp_forward for one sample")


@check("mlp_forward")
def test_mlp_forward_leaves_its_inputs_unchanged(student):
    "mlp_forward leaves the caller's input and weights alone."
    expect_inputs_unchanged(student, "mlp_forward", mlp_inputs(3), true_mlp)
