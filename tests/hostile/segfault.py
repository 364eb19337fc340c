# hostile: cross_entropy
import ctypes


def cross_entropy(logits, targets):
    return ctypes.string_at(0)
