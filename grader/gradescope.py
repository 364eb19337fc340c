"""Gradescope: its results format, the autograder bundle, and what runs inside it.

Gradescope's autograder specification (gradescope-autograders.readthedocs.io,
"Autograder Specifications"): a zip with ``setup.sh`` and ``run_autograder`` at
its root, unpacked into ``/autograder/source``; the student's files arrive in
``/autograder/submission``; ``run_autograder`` must leave
``/autograder/results/results.json``. The document written here holds only
keys of that specification, and one test per check in every case, so a
student's list of tests never changes shape with what went wrong.

``run_autograder`` grades with every check, public and hidden, in the same
sandboxed workers as ``grade``, and the grading process writes results.json
after every worker is gone: a submission's own output cannot become it.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
import zipfile
from importlib import metadata
from pathlib import Path

from grader import catalog, paths, secret
from grader.results import GradeResult

# How Gradescope shows a hidden check: after the instructor publishes the grades.
HIDDEN_VISIBILITIES = ("after_published", "after_due_date", "hidden", "visible")
DEFAULT_HIDDEN_VISIBILITY = "after_published"
CONFIG = "gradescope.json"  # inside the bundle: which exercise, how hidden checks show
# Installed by setup.sh whatever the exercise; the rest only where its checks import them.
BASE_REQUIREMENTS = ("torch", "numpy", "pytest", "click", "rich", "nbformat")
OPTIONAL_REQUIREMENTS = {"sklearn": "scikit-learn", "torchvision": "torchvision"}
# The instructor's commands: grading one submission never imports them.
NOT_IN_BUNDLE = ("batch", "pool", "journal", "progress", "selfcheck", "gradebook", "report", "cli",
                 "roster", "nbgrader_course")


# -- the results document -------------------------------------------------------------------

def _points(value: float) -> str:
    return f"{value:g}"


def _summary(result: GradeResult, graded_file: str | None) -> str:
    lines = [f"{result.exercise}: {_points(result.score)} / {_points(result.max_score)} points"]
    if graded_file:
        lines.append(f"Graded file: {graded_file}")
    if result.status != "graded":
        lines.append(f"Not graded ({result.status}): {result.error or 'no reason recorded'}")
    elif result.error:
        lines.append(f"Grading stopped ({result.row_status}): {result.error}")
    return "\n".join(lines)


def _check_output(status: str, feedback: str) -> str:
    if status == "passed":
        return feedback
    return f"[{status}] {feedback}".strip()


def results_document(result: GradeResult, template: GradeResult,
                     hidden_visibility: str = DEFAULT_HIDDEN_VISIBILITY,
                     graded_file: str | None = None) -> dict:
    """``result`` in Gradescope's format; ``template`` (the exercise's shape, from
    ``catalog.load(exercise).template()``) names the checks a result that was not
    graded has none of."""
    shapes = {t.name: t.checks for t in template.tasks}
    tests, names = [], set()
    for task in result.tasks:
        ran = bool(task.checks)
        for check in task.checks or shapes.get(task.name, []):
            name, n = f"{task.name}: {check.name}", 1
            while name in names:  # Gradescope lists tests by name: keep every one apart
                n += 1
                name = f"{task.name}: {check.name} ({n})"
            names.add(name)
            output = (_check_output(check.status, check.feedback) if ran else
                      f"Not run: the submission could not be graded ({result.status}).")
            tests.append({"name": name, "score": check.score if ran else 0.0,
                          "max_score": check.max_score,
                          "status": "passed" if ran and check.status == "passed" else "failed",
                          "output": output,
                          "visibility": "visible" if check.visibility == "public"
                          else hidden_visibility})
    return {"score": result.score, "execution_time": math.ceil(result.duration_s),
            "output": _summary(result, graded_file), "stdout_visibility": "hidden",
            "tests": tests}


def results_json(result: GradeResult, template: GradeResult,
                 hidden_visibility: str = DEFAULT_HIDDEN_VISIBILITY,
                 graded_file: str | None = None) -> str:
    return json.dumps(results_document(result, template, hidden_visibility, graded_file),
                      indent=2) + "\n"


# -- the bundle -------------------------------------------------------------------------------

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
# Everything goes in with `python3 -m pip`, so with a virtual environment active
# it installs into that environment.
set -euo pipefail
cd "$(dirname "$0")"
if ! python3 -m pip --version >/dev/null 2>&1; then
    apt-get install -y python3-pip
fi
# Ubuntu's own Python refuses pip installs without this; a virtual environment ignores it.
export PIP_BREAK_SYSTEM_PACKAGES=1
# CPU builds of torch: Gradescope has no GPU, and the CUDA wheels are gigabytes.
python3 -m pip install --extra-index-url https://download.pytorch.org/whl/cpu -r requirements.txt
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission. AUTOGRADER_ROOT stands in for
# /autograder, so that it can be tried anywhere.
ROOT="${AUTOGRADER_ROOT:-/autograder}"
export PYTHONPATH="$ROOT/source"
cd "$ROOT/source" && exec python3 -m grader.gradescope "$ROOT"
"""


