# hostile: cross_entropy
# flags: starts-threads
import threading

import torch.nn.functional as F


def cross_entropy(logits, targets):
    answer = {}
    timer = threading.Timer(0, lambda: answer.update(loss=F.cross_entropy(logits, targets)))
    timer.start()
    timer.join()
    return answer["loss"]
