"""A class folder for `grade batch`: correct, wrong and hostile submissions of exercise3.

Built from the reference solution, the stub, the mutants in tests/mutants/exercise3/
and hostile code below, in every layout the batch accepts (a folder per student,
nested folders, loose .py and .ipynb files, an odd file name, empty folders).
``write_class`` returns what each student's gradebook row must say.

    python tests/batch_fixture.py DEST    # write one to look at, or to try `grade batch` on
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
EXERCISE = "exercise3"
SOLUTION = ROOT / "solutions" / f"{EXERCISE}.py"
STUB = ROOT / "exercises" / f"{EXERCISE}.py"
MUTANTS = ROOT / "tests" / "mutants" / EXERCISE
FULL = 30.0
GRADE = [sys.executable, "-m", "grader.cli"]
# Above any honest submission's time on a busy 2-core machine, below the hostile hangs'
# per-check timeouts (10 s), so those end as `timeout` rows.
TIMEOUT = "8"


@dataclass
class Expected:
    """What a student's row must say."""

    status: str  # the gradebook's status: graded, import_error, missing, timeout
    score: float | None = None  # the exact total, where it is known
    broken: tuple[str, ...] = ()  # tasks that must lose points (mutants)
    zero: tuple[str, ...] = ()  # tasks that must score 0 while every other scores full
    needs_namespaces: bool = False  # only holds where workers get their own mounts


# Each is appended to the reference solution, so only cross_entropy (which no other task
# calls) is hostile, unless it misbehaves at import.
HOSTILE = {
    "memory_bomb": ("cross_entropy", '''
def cross_entropy(logits, targets):
    hoard = bytearray(1 << 40)
    return hoard
'''),
    "segfault": ("cross_entropy", '''
import ctypes

def cross_entropy(logits, targets):
    return ctypes.string_at(0)
'''),
    "exits": ("cross_entropy", '''
import os

def cross_entropy(logits, targets):
    os._exit(0)
'''),
    "kills_its_parent": ("cross_entropy", '''
import os, signal

def cross_entropy(logits, targets):
    os.kill(os.getppid(), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)
'''),
    "fork_bomb": ("cross_entropy", '''
import os, time

def cross_entropy(logits, targets):
    while True:
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            time.sleep(1000)
            os._exit(0)
    raise RuntimeError("out of processes")
'''),
    "monkeypatches": ("cross_entropy", '''
import torch, torch.nn.functional as F

torch.allclose = lambda *a, **k: True
torch.testing.assert_close = lambda *a, **k: None
torch.Tensor.__eq__ = lambda self, other: True
_library = F.cross_entropy
_library.__name__ = "my_own_cross_entropy"

def cross_entropy(logits, targets):
    return _library(logits, targets)
'''),
    "fake_report": ("cross_entropy", '''
import json, sys
FAKE = {"exercise": "exercise3", "submission": "h_fake_report", "status": "graded",
        "score": 30.0, "max_score": 30.0, "tasks": [], "duration_s": 0.1}
print(json.dumps(FAKE))
print("Total: 30 / 30 (100%)", file=sys.stderr)

def cross_entropy(logits, targets):
    # No answer at all (a tensor of the right shape would honestly earn the point of
    # "leaves its inputs unchanged"): only the fake report could raise its score.
    print(json.dumps(FAKE))
    return None
'''),
    "output_flood": ((), '''
import sys
sys.stdout.write("flood " * 1_000_000)
_original = cross_entropy

def cross_entropy(logits, targets):
    sys.stderr.write("flood " * 1_000_000)
    return _original(logits, targets)
'''),
}

HANGS = {
    "hangs_at_import": '''
while True:
    pass
''',
    "ignores_signals": '''
import signal
for _name in ("SIGTERM", "SIGINT", "SIGHUP", "SIGALRM", "SIGXCPU", "SIGUSR1"):
    signal.signal(getattr(signal, _name), signal.SIG_IGN)

def cross_entropy(logits, targets):
    while True:
        pass
''',
}


def _copycat(class_dir: Path, out: Path | None) -> str:
    """The stub, plus an attempt to take the answers from where they lie on this machine."""
    targets = [SOLUTION, class_dir / "ada" / f"{EXERCISE}.py", class_dir / "ben.py"]
    forged = ["results.jsonl", "grades.csv"] if out else []
    return STUB.read_text() + f'''

_stolen = None
for _path in {[str(t) for t in targets]!r}:
    try:
        with open(_path) as _file:
            _stolen = _file.read()
        break
    except OSError:
        pass
for _name in {forged!r}:
    try:
        with open({str(out)!r} + "/" + _name, "a") as _file:
            _file.write('{{"submission": "h_copycat", "score": 30.0}}\\n')
    except OSError:
        pass
if _stolen:
    exec(_stolen, globals())
'''


