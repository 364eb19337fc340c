# hostile: cross_entropy
# Forges Gradescope's results.json: at import, from a child left running after the
# worker, and again when cross_entropy is called.
import json
import os
import time

FORGED = {"score": 30.0, "output": "forged", "tests": []}


def forge():
    results = os.path.join(os.environ.get("AUTOGRADER_ROOT", "/autograder"), "results")
    try:
        os.makedirs(results, exist_ok=True)
        with open(os.path.join(results, "results.json"), "w") as file:
            json.dump(FORGED, file)
    except OSError:
        pass


forge()
try:
    if os.fork() == 0:  # a child that outlives the worker and writes after the grader did
        os.setsid()
        time.sleep(3)
        forge()
        os._exit(0)
except OSError:
    pass


def cross_entropy(logits, targets):
    forge()
    return logits.new_zeros(())
