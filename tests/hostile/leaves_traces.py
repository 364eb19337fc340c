# hostile: cross_entropy
import torch


def cross_entropy(logits, targets):
    # Sabotage whatever runs after this in the same process, then fail: the next
    # task (mlp_forward, honest) must not pay for it.
    torch.set_default_dtype(torch.float64)
    torch.Tensor.__matmul__ = lambda a, b: torch.zeros(())
    torch.Tensor.exp = lambda self: torch.ones_like(self)
    torch.exp = lambda x: torch.ones_like(x)
    raise RuntimeError("cross_entropy left its traces")
