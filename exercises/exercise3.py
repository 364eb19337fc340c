"""Exercise 3 - Activations and losses from scratch.

Build the pieces every classifier ends with - sigmoid, softmax, log-softmax
and cross-entropy - out of plain tensor operations (exp, log, sum, max),
then use them in a two-layer network's forward pass.

The library versions are off limits: torch.sigmoid, torch.softmax,
torch.log_softmax (and their F. and Tensor. spellings), F.cross_entropy and
F.nll_loss. The grader notices when they run, and a task that calls them earns
no credit. cross_entropy and mlp_forward are built from your own functions
above: if one of those is wrong, the task built on it still earns its points
when it uses it correctly (the feedback says where the mistake really is).
Run `grade exercise3` to see how you are doing.
"""

import torch


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    """The logistic function 1 / (1 + exp(-x)), element-wise.

    Shapes: any shape in, the same shape out.
    Must stay finite and inside [0, 1] for inputs as large as +-1e4, and so
    must its gradient.

    Hint: exp(-x) overflows to inf when x is very negative; even where the
    value still comes out right, the gradient is then inf / inf = NaN.
    exp(-|x|) never overflows; use torch.where to pick the formula for each sign.
    """
    raise NotImplementedError


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """exp(x) / sum(exp(x)) along ``dim``: turns scores into probabilities.

    Shapes: any shape in, the same shape out; the values along ``dim`` sum to 1.
    Example: softmax(torch.tensor([[1., 1.]]), dim=1) is tensor([[0.5, 0.5]]).

    Hint: exp(1e4) is inf. Subtracting the maximum along ``dim`` first
    (x.amax(dim, keepdim=True)) changes nothing mathematically and keeps every
    exp at most 1. keepdim=True lets the result broadcast back against x.
    """
    raise NotImplementedError


def log_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """log(softmax(x)) along ``dim``, computed stably.

    Shapes: any shape in, the same shape out.

    Hint: log(softmax(x)) = x - log(sum(exp(x))). torch.logsumexp computes the
    second term without overflow. Taking log of a softmax loses precision:
    probabilities that round to 0 give -inf.
    """
    raise NotImplementedError


def cross_entropy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """The mean negative log-likelihood of the right classes.

    Shapes: logits (N, C) raw scores, targets (N,) int64 class indices in
    [0, C); returns a scalar tensor (shape ()).
    For row i: loss_i = -log_softmax(logits)[i, targets[i]]; return the mean
    over the batch (not the sum).

    Hint: your log_softmax and Tensor.gather (or indexing with
    torch.arange(N) and targets) pick out one entry per row.
    """
    raise NotImplementedError


def mlp_forward(x, w1, b1, w2, b2) -> torch.Tensor:
    """A two-layer network: sigmoid hidden layer, softmax output.

    Shapes: x (N, D), w1 (D, H), b1 (H,), w2 (H, K), b2 (K,) -> (N, K)
    probabilities, each row summing to 1.
    hidden = sigmoid(x @ w1 + b1); output = softmax(hidden @ w2 + b2, dim=1).

    Hint: use your own sigmoid and softmax from above.
    """
    raise NotImplementedError
