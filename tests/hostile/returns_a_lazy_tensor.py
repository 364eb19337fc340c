# hostile: cross_entropy
# flags:
import torch
import torch.nn.functional as F


class Lazy(torch.Tensor):
    """Computes the library's loss only when the worker converts the reply, after the trace."""

    @staticmethod
    def __new__(cls, logits, targets):
        made = torch.Tensor._make_subclass(cls, torch.zeros(()), True)
        made.inputs = (logits, targets)
        return made

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func is torch.Tensor.detach and isinstance(args[0], Lazy):
            logits, targets = args[0].inputs
            return F.cross_entropy(logits.detach(), targets)
        with torch._C.DisableTorchFunctionSubclass():
            return func(*args, **(kwargs or {}))


def cross_entropy(logits, targets):
    return Lazy(logits, targets)
