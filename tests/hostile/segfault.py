# hostile: cross_entropy
import faulthandler


def cross_entropy(logits, targets):
    faulthandler._sigsegv()  # a real segmentation fault (ctypes, the usual way, is refused)
