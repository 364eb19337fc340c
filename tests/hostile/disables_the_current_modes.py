# hostile: cross_entropy
# flags: switches-torch-modes
import torch
import torch.nn.functional as F
from torch.utils._python_dispatch import _disable_current_modes


def cross_entropy(logits, targets):
    with torch._C.DisableTorchFunction(), _disable_current_modes():
        return F.cross_entropy(logits, targets)
