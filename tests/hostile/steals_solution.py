# hostile: cross_entropy
# flags: reads-outside-its-folder
import glob
import importlib.util
import os
import sys


def cross_entropy(logits, targets):
    # Try every way to reach the reference solution or the checks.
    for root in ["/work/main", os.path.expanduser("~"), "/", *sys.path]:
        for path in glob.glob(os.path.join(root, "**", "solutions", "exercise3.py"), recursive=True):
            spec = importlib.util.spec_from_file_location("stolen", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module.cross_entropy(logits, targets)
    import solutions.exercise3  # noqa: F401
    raise RuntimeError("nothing to steal")
