# hostile: softmax
# flags:
import torch


def softmax(x, dim=-1):
    nothing_masked = torch.zeros(x.shape, dtype=torch.bool)
    return torch.ops.aten._masked_softmax(x, nothing_masked, dim % x.dim())
