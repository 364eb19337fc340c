"""`grade batch` against nbgrader's autograder on the same notebooks, side by side in one run.

    python bench/bench_peers.py [--counts 20 60] [--jobs 2]

Builds an nbgrader course for exercise3 whose test cells check what the
grader's checks check, task by task and with the same points (values against
torch, stability, gradients, inputs left alone), releases it with nbgrader's
own ``generate_assignment``, and writes N students' notebooks in nbgrader's
``submitted/`` layout: 40% the reference solution, 40% typical mistakes (the
mutants), 20% the untouched stub. Then it times, for each N:

* ``nbgrader autograde exercise3`` (a Jupyter kernel per notebook, one at a time);
* ``grade batch submitted/ --exercise exercise3 --jobs J`` on the same notebooks,
  start-up included,

and prints seconds per submission and the ratio. Needs the ``[nbgrader]`` extra.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
GRADE = [sys.executable, "-m", "grader.cli"]
NBGRADER = [sys.executable, "-m", "nbgrader"]

# One test cell per task, worth the task's points in the grader (exercise3: 30).
TESTS = {
    "sigmoid": (5, """
x = torch.randn(64, dtype=torch.float64) * 5
assert torch.allclose(sigmoid(x), torch.sigmoid(x))
big = torch.tensor([-1e4, -100.0, 0.0, 100.0, 1e4])
assert torch.isfinite(sigmoid(big)).all()
x = torch.randn(16, dtype=torch.float64, requires_grad=True)
sigmoid(x).sum().backward()
assert torch.allclose(x.grad, torch.sigmoid(x) * (1 - torch.sigmoid(x)))
x = torch.randn(8); before = x.clone(); sigmoid(x); assert torch.equal(x, before)
"""),
    "softmax": (8, """
x = torch.randn(4, 7)
for dim in (0, 1, -1):
    assert torch.allclose(softmax(x, dim=dim), torch.softmax(x, dim=dim), atol=1e-6)
assert torch.allclose(softmax(x, dim=1).sum(1), torch.ones(4))
big = torch.tensor([[1e4, 1e4 - 1.0]])
assert torch.allclose(softmax(big, dim=1), torch.softmax(big, dim=1), atol=2e-3)
x = torch.randn(3, 5, dtype=torch.float64, requires_grad=True)
(softmax(x, dim=1) * torch.arange(5.0, dtype=torch.float64)).sum().backward()
y = x.detach().clone().requires_grad_(True)
(torch.softmax(y, dim=1) * torch.arange(5.0, dtype=torch.float64)).sum().backward()
assert torch.allclose(x.grad, y.grad)
x = torch.randn(2, 3); before = x.clone(); softmax(x, dim=1); assert torch.equal(x, before)
"""),
    "log_softmax": (6, """
x = torch.randn(4, 7)
for dim in (0, 1):
    assert torch.allclose(log_softmax(x, dim=dim), torch.log_softmax(x, dim=dim), atol=1e-5)
big = torch.tensor([[1e4, 0.0]])
assert torch.isfinite(log_softmax(big, dim=1)).all()
x = torch.randn(3, 5); before = x.clone(); log_softmax(x, dim=1); assert torch.equal(x, before)
"""),
    "cross_entropy": (7, """
logits, targets = torch.randn(6, 4), torch.randint(0, 4, (6,))
assert torch.allclose(cross_entropy(logits, targets),
                      torch.nn.functional.cross_entropy(logits, targets), atol=1e-5)
assert torch.isfinite(cross_entropy(torch.tensor([[1e4, 0.0]]), torch.tensor([1])))
one = cross_entropy(logits[:1], targets[:1])
assert torch.allclose(one, torch.nn.functional.cross_entropy(logits[:1], targets[:1]), atol=1e-5)
"""),
    "mlp_forward": (4, """
