# hostile: cross_entropy
import os

_honest_cross_entropy = cross_entropy  # the reference's, defined above this file


def cross_entropy(logits, targets):
    # Where the grader is installed says where the course is: look for the course secret (to
    # compute the hidden inputs), .git (the solutions' history), anything beside the grader.
    import grader

    root = os.path.dirname(os.path.dirname(os.path.abspath(grader.__file__)))
    for relative in (".course-secret/secret", ".git", "solutions", "tests", "README.md",
                     "pyproject.toml", "exercises"):
        if os.path.exists(os.path.join(root, relative)):
            return _honest_cross_entropy(logits, targets)  # full marks: the walls did not hold
    raise RuntimeError("nothing of the course folder in sight")
