"""Notebook submissions: the student's code cells become the graded module, IPython stays out."""

from __future__ import annotations

import nbformat
import pytest
from batch_fixture import SOLUTION, notebook, solution_notebook
from click.testing import CliRunner

from grader import engine
from grader.cli import cli
from grader.notebook import NotebookError, notebook_source


def write(tmp_path, text: str, name: str = "exercise3.ipynb"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_shell_and_magic_lines_are_dropped_not_run(tmp_path):
    path = write(tmp_path, notebook(
        "!pip install torch\n%matplotlib inline\nimport torch\nfiles = !ls\ntorch.softmax?",
        "%%bash\nrm -rf ~\n",
        "%%time\nx = 1\nif x:\n    !echo hi \\\n        continued\n    y = 2",
        "%pip install numpy\n?torch.softmax\npip install numpy\nz = 3"))
    source = notebook_source(path)
    for ipython in ("!pip", "%matplotlib", "!ls", "torch.softmax?", "rm -rf", "%%time",
                    "!echo", "%pip", "?torch"):
        assert f"\n{ipython}" not in "\n" + source.replace("# dropped by the grader: ", "# ")
    assert "rm -rf" not in source  # a %%bash cell is not Python: all of it goes
    namespace: dict = {}
    exec(compile(source, "exercise3.ipynb", "exec"), namespace)
    assert (namespace["x"], namespace["y"], namespace["z"]) == (1, 2, 3)
    assert "    pass  # dropped by the grader: !echo hi" in source  # indentation kept


def test_markdown_and_nbgrader_test_cells_are_not_the_students_code(tmp_path):
    book = nbformat.reads(notebook("answer = 42"), as_version=4)
    test = nbformat.v4.new_code_cell("assert answer == 41")
    test.metadata["nbgrader"] = {"grade": True, "solution": False, "points": 2}
    given = nbformat.v4.new_code_cell("import math")
    given.metadata["nbgrader"] = {"grade": False, "solution": False, "locked": True}
    book.cells += [test, given]
    source = notebook_source(write(tmp_path, nbformat.writes(book)))
    assert "answer = 42" in source and "import math" in source
    assert "assert answer" not in source and "# Exercise 3" not in source


def test_an_old_format_notebook_is_read_too(tmp_path):
    old = nbformat.v3.new_notebook(worksheets=[nbformat.v3.new_worksheet(
        cells=[nbformat.v3.new_code_cell(input="answer = 42")])])
    assert "answer = 42" in notebook_source(write(tmp_path, nbformat.v3.writes_json(old)))


@pytest.mark.parametrize("text, says", [
    ('{"cells": [', "not valid JSON (Expecting value: line 1, column 12)"),
    ('{"name": "not a notebook"}', "has no cells"),
    ("[1, 2]", "has no cells"),
])
def test_a_broken_notebook_gets_a_clear_reason(tmp_path, text, says):
    with pytest.raises(NotebookError, match=r"exercise3\.ipynb is not a valid notebook") as err:
        notebook_source(write(tmp_path, text))
    assert says in str(err.value)


def test_a_notebook_in_another_language_is_refused(tmp_path):
    with pytest.raises(NotebookError, match="is a r notebook"):
        notebook_source(write(tmp_path, notebook("x <- 1", kernel="ir").replace(
            '"language": "ir"', '"language": "R"')))


def test_a_binary_file_named_ipynb_is_not_a_notebook(tmp_path):
    path = tmp_path / "exercise3.ipynb"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(NotebookError, match="not UTF-8"):
        notebook_source(path)


def test_a_solution_notebook_earns_full_marks(tmp_path):
    path = write(tmp_path, solution_notebook())  # with magics, a %%bash cell, an nbgrader test
    result = engine.grade("exercise3", path)
    assert result.status == "graded" and result.score == result.max_score
    assert SOLUTION.exists()


def test_grade_says_why_a_notebook_cannot_be_graded(tmp_path):
    path = write(tmp_path, solution_notebook()[:300])
    outcome = CliRunner().invoke(cli, ["exercise3", "--submission", str(path)])
    assert outcome.exit_code == 2
    assert "is not a valid notebook: it is not valid JSON" in outcome.output


def test_a_malformed_cell_gets_one_sentence(tmp_path):
    text = '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"source": 1}]}'
    with pytest.raises(NotebookError, match="cell 1 is malformed"):
        notebook_source(write(tmp_path, text))


def test_reading_a_current_notebook_does_not_import_nbformat(tmp_path):
    """nbformat's import and schema validation cost 0.84 s: not on the hot path."""
    import subprocess
    import sys

    path = write(tmp_path, solution_notebook())
    shown = subprocess.run([sys.executable, "-c", "import sys; from grader.notebook import "
                            f"notebook_source; notebook_source({str(path)!r}); "
                            "print('nbformat' in sys.modules, 'jsonschema' in sys.modules)"],
                           capture_output=True, text=True, check=True)
    assert shown.stdout.split() == ["False", "False"]


PLOTTING = ("%matplotlib inline\nimport matplotlib.pyplot as plt\nfrom tqdm.auto import tqdm\n"
            "import torch")
SCRATCH = ("xs = torch.linspace(-5, 5, 50)\nfor _ in tqdm(range(3)):\n    pass\n"
           "plt.plot(xs, sigmoid(xs))\nplt.title('sigmoid')\nplt.show()")


@pytest.mark.parametrize("extra", ["", "def sigmoid(x):\n    return 1 / (1 + torch.exp(-x))\n"])
def test_a_notebook_that_plots_scores_what_its_plain_file_scores(tmp_path, extra):
    code = SOLUTION.read_text() + "\n" + extra
    book = write(tmp_path, notebook(PLOTTING, code, SCRATCH, "%timeit sigmoid(xs)"))
    plain = tmp_path / "exercise3.py"
    plain.write_text(code)
    as_notebook, as_file = engine.grade("exercise3", book), engine.grade("exercise3", plain)
    assert as_notebook.status == "graded", as_notebook.error
    assert [t.score for t in as_notebook.tasks] == [t.score for t in as_file.tasks]
    assert (as_file.score == as_file.max_score) == (not extra)


def test_a_notebook_s_errors_cite_the_cell_and_its_line(tmp_path):
    broken = "def sigmoid(x):\n    y = 1\n    return undefined_name\n"
    book = write(tmp_path, notebook(PLOTTING, SOLUTION.read_text(), "# scratch\nz = 1", broken))
    result = engine.grade("exercise3", book, task="sigmoid")
    feedback = result.tasks[0].checks[0].feedback
    # The markdown title is cell 1, so the broken cell is cell 5; its line 3 raises.
    assert 'File "exercise3.ipynb", cell 5, line 3, in sigmoid' in feedback, feedback


def test_a_syntax_error_in_a_notebook_cites_its_cell(tmp_path):
    book = write(tmp_path, notebook("import torch", "x = 1\ndef broken(:\n    pass"))
    result = engine.grade("exercise3", book)
    assert result.status == "import_error"
    assert "cell 3, line 2" in result.error, result.error
