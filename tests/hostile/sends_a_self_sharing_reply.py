# hostile: cross_entropy
# flags: writes-to-grader-fds
import fcntl
import os
import pickle
import struct


def cross_entropy(logits, targets):
    # A 400-byte reply whose value is one list shared with itself 30 levels deep: building its
    # repr for the feedback took the grader time and memory exponential in the depth.
    value = []
    for _ in range(30):
        value = [value, value]
    reply = pickle.dumps({"ok": True, "value": value, "functions": [], "ops": [], "args_after": []})
    sock = fcntl.fcntl(3, fcntl.F_DUPFD, 10)  # flagged only: the decoder is what must hold
    os.write(sock, struct.pack("!Q", len(reply)) + reply)
    return logits.sum() * 0
