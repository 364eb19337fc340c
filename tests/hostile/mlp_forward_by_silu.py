# hostile: mlp_forward
# flags:
import torch


def mlp_forward(x, w1, b1, w2, b2):
    # sigmoid(h) = silu(h) / h: the library's sigmoid in disguise, on no deny list.
    h = x @ w1 + b1
    hidden = torch.nn.functional.silu(h) / h
    return softmax(hidden @ w2 + b2, dim=1)
