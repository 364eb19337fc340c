"""A notebook submission as the Python module that is graded.

The student's code cells, in order, become the module's source. Shell and
magic lines (``!pip install ...``, ``%matplotlib inline``, ``%%bash`` cells)
are IPython, not Python: they are dropped, never run. Each dropped line is
replaced by ``pass`` at its indentation, so the module still compiles and its
line numbers still match what the student sees in the cell markers.

nbgrader's autograder-test cells (read-only cells with points) are the
instructor's, not the student's, and are left out too: the grader's own
checks do that work.

Each cell starts with a ``# %% cell N`` line, so an error's line in the module
can be told as the student sees it: "cell 5, line 4" (``cite_cells``).
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from collections.abc import Iterable
from pathlib import Path

from grader.errors import NotebookError

# Cell magics whose body is still Python: only their first line goes.
PYTHON_BODY_CELL_MAGICS = {"time", "timeit", "capture", "prun", "debug", "autoreload"}
_SHELL_LINE = re.compile(
    r"""^\s*(
        [!%]                              # !ls, %matplotlib inline, %pip install
      | \w[\w.]*\s*=\s*[!%]               # files = !ls, t = %timeit f()
      | (pip|conda|mamba)\s+install\b     # IPython's automagic pip install
      | [\w.]+\?\??\s*$                   # torch.softmax?  (help)
      | \?\??[\w.]+\s*$                   # ?torch.softmax
    )""",
    re.VERBOSE,
)


_CELL_MARK = re.compile(r"^# %% cell (\d+)$")


def _read(path: Path) -> dict:
    """The notebook as plain JSON. Version 4 (every Jupyter since 2015) is checked here, field
    by field for what grading reads; only older versions go through nbformat, whose import
    and JSON-schema validation cost 0.84 s (0.72 s of it rfc3987_syntax, via jsonschema)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise NotebookError(f"{path.name} is not a valid notebook: it is not UTF-8 text.") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(
            f"{path.name} is not a valid notebook: it is not valid JSON ({exc.msg}: line "
            f"{exc.lineno}, column {exc.colno}). Was it saved completely? Re-download it or "
            "open and save it in Jupyter.") from None
    if not isinstance(document, dict) or not ("cells" in document or "worksheets" in document):
        raise NotebookError(f"{path.name} is not a valid notebook: it is JSON, but has no cells.")
    if isinstance(document.get("nbformat"), int) and document["nbformat"] >= 4:
        return _checked_v4(document, path.name)
    return _upgraded(text, path.name)


def _checked_v4(document: dict, name: str) -> dict:
    cells = document.get("cells")
    if not isinstance(cells, list):
        raise NotebookError(f"{name} is not a valid notebook: its cells are not a list.")
    if not isinstance(document.get("metadata", {}), dict):
        raise NotebookError(f"{name} is not a valid notebook: its metadata is not an object.")
    for number, cell in enumerate(cells, start=1):
        source = cell.get("source") if isinstance(cell, dict) else None
        if not (isinstance(cell, dict) and isinstance(cell.get("cell_type"), str)
                and isinstance(cell.get("metadata", {}), dict)
                and (isinstance(source, str) or isinstance(source, list)
                     and all(isinstance(line, str) for line in source))):
            raise NotebookError(f"{name} is not a valid notebook: cell {number} is malformed "
                                "(it needs a cell_type and its source as text).")
    return document


def _upgraded(text: str, name: str) -> dict:
    """A notebook older than version 4, upgraded by nbformat (rare: Jupyter before 2015)."""
    import nbformat

    quiet = logging.getLogger("traitlets")
    level, quiet.level = quiet.level, logging.CRITICAL
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return json.loads(nbformat.writes(nbformat.reads(text, as_version=4)))
    except Exception as exc:  # noqa: BLE001 - nbformat's failures are many and unrelated
        raise NotebookError(f"{name} is not a valid notebook: {exc}") from None
    finally:
        quiet.level = level


def _language(notebook: dict) -> str:
    metadata = notebook.get("metadata") or {}
    info = metadata.get("language_info") or {}
    kernel = metadata.get("kernelspec") or {}
    return str(info.get("name") or kernel.get("language") or "python").lower()


def _is_instructor_test(cell) -> bool:
    marks = (cell.get("metadata") or {}).get("nbgrader") or {}
    return bool(marks.get("grade")) and not marks.get("solution")


def _without_magics(source: str) -> list[str]:
    lines = source.splitlines()
    first = lines[0].strip() if lines else ""
    if first.startswith("%%"):
        magic = first[2:].split()[0] if first[2:].split() else ""
        if magic not in PYTHON_BODY_CELL_MAGICS:
            return []  # a %%bash, %%html, %%writefile ... cell is not Python at all
        lines = lines[1:]
    kept, continued = [], False
    for line in lines:
        if continued:  # the rest of a shell line: a comment, whatever its indentation
            kept.append(f"# dropped by the grader: {line.strip()[:60]}")
        elif _SHELL_LINE.match(line):
            indent = line[: len(line) - len(line.lstrip())]
            kept.append(f"{indent}pass  # dropped by the grader: {line.strip()[:60]}")
        else:
            kept.append(line)
            continue
        continued = line.rstrip().endswith("\\")
    return kept


def notebook_source(path: Path) -> str:
    """The Python module a notebook submission stands for; raises NotebookError."""
    path = Path(path)
    notebook = _read(path)
    language = _language(notebook)
    if language not in ("python", "python3", "ipython", "ipython3"):
        raise NotebookError(f"{path.name} is a {language} notebook; the exercises are Python.")
    cells = []
    for number, cell in enumerate(notebook["cells"], start=1):
        if cell.get("cell_type") != "code" or _is_instructor_test(cell):
            continue
        source = cell.get("source") or ""
        if isinstance(source, list):  # nbformat joins these, but be lenient with odd writers
            source = "".join(source)
        cells.append((f"cell {number}", source))
    return module_source(cells)


def cell_python(source: str) -> str:
    """A code cell's Python, its shell and magic lines dropped ('' for a cell that is not Python)."""
    body = _without_magics(source)
    return "\n".join(body) + "\n" if body else ""


def module_source(cells: Iterable[tuple[str, str]]) -> str:
    """The module that code cells ``(label, source)`` make, in order.

    Each cell stands under a ``# %% label`` marker, so a line number in a traceback can be
    traced back to its cell. grader.jupyter makes a kernel's executed cells a module this way.
    """
    return "\n".join(f"# %% {label}\n{python}" for label, source in cells
                     if (python := cell_python(source)))


def cell_lines(source: str) -> dict[int, tuple[int, int]]:
    """{line of the module: (cell number, line in that cell)} for a notebook's module."""
    where, cell, first = {}, None, 0
    for number, line in enumerate(source.splitlines(), start=1):
        mark = _CELL_MARK.match(line)
        if mark:
            cell, first = int(mark.group(1)), number
        elif cell is not None:
            where[number] = (cell, number - first)
    return where


def cite_cells(text: str, source: str, filename: str) -> str:
    """``text`` (a traceback or an error) with the module's ``File "x.ipynb", line 18``
    told as the notebook shows it: ``File "x.ipynb", cell 5, line 4``."""
    where = cell_lines(source)

    def cited(match: re.Match) -> str:
        found = where.get(int(match.group(1)))
        return f"cell {found[0]}, line {found[1]}" if found else match.group(0)

    if not where:
        return text
    # The same for a SyntaxError's own 'File "x.ipynb", line 18' line.
    return re.sub(rf'(?<=File "{re.escape(filename)}", )line (\d+)', cited, text)
