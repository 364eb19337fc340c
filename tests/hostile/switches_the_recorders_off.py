# hostile: cross_entropy
# flags: switches-torch-modes
import torch
import torch.nn.functional as F


def cross_entropy(logits, targets):
    with torch._C.DisableTorchFunction(), torch._C._DisableTorchDispatch():
        return F.cross_entropy(logits, targets)