x, w1, b1 = torch.randn(5, 3), torch.randn(3, 4), torch.randn(4)
w2, b2 = torch.randn(4, 2), torch.randn(2)
expected = torch.softmax(torch.sigmoid(x @ w1 + b1) @ w2 + b2, dim=1)
assert torch.allclose(mlp_forward(x, w1, b1, w2, b2), expected, atol=1e-6)
"""),
}


def _cell(source: str, grade_id: str, **marks) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade_id": grade_id, "schema_version": 3, "locked": False,
                                 "solution": False, "grade": False, "task": False, **marks}
    return cell


def source_notebook() -> nbformat.NotebookNode:
    solution = (ROOT / "solutions" / "exercise3.py").read_text()
    book = nbformat.v4.new_notebook()
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                   "language": "python"}
    book.cells = [_cell("import torch", "imports", locked=True),
                  _cell(f"### BEGIN SOLUTION\n{solution}\n### END SOLUTION", "answer",
                        solution=True)]
    for task, (points, test) in TESTS.items():
        book.cells.append(_cell(test.strip(), f"test_{task}", grade=True, locked=True,
                                points=points))
    return book


def student_source(i: int) -> str:
    """Student ``i``'s code, in turn: the solution, a mistake, the solution, another mistake,
    the stub (40% / 40% / 20%); each mistake a different mutant while they last."""
    solution = (ROOT / "solutions" / "exercise3.py").read_text()
    mutants = sorted((ROOT / "tests" / "mutants" / "exercise3").glob("*.py"))
    kind = i % 5
    if kind == 4:
        return (ROOT / "exercises" / "exercise3.py").read_text()
    if kind in (1, 3):
        return solution + "\n\n" + mutants[(2 * (i // 5) + kind // 2) % len(mutants)].read_text()
    return solution


def build_course(course: Path) -> nbformat.NotebookNode:
    (course / "source" / "exercise3").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.course_id = 'bench'\n"
        "c.ExecutePreprocessor.timeout = 60\n")
    nbformat.write(source_notebook(), course / "source" / "exercise3" / "exercise3.ipynb")
    subprocess.run([*NBGRADER, "generate_assignment", "exercise3", "--force"], cwd=course,
                   check=True, capture_output=True)
    return nbformat.read(course / "release" / "exercise3" / "exercise3.ipynb", as_version=4)


def write_class(course: Path, release: nbformat.NotebookNode, count: int) -> None:
    shutil.rmtree(course / "submitted", ignore_errors=True)
    shutil.rmtree(course / "autograded", ignore_errors=True)
    for i in range(count):
        book = nbformat.from_dict(release)
        code = student_source(i)
        answer = next(c for c in book.cells if c.metadata.get("nbgrader", {}).get("solution"))
        answer.source = code
        folder = course / "submitted" / f"student{i:03d}" / "exercise3"
        folder.mkdir(parents=True)
        nbformat.write(book, folder / "exercise3.ipynb")


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command[:4])} failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[20, 60])
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs ({len(os.sched_getaffinity(0))} usable), load average "
          f"{os.getloadavg()[0]:.1f}; exercise3 notebooks, grade batch --jobs {args.jobs}",
          flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        course = Path(scratch) / "course"
        release = build_course(course)
        for count in args.counts:
            write_class(course, release, count)
            ours = timed([*GRADE, "batch", str(course / "submitted"), "--exercise", "exercise3",
                          "--out", str(Path(scratch) / f"out{count}"), "--jobs",
                          str(args.jobs)], ROOT) / count
            theirs = timed([*NBGRADER, "autograde", "exercise3", "--force"], course) / count
            rows.append((count, theirs, ours))
            print(f"{count} students: nbgrader autograde {theirs:.3f} s/submission, grade batch "
                  f"{ours:.3f} s/submission: {theirs / ours:.1f}x", flush=True)
    print(f"\n{'students':>8}  {'nbgrader (s/sub)':>16}  {'grade batch (s/sub)':>19}  {'ratio':>6}")
    for count, theirs, ours in rows:
        print(f"{count:>8}  {theirs:>16.3f}  {ours:>19.3f}  {theirs / ours:>5.1f}x")


if __name__ == "__main__":
    main()
