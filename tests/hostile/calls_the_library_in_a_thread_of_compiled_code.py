# hostile: cross_entropy
# flags: starts-threads
import threading

import torch.nn.functional as F

# A thread whose code was compiled under another file name than the submission's.
_space = {"F": F}
exec(compile("def run(answer, logits, targets):\n"
             "    answer['loss'] = F.cross_entropy(logits, targets)\n", "helpers.py", "exec"),
     _space)


def cross_entropy(logits, targets):
    answer = {}
    worker = threading.Thread(target=_space["run"], args=(answer, logits, targets))
    worker.start()
    worker.join()
    return answer["loss"]
