# hostile: cross_entropy
# flags: starts-threads
import threading

import torch.nn.functional as F


def cross_entropy(logits, targets):
    # The recorders are thread-local: a new thread's calls went unseen.
    answer = {}
    worker = threading.Thread(target=lambda: answer.update(loss=F.cross_entropy(logits, targets)))
    worker.start()
    worker.join()
    return answer["loss"]
