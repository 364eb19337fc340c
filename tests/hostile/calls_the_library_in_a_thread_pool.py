# hostile: cross_entropy
# flags: starts-threads
from concurrent.futures import ThreadPoolExecutor

import torch.nn.functional as F


def cross_entropy(logits, targets):
    # A pool's thread runs the standard library's loop, which then runs this code: unseen by
    # the per-thread recorders, were the pool allowed to start.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(F.cross_entropy, logits, targets).result()
