# hostile: cross_entropy
import sys


def cross_entropy(logits, targets):
    for _ in range(20000):
        print("spam " * 2000)
        sys.stderr.write("more spam " * 1000 + "\n")
    return logits.sum() * 0