def _requirements(exercise: str) -> list[str]:
    """The packages the exercise's grading imports, pinned to the versions installed here,
    so Gradescope grades as this machine does."""
    text = "".join(p.read_text(encoding="utf-8") for p in
                   (paths.CHECKS / f"{exercise}.py", paths.COURSE_ROOT / "grader" / "probes" /
                    f"{exercise}.py") if p.exists())
    names = [*BASE_REQUIREMENTS, *(pkg for module, pkg in OPTIONAL_REQUIREMENTS.items()
                                   if module in text)]
    pinned = []
    for name in names:
        try:
            version = metadata.version(name).split("+")[0]
            pinned.append(f"{name}=={version}")
        except metadata.PackageNotFoundError:
            pinned.append(name)
    return pinned


def _grader_files(exercise: str) -> list[Path]:
    """The grader package without other exercises' checks and without caches."""
    package = paths.COURSE_ROOT / "grader"
    files = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if relative.parts[0] == "checks" and path.stem not in ("__init__", exercise):
            continue
        if len(relative.parts) == 1 and path.stem in NOT_IN_BUNDLE:
            continue
        files.append(path)
    return files


def _add(bundle: zipfile.ZipFile, name: str, text: str, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # the same bytes every build
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    bundle.writestr(info, text)


def build_bundle(exercise: str, out: Path,
                 hidden_visibility: str = DEFAULT_HIDDEN_VISIBILITY) -> Path:
    """Write Gradescope's autograder zip for ``exercise`` to ``out``: setup.sh,
    run_autograder, requirements.txt, the grader with this exercise's checks and, where
    the checks compare with it, its reference solution (never readable by a worker)."""
    catalog.load(exercise)  # an unknown exercise is refused in one sentence
    if hidden_visibility not in HIDDEN_VISIBILITIES:
        raise ValueError(f"hidden_visibility must be one of {HIDDEN_VISIBILITIES}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    checks = (paths.CHECKS / f"{exercise}.py").read_text(encoding="utf-8")
    with zipfile.ZipFile(out, "w") as bundle:
        _add(bundle, "setup.sh", SETUP_SH, executable=True)
        _add(bundle, "run_autograder", RUN_AUTOGRADER, executable=True)
        _add(bundle, "requirements.txt", "\n".join(_requirements(exercise)) + "\n")
        _add(bundle, CONFIG, json.dumps({"exercise": exercise,
                                         "hidden_visibility": hidden_visibility}) + "\n")
        for path in _grader_files(exercise):
            _add(bundle, path.relative_to(paths.COURSE_ROOT).as_posix(),
                 path.read_text(encoding="utf-8"))
        if catalog.load(exercise).hidden_points():  # hidden checks draw there what they draw here
            _add(bundle, paths.COURSE_SECRET.relative_to(paths.COURSE_ROOT).as_posix(),
                 secret.course_secret().hex() + "\n")
        solution = paths.SOLUTIONS / f"{exercise}.py"
        if "reference(" in checks and solution.exists():
            _add(bundle, f"solutions/{exercise}.py", solution.read_text(encoding="utf-8"))
    return out


# -- inside Gradescope: run_autograder ------------------------------------------------------------

def _write_results(results: Path, text: str) -> None:
    results.mkdir(parents=True, exist_ok=True)
    temporary = results / ".results.json.tmp"
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, results / "results.json")


def run_autograder(root: Path) -> GradeResult:
    """Grade what is in ``root/submission`` and write ``root/results/results.json``."""
    from grader import engine
    from grader.classfolder import pick_file
    from grader.errors import GraderError

    started = time.perf_counter()
    engine.fork_server()  # before any check or solution is imported, as `grade` does
    root = Path(root)
    config = json.loads((root / "source" / CONFIG).read_text(encoding="utf-8"))
    exercise, visibility = config["exercise"], config["hidden_visibility"]
    submission, results = root / "submission", root / "results"
    template = catalog.load(exercise).template()
    path, problem = pick_file(submission, exercise) if submission.is_dir() else (
        None, "Gradescope's submission folder is missing.")
    graded_file = str(path.relative_to(submission)) if path else None
    if path is None:
        result = GradeResult.empty(template, "submission", "missing", problem)
    else:
        try:
            result = engine.grade(exercise, path, label=graded_file,
                                  hidden=[submission, results])
        except GraderError as why:  # not a file the grader can read: the student is told why
            result = GradeResult.empty(template, graded_file, "import_error", str(why))
    result.duration_s = round(time.perf_counter() - started, 3)
    # The workers are gone: only now is the results file written, by this process alone.
    engine.fork_server().close()
    _write_results(results, results_json(result, template, visibility, graded_file))
    return result


if __name__ == "__main__":
    graded = run_autograder(Path(sys.argv[1] if len(sys.argv) > 1 else "/autograder"))
    print(f"{graded.exercise}: {graded.score:g} / {graded.max_score:g} ({graded.row_status})")
