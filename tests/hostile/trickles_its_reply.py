# hostile: cross_entropy
import os
import struct
import time


def cross_entropy(logits, targets):
    # Write the reply to the grader's socket itself, one byte every half second: when each
    # byte renewed the timeout, the check (and `grade`) never ended.
    os.write(3, struct.pack("!Q", 1 << 20))
    while True:
        os.write(3, b"\x80")
        time.sleep(0.5)
