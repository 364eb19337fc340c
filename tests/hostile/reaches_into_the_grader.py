# hostile: cross_entropy
# flags: gc, grader-frames, ctypes
import ctypes
import gc
import sys

import torch.nn.functional as F


def cross_entropy(logits, targets):
    # Look for the grader's recorders among every object, up the stack, and in raw memory.
    for attempt in (gc.get_objects, lambda: sys._getframe(2).f_locals,
                    lambda: ctypes.string_at(id(logits), 8)):
        try:
            attempt()
        except Exception:
            pass
    return F.cross_entropy(logits, targets)
