"""A sandboxed, pytest-driven autograder for the PyTorch course exercises.

In a notebook, ``import grader; grader.check("exercise3")`` grades the cells the
kernel has run (grader/jupyter.py). Importing ``grader`` stays cheap - no torch,
no checks - because every grading worker and every notebook kernel imports it.
"""

import sys as _sys


def check(exercise: str, task: str | None = None):
    """Grade the cells this Jupyter kernel has run as ``exercise`` (or one ``task``):
    shows the report and returns the result (``.score``, ``.max_score``, ``.tasks``)."""
    from grader import jupyter

    return jupyter.check(exercise, task)


def check_all():
    """Grade every exercise the cells this Jupyter kernel has run have code for."""
    from grader import jupyter

    return jupyter.check_all()


if "IPython" in _sys.modules:  # in a kernel, cells that raise are noted from now on
    from grader import jupyter as _jupyter

    _jupyter.follow_kernel()
