# hostile: cross_entropy
import pathlib

import grader


def cross_entropy(logits, targets):
    # Try to rewrite the grader for next time, then give a wrong answer.
    root = pathlib.Path(grader.__file__).parent
    for target in [root / "checks" / "exercise3.py", root / "engine.py", root / "results.py"]:
        try:
            target.write_text("raise SystemExit('pwned')\n")
        except OSError:
            pass
    return logits.new_zeros(())
