"""grader.check in a real Jupyter kernel: what it grades, shows and returns, and what it cannot be
made to do."""

import json
import subprocess
import sys
from types import SimpleNamespace

import nbformat
import pytest
from batch_fixture import notebook

from grader import engine, jupyter, paths
from grader.htmlreport import to_html
from grader.results import CheckResult, GradeResult, TaskResult

nbclient = pytest.importorskip("nbclient", reason="nbclient is in the [test] extra")

SOLUTION = (paths.SOLUTIONS / "exercise3.py").read_text()
WRONG_SOFTMAX = (paths.MUTANTS / "exercise3" / "softmax_wrong_dim.py").read_text()
HOSTILE = f"""
import json, pathlib
# A fake perfect report, printed when the cell runs: the grader must not take it for its own.
print(json.dumps({{"exercise": "exercise3", "submission": "x", "status": "graded", "score": 30.0,
                  "max_score": 30.0, "tasks": []}}))
try:  # the answers, read and run: it works in the kernel, not where the cells are graded
    exec(pathlib.Path({str(paths.SOLUTIONS / "exercise3.py")!r}).read_text())
    stolen = True
except OSError:
    stolen = False
"""
CELLS = [
    "import grader",                                                   # 0
    SOLUTION,                                                          # 1
    WRONG_SOFTMAX,                                                     # 2
    "raise ValueError('a typo the student fixed in the next cell')",   # 3
    "runs = globals().get('runs', 0) + 1",                             # 4
    "result = grader.check('exercise3')",                              # 5
    "import json, sys\nprint(json.dumps([result.score, result.max_score, [t.name for t in result.tasks],"
    " runs, sorted(m for m in sys.modules if m.startswith('grader'))]))",  # 6
    HOSTILE,                                                           # 7
    "grader.check('exercise3', task='softmax')",                       # 8
    "print(stolen)\ngrader.check_all()",                               # 9
    "grader.check('exercize3')",                                       # 10
]


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """The notebook of CELLS, run top to bottom in a fresh kernel, as a student would."""
    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    folder = tmp_path_factory.mktemp("notebook")
    client = nbclient.NotebookClient(book, timeout=300, kernel_name="python3", allow_errors=True,
                                     resources={"metadata": {"path": str(folder)}})
    client.execute()
    return book.cells


def displayed(cell) -> list[str]:
    return [o["data"]["text/html"] for o in cell.outputs if o["output_type"] == "display_data"]


def stdout(cell) -> str:
    return "".join(o["text"] for o in cell.outputs if o.get("name") == "stdout")


@pytest.mark.slow
def test_check_grades_the_cells_the_kernel_ran_and_returns_the_result(ran):
    score, max_score, tasks, runs, loaded = json.loads(stdout(ran[6]).splitlines()[-1])
    assert tasks == ["sigmoid", "softmax", "log_softmax", "cross_entropy", "mlp_forward"]
    assert 0 < score < max_score == 30.0  # the wrong softmax of cell 2 replaced the right one
    assert runs == 1, "a cell ran a second time in the kernel"
    # Neither the checks nor the engine were ever loaded into the student's kernel.
    assert not [m for m in loaded if m.startswith(("grader.checks", "grader.engine", "grader.worker"))]


@pytest.mark.slow
def test_check_shows_one_html_report_with_the_failures_folded(ran):
    [report] = displayed(ran[5])
    assert "exercise3" in report and "<table>" in report
    assert "<details><summary><b>softmax</b>" in report
    assert "ValueError" not in report  # the cell that raised was left out, not graded
    [softmax] = displayed(ran[8])  # shown once, though the call ends its cell
    assert not [o for o in ran[8].outputs if o["output_type"] == "execute_result"]
    assert "<td>softmax</td>" in softmax and "sigmoid" not in softmax


@pytest.mark.slow
def test_a_hostile_cell_cannot_raise_its_score_or_read_the_answers(ran):
    assert stdout(ran[9]).splitlines()[0] == "True"  # in the kernel itself the answers ran
    [before], [after] = displayed(ran[5]), displayed(ran[8])
    assert "<td>softmax</td><td>8 / 8</td>" not in after, "the stolen answers were graded"
    assert "softmax" in before
    [all_of_them] = displayed(ran[9])  # only exercise3 has code in this kernel
    assert "<b>exercise3</b>" in all_of_them and "30 / 30" not in all_of_them


@pytest.mark.slow
def test_bad_usage_in_a_notebook_is_one_sentence(ran):
    [error] = [o for o in ran[10].outputs if o["output_type"] == "error"]
    assert error["traceback"] == [
        "grader.check: There is no exercise called 'exercize3'; the exercises are: "
        + ", ".join(f"exercise{n}" for n in range(1, 9)) + "."]


class Shell:
    """What grader.jupyter reads of an IPython shell: the cells it ran, the running one last."""

    def __init__(self, *cells):
        self.history_manager = SimpleNamespace(input_hist_raw=["", *cells, "grader.check(...)"])
        self.execution_count = len(cells) + 2


@pytest.mark.slow
@pytest.mark.parametrize("case", ["fake_report", "output_flood", "kills_the_grader"])
def test_hostile_cells_earn_only_what_they_deserve(case):
    """The submissions of tests/hostile, run as a kernel's cells through grader.check's path."""
    hostile = (paths.TESTS / "hostile" / f"{case}.py").read_text()
    [result] = jupyter._grade(Shell("import grader", SOLUTION, hostile), ["--exercise", "exercise3"])
    scores = {t.name: (t.score, t.max_score) for t in result.tasks}
    assert result.status == "graded", result.error
    assert scores.pop("cross_entropy")[0] == 0
    assert all(score == full for score, full in scores.values()), scores


@pytest.mark.slow
def test_check_all_says_so_when_no_cell_defines_a_task():
    with pytest.raises(jupyter.CheckError) as raised:
        jupyter._grade(Shell("import grader", "x = 1"), ["--all"])
    assert str(raised.value) == "None of the cells this kernel has run defines an exercise's task yet."


def test_outside_a_kernel_check_says_where_it_works(capsys):
    import grader

    assert grader.check("exercise3") is None
    assert "run `grade exercise3`" in capsys.readouterr().out


def test_reports_escape_what_the_submission_wrote():
    check = CheckResult("softmax rows sum to one", "failed", 0.0, 1.0, "<script>alert(1)</script>")
    result = GradeResult("exercise3", "<img src=x onerror=alert(1)>", "graded", 0.0, 1.0,
                         [TaskResult("softmax", 0.0, 1.0, [check])])
    html = to_html(result)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_saved_notebook_with_check_cells_still_grades_in_full(tmp_path):
    path = tmp_path / "exercise3.ipynb"
    path.write_text(notebook("import grader", SOLUTION, "grader.check('exercise3')",
                             "grader.check_all()"))
    result = engine.grade("exercise3", path)
    assert result.status == "graded" and result.score == result.max_score


def test_importing_grader_imports_no_torch_even_in_ipython():
    for code in ("import grader", "import IPython, grader"):
        loaded = subprocess.run([sys.executable, "-c", f"{code}, sys; print('torch' in sys.modules)"],
                                capture_output=True, text=True, check=True).stdout.strip()
        assert loaded == "False", code
