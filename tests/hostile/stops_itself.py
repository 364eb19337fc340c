# hostile: cross_entropy
import os
import signal


def cross_entropy(logits, targets):
    os.kill(os.getpid(), signal.SIGSTOP)