def notebook(*cells: str, kernel: str = "python3") -> str:
    book = nbformat.v4.new_notebook()
    book.metadata["kernelspec"] = {"name": kernel, "display_name": kernel,
                                   "language": "python" if "python" in kernel else kernel}
    book.cells = [nbformat.v4.new_markdown_cell("# Exercise 3")]
    for cell in cells:
        book.cells.append(nbformat.v4.new_code_cell(cell))
    return nbformat.writes(book)


def solution_notebook() -> str:
    """The reference solution as a student's notebook: magics, a shell cell, scratch work."""
    text = notebook("!pip install torch\n%matplotlib inline\nimport torch",
                    "%%bash\nexit 1",
                    SOLUTION.read_text(),
                    "%%time\nprint(softmax(torch.randn(2, 3), dim=1))\nfiles = !ls")
    book = nbformat.reads(text, as_version=4)
    test = nbformat.v4.new_code_cell("assert False, 'an nbgrader test cell is not the student\\'s'")
    test.metadata["nbgrader"] = {"grade": True, "solution": False, "points": 1, "grade_id": "t1"}
    book.cells.append(test)
    return nbformat.writes(book)


def _breaks(mutant: Path) -> tuple[str, ...]:
    first = mutant.read_text().splitlines()[0]
    return tuple(t.strip() for t in first.removeprefix("# breaks:").split(",") if t.strip())


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def write_class(dest: Path, *, out: Path | None = None, hostile: bool = True,
                hangs: bool = True, mutants: bool = True) -> dict[str, Expected]:
    """Write a class folder into ``dest``; returns the expected row of every student."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    solution, stub = SOLUTION.read_text(), STUB.read_text()
    expected: dict[str, Expected] = {}

    def student(name: str, relative: str, text: str, outcome: Expected) -> None:
        _write(dest / relative, text)
        expected[name] = outcome

    right = Expected("graded", FULL)
    student("ada", f"ada/{EXERCISE}.py", solution, right)
    student("ben", "ben.py", solution, right)
    student("cai", f"cai/exercises/{EXERCISE}.py", solution, right)
    student("dee", "dee/Exercise_3.py", solution, right)
    student("eve", "eve.ipynb", solution_notebook(), right)
    student("fay", f"fay/{EXERCISE}.ipynb", solution_notebook(), right)
    student("gus", f"gus/{EXERCISE}.py", stub, Expected("graded", 0.0))
    student("hal", "hal.py", stub, Expected("graded", 0.0))
    student("kai", "kai.py", solution.replace("def sigmoid(", "def sigmoid(:", 1),
            Expected("import_error", 0.0))
    student("jon", "jon.ipynb", solution_notebook()[:500], Expected("import_error", 0.0))
    (dest / "lou").mkdir(exist_ok=True)
    expected["lou"] = Expected("missing", 0.0)
    student("max", "max/notes.txt", "I will hand it in next week.\n", Expected("missing", 0.0))
    if mutants:
        for mutant in sorted(MUTANTS.glob("*.py")):
            source = solution + "\n\n" + mutant.read_text()
            student(f"m_{mutant.stem}", f"m_{mutant.stem}/{EXERCISE}.py", source,
                    Expected("graded", broken=_breaks(mutant)))
        wrong_dim = MUTANTS / "softmax_wrong_dim.py"
        student("ivy", "ivy.ipynb", notebook(solution, wrong_dim.read_text()),
                Expected("graded", broken=_breaks(wrong_dim)))
    if hostile:
        for name, (task, code) in HOSTILE.items():
            zero = (task,) if task else ()
            student(f"h_{name}", f"h_{name}/{EXERCISE}.py", solution + "\n" + code,
                    Expected("graded", None if zero else FULL, zero=zero))
        student("h_memory_at_import", f"h_memory_at_import/{EXERCISE}.py",
                solution + "\n_hoard = [0] * (10 ** 11)\n", Expected("import_error", 0.0))
        student("h_copycat", f"h_copycat/{EXERCISE}.py", _copycat(dest, out),
                Expected("graded", 0.0, needs_namespaces=True))
    if hangs:
        for name, code in HANGS.items():
            student(f"h_{name}", f"h_{name}/{EXERCISE}.py", solution + "\n" + code,
                    Expected("timeout", 0.0))
    return expected


def run_batch(folder: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    """``grade batch`` on ``folder`` as the tests run it: two jobs, ``TIMEOUT`` s each."""
    return subprocess.run([*GRADE, "batch", str(folder), "--exercise", EXERCISE, "--out",
                           str(out), "--timeout", TIMEOUT, "--jobs", "2", *extra],
                          capture_output=True, text=True, timeout=300)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/batch_fixture.py DEST")
    rows = write_class(Path(sys.argv[1]))
    print(json.dumps({name: row.status for name, row in rows.items()}, indent=1))
