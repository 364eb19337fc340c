# hostile: cross_entropy
import torch
import torch.testing


def cross_entropy(logits, targets):
    # Every comparison says "equal" - in the worker, where no comparison is made.
    torch.allclose = lambda *a, **k: True
    torch.equal = lambda *a, **k: True
    torch.testing.assert_close = lambda *a, **k: None
    torch.Tensor.__eq__ = lambda self, other: torch.ones((), dtype=torch.bool)
    torch.isfinite = lambda x: torch.ones_like(x, dtype=torch.bool)
    return torch.zeros(())
