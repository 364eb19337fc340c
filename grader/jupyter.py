"""``grader.check("exercise3")`` in a notebook: grade the cells this kernel has run.

This half runs in the student's kernel and holds nothing of the grader's but
this file: no torch, no checks, no answers. It makes the cells the kernel ran
(IPython's input history, in the order they ran) into a module, as
grader.notebook makes one of a notebook file, writes it to a temporary file
and grades that in a separate process (grader.cellgrader), where the cells
run in sandboxed workers exactly as under ``grade``. No cell runs a second
time in the kernel.

Left out of the module: the cell running now, cells that called
``grader.check`` (they grade; they do not solve) and the later cells that use
what those made, and cells that raised an error when they ran - a typo the
student fixed and re-ran must not stand in the way. Errors are seen from the moment ``grader`` is imported; of the cells
before that, those that do not compile are left out.

What a kernel shows is the student's own: code in it could fake its own
display, as it could print anything. The grade that counts comes from the
instructor's ``grade batch`` of the submitted file, and the cells graded here
cannot raise their own score (tests/test_jupyter.py).
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tempfile
import weakref
from dataclasses import dataclass, field
from pathlib import Path

from grader.results import GradeResult

GRADER_ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 600.0  # every check already has its own limit; this only guards a stuck grader
# The grading process gets these variables only: PYTHONPATH, PYTEST_ADDOPTS and the like set
# in the kernel must not steer the checks.
PASSED_ENVIRONMENT = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "TMPDIR", "TERM")
BOOT = ("import sys; sys.path.insert(0, sys.argv.pop(1)); "
        "from grader.cellgrader import main; main(sys.argv[1:])")


@dataclass
class _Kernel:
    """What grader.jupyter has noticed about one shell's cells, by their numbers."""

    failed: set[int] = field(default_factory=set)
    grading: set[int] = field(default_factory=set)
    followed: bool = False


_kernels: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _kernel(shell) -> _Kernel:
    return _kernels.setdefault(shell, _Kernel())


class CheckError(Exception):
    """grader.check could not grade; IPython shows this sentence instead of a traceback."""

    def _render_traceback_(self) -> list[str]:
        return [f"grader.check: {self}"]


def _shell():
    """The running IPython shell, or None outside one (a script, a grading worker)."""
    ipython = sys.modules.get("IPython")
    return ipython.get_ipython() if ipython is not None else None


def follow_kernel() -> None:
    """Note, from now on, which cells raise an error (``import grader`` calls this)."""
    shell = _shell()
    if shell is None or _kernel(shell).followed:
        return
    noticed = _kernel(shell)
    noticed.followed = True

    def note(result) -> None:
        if not result.success and result.execution_count is not None:
            noticed.failed.add(result.execution_count)

    shell.events.register("post_run_cell", note)


def _names(python: str) -> tuple[set[str], set[str]] | None:
    """(the names a cell reads, the names it binds), or None if it does not compile."""
    try:
        tree = ast.parse(python)
    except (SyntaxError, ValueError):
        return None
    reads, binds = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (reads if isinstance(node.ctx, ast.Load) else binds).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            binds.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            binds.update((a.asname or a.name).split(".")[0] for a in node.names)
    return reads, binds


def _running_cell(shell) -> int:
    """The number of the cell running now: the last one stored (execution_count is one ahead)."""
    return len(shell.history_manager.input_hist_raw) - 1


def kernel_source(shell) -> str:
    """The module the cells this kernel ran make, each under a ``# %% In [n]`` marker.

    A cell that uses what a grading cell made (``print(result.score)`` after
    ``result = grader.check(...)``) is left out with it: there is no such result where
    the cells are graded.
    """
    from grader.notebook import cell_python, module_source

    running, noticed = _running_cell(shell), _kernel(shell)
    cells, from_grading = [], set()
    for number, source in enumerate(shell.history_manager.input_hist_raw):
        names = _names(cell_python(source))
        if number == 0 or number >= running or number in noticed.failed or names is None:
            continue
        reads, binds = names
        if number in noticed.grading or reads & from_grading:
            from_grading |= binds
            continue
        from_grading -= binds
        cells.append((f"In [{number}]", source))
    return module_source(cells)


def _grade(shell, arguments: list[str]) -> list[NotebookResult]:
    """Grade the kernel's cells in a grading process of their own; one result per exercise."""
    _kernel(shell).grading.add(_running_cell(shell))
    environment = {k: v for k, v in os.environ.items()
                   if k in PASSED_ENVIRONMENT or k.startswith("LC_")}
    with tempfile.TemporaryDirectory(prefix="grader-check-") as folder:
        source = Path(folder) / "notebook_cells.py"
        source.write_text(kernel_source(shell), encoding="utf-8")
        try:
            done = subprocess.run([sys.executable, "-I", "-c", BOOT, str(GRADER_ROOT), str(source),
                                   *arguments], capture_output=True, text=True, timeout=TIMEOUT_S,
                                  env=environment, cwd=folder, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise CheckError(f"grading took longer than {TIMEOUT_S:g} s and was stopped.") from None
    said = done.stderr.strip().splitlines()
    if done.returncode == 2 and said:
        raise CheckError(said[-1])
    if done.returncode != 0:
        raise CheckError(f"the grader stopped unexpectedly (exit {done.returncode}): "
                         f"{said[-1] if said else 'no message'}")
    for line in said:  # what the grader warns about (no namespaces here, say) is the student's
        print(line, file=sys.stderr)
    try:
        return [NotebookResult.from_dict(json.loads(line)) for line in done.stdout.splitlines()]
    except (ValueError, KeyError, TypeError):  # a grader bug, never the student's doing
        raise CheckError("the grader's answer could not be read; please tell your course staff.") from None


class NotebookResult(GradeResult):
    """A GradeResult that shows itself in a notebook as the HTML report."""

    _shown_in: int | None = None

    def show(self) -> None:
        from IPython.display import display

        from grader.htmlreport import to_html, to_text

        display({"text/html": to_html(self), "text/plain": to_text(self)}, raw=True)
        self._shown_in = getattr(_shell(), "execution_count", None)

    def _ipython_display_(self) -> None:
        # grader.check has shown it already when it ends a cell; shown again in a later one.
        if self._shown_in is None or self._shown_in != getattr(_shell(), "execution_count", None):
            self.show()


class NotebookResults(list):
    """The results of ``check_all``, one per exercise, shown as their reports."""

    def _ipython_display_(self) -> None:
        for result in self:
            result._ipython_display_()


def _outside_a_kernel(exercise: str) -> None:
    # Also what happens when a notebook with grader.check cells is graded: the call runs in
    # a worker, where it must cost the submission nothing.
    print(f"grader.check grades a notebook's cells inside Jupyter; here, run `grade {exercise}`.")


def check(exercise: str, task: str | None = None) -> NotebookResult | None:
    """Grade the cells this kernel has run as ``exercise`` (or one ``task``), show the report
    and return the result (``.score``, ``.max_score``, ``.tasks``)."""
    shell = _shell()
    if shell is None:
        return _outside_a_kernel(exercise)
    follow_kernel()
    arguments = ["--exercise", str(exercise)] + (["--task", str(task)] if task else [])
    result = _grade(shell, arguments)[0]
    result.show()
    return result


def check_all() -> NotebookResults | None:
    """Grade every exercise whose tasks the cells this kernel ran define; show each report."""
    shell = _shell()
    if shell is None:
        return _outside_a_kernel("EXERCISE")
    follow_kernel()
    results = NotebookResults(_grade(shell, ["--all"]))
    for result in results:
        result.show()
    return results
