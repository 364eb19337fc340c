"""`grade release`: the student kit, built into a temporary folder, installed into a fresh
virtual environment and used there as a student would; and nothing of the answers in it.

One kit is built and installed per test session (about 5 s) and shared by the tests here.
"""

import ast
import json
import os
import shutil
import site
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from grader import catalog, paths, release, secret

pytestmark = pytest.mark.slow
EXERCISES = catalog.exercise_names()
TEXT_SUFFIXES = {".py", ".md", ".toml", ".txt", ".ipynb", ".cfg", ".json"}

# Grades every file of SUBMISSIONS with the installed kit, in one process, while an audit hook
# notes every file that process opens. Only that process: the processes it forks (fork-server,
# workers) reuse the log's descriptor number for files of their own, and they are walled off.
KIT_GRADING = textwrap.dedent('''
    import json, os, sys
    log, grader = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o666), os.getpid()

    def note(event, args):
        if event == "open" and os.getpid() == grader and isinstance(args[0], (str, bytes)):
            os.write(log, (os.path.abspath(os.fsdecode(args[0])) + "\\n").encode())

    sys.addaudithook(note)
    from pathlib import Path
    from grader import engine, paths
    print(json.dumps({"course_root": str(paths.COURSE_ROOT)}))
    for path in sorted(Path(sys.argv[1]).glob("*/*.py")):
        result = engine.grade(path.stem, path, label=path.parent.name)
        print(json.dumps({"exercise": path.stem, "kind": path.parent.name, "status": result.status,
                          "score": result.score, "max_score": result.max_score,
                          "hidden_max_score": result.hidden_max_score}))

    # The walls in an installed kit: a submission reaching for the kit's checks and data.
    from grader.student import Student
    from grader.submission import Submission
    spy = Student(engine.fork_server(), Submission(SPY, "spy.py", "spy"), engine.sandbox_config(),
                  timeout=5)
    walls = {}
    for path in (paths.CHECKS / "exercise3.py", paths.CHECKS / "expected" / "exercise2.pt"):
        try:
            walls[str(path)] = spy.size(str(path))
        except Exception as problem:
            walls[str(path)] = type(problem).__name__
    print(json.dumps({"walls": walls, "in_namespaces": spy.in_namespaces}))
    spy.close()
''').replace("SPY", repr("def size(path):\n    with open(path, 'rb') as f:\n        return len(f.read())\n"))


def clean_env() -> dict:
    """The environment without anything pointing at the instructor's tree."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}


@pytest.fixture(scope="session")
def kit(tmp_path_factory) -> Path:
    return release.build(tmp_path_factory.mktemp("release"))


@pytest.fixture(scope="session")
def installed(kit, tmp_path_factory) -> Path:
    """A fresh venv with the kit installed from its folder. Its packages (torch, ...) come from
    the test's own environment through a .pth line, so nothing is downloaded; the instructor's
    grader is not importable there (that .pth line processes no editable-install finders)."""
    venv = tmp_path_factory.mktemp("venv") / "kit"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    inner = subprocess.run([str(python), "-c", "import site; print(site.getsitepackages()[0])"],
                           capture_output=True, text=True, check=True).stdout.strip()
    Path(inner, "outer-packages.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    source = tmp_path_factory.mktemp("kit-copy") / "student"  # pip builds in the folder it is given
    shutil.copytree(kit, source)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-index", "--no-build-isolation",
                    str(source)], check=True, env=clean_env(), capture_output=True)
    return venv


@pytest.fixture(scope="session")
def kit_grades(kit, installed, tmp_path_factory):
    """Every reference solution and stub graded by the installed kit; what it opened."""
    folder = tmp_path_factory.mktemp("submissions")
    for kind, source in (("solution", paths.SOLUTIONS), ("stub", paths.EXERCISES)):
        (folder / kind).mkdir()
        for exercise in EXERCISES:
            shutil.copy(source / f"{exercise}.py", folder / kind / f"{exercise}.py")
    script, log = folder / "grade_all.py", folder / "opened.log"
    script.write_text(KIT_GRADING)
    run = subprocess.run([str(installed / "bin" / "python"), "-I", str(script), str(folder), str(log)],
                         cwd=kit, capture_output=True, text=True, env=clean_env(), timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    lines = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    opened = set(log.read_text().splitlines())
    return lines[0]["course_root"], lines[1:-1], opened, folder, lines[-1]


def kit_files(kit: Path) -> list[Path]:
    return [p for p in kit.rglob("*") if p.is_file()]


def test_the_kit_grades_every_solution_fully_and_every_stub_at_0(kit_grades):
    course_root, results, _, _, _ = kit_grades
    assert not Path(course_root, "solutions").exists(), "the kit's grader found the solutions"
    assert len(results) == 2 * len(EXERCISES)
    for r in results:
        entry = catalog.load(r["exercise"])
        assert r["status"] == "graded", r
        assert r["hidden_max_score"] == entry.hidden_points() > 0, r
        assert r["max_score"] == entry.max_score - entry.hidden_points(), r
        assert r["score"] == (r["max_score"] if r["kind"] == "solution" else 0), r


def test_grading_with_the_kit_opens_nothing_outside_the_kit_and_python(kit, installed, kit_grades):
    _, _, opened, submissions, _ = kit_grades
    assert any(p.startswith(str(submissions)) for p in opened), "the audit hook saw nothing"
    allowed = [kit, installed, submissions, *map(Path, site.getsitepackages()), Path(sys.base_prefix),
               Path("/proc"), Path("/dev"), Path("/sys"), Path("/etc"), Path("/usr"),
               # tempfile finds the temporary folder by writing a probe file into it
               Path(tempfile.gettempdir())]
    allowed = [p.resolve() for p in allowed]
    outside = sorted(p for p in opened
                     if not any(Path(p).resolve().is_relative_to(a) for a in allowed))
    assert not outside, outside[:20]
    instructor = [p for p in opened if Path(p).resolve().is_relative_to(paths.COURSE_ROOT)
                  and not any(Path(p).resolve().is_relative_to(Path(s).resolve())
                              for s in site.getsitepackages())]
    assert not instructor, instructor[:20]


def test_a_student_runs_grade_in_the_kit_and_sees_what_was_not_run(kit, installed):
    run = subprocess.run([str(installed / "bin" / "grade"), "exercise3"], cwd=kit,
                         capture_output=True, text=True, env={**clean_env(), "COLUMNS": "200"})
    assert run.returncode == 0, run.stderr
    hidden = catalog.load("exercise3").hidden_points()
    assert (f"Your instructor's grading adds hidden checks worth {hidden:g} more points; they are "
            "not run here.") in run.stdout
    assert "Total:" not in run.stdout and "100%" not in run.stdout


def test_the_kit_holds_stubs_grader_readme_and_pyproject_only(kit):
    assert sorted(p.name for p in kit.iterdir()) == ["README.md", "exercises", "grader",
                                                     "pyproject.toml"]
    assert sorted(p.name for p in (kit / "exercises").iterdir()) == [f"{e}.py" for e in EXERCISES]
    for exercise in EXERCISES:
        assert (kit / "exercises" / f"{exercise}.py").read_text() == \
            (paths.EXERCISES / f"{exercise}.py").read_text()
    names = {part for p in kit_files(kit) for part in p.relative_to(kit).parts}
    assert not names & {"solutions", "tests", "mutants", "hostile", ".git", ".course-secret"}
    assert "pip install ." in (kit / "README.md").read_text()


def _bodies(tree: ast.AST) -> set[str]:
    """Every function and class body, docstring dropped, as a normalised dump."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                body = body[1:]
            if body:
                found.add(ast.dump(ast.Module(body=body, type_ignores=[])))
    return found


def test_no_body_of_a_reference_solution_is_in_the_kit(kit):
    answers = set()
    for exercise in EXERCISES:
        answers |= _bodies(ast.parse((paths.SOLUTIONS / f"{exercise}.py").read_text()))
    stubs = set()
    for exercise in EXERCISES:  # what the stubs say (raise NotImplementedError) is no answer
        stubs |= _bodies(ast.parse((paths.EXERCISES / f"{exercise}.py").read_text()))
    for path in kit_files(kit):
        if path.suffix == ".py":
            leaked = (_bodies(ast.parse(path.read_text())) & answers) - stubs
            assert not leaked, f"{path} holds a body of a reference solution: {sorted(leaked)[:1]}"


def test_no_hidden_check_name_docstring_or_secret_is_in_the_kit(kit):
    contents = [path.read_bytes() for path in kit_files(kit)]
    needles = [secret.course_secret().hex().encode()]
    for entry in catalog.all_exercises():
        module = sys.modules[entry.module_name]
        for c in entry.checks:
            if c.info.hidden:
                doc = getattr(module, c.function_name).__doc__
                needles += [c.function_name.encode(), c.name.encode(), doc.encode()]
    assert len(needles) > 40
    for needle in needles:
        holders = [path for path, text in zip(kit_files(kit), contents) if needle in text]
        assert not holders, f"{needle[:80]!r} is in {holders}"


def test_kit_check_modules_hold_the_public_checks_and_the_points_held_back(kit):
    for entry in catalog.all_exercises():
        tree = ast.parse((kit / "grader" / "checks" / f"{entry.exercise.name}.py").read_text())
        functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        public = {c.function_name for c in entry.checks if not c.info.hidden}
        assert public <= functions
        assert not {c.function_name for c in entry.checks if c.info.hidden} & functions
        held = next(n for n in tree.body if isinstance(n, ast.Assign)
                    and getattr(n.targets[0], "id", "") == "HIDDEN_POINTS")
        assert sum(ast.literal_eval(held.value).values()) == entry.hidden_points()


def test_a_release_never_overwrites_an_earlier_one(kit):
    with pytest.raises(release.ReleaseError, match="already exists"):
        release.build(kit.parent)


def test_stripping_drops_hidden_checks_their_helpers_and_comments():
    source = textwrap.dedent('''
        """Checks."""
        from grader.check import Exercise, check
        EXERCISE = Exercise("x", "X", [])
        LIMIT = 3  # a public value
        SECRET_TABLE = {"answer": 42}

        # Only the hidden check needs this.
        def only_hidden_helper():
            return SECRET_TABLE

        def shared_helper():
            return LIMIT

        @check("t")
        def test_public(student):
            "A public check."
            assert shared_helper()

        @check("t", hidden=True)
        def test_hidden(student):
            "A hidden check's docstring."
            assert only_hidden_helper() and shared_helper()
    ''')
    kit_source = release.strip_hidden(source, {"test_hidden"}, {"t": 1.0})
    assert "test_public" in kit_source and "shared_helper" in kit_source
    assert "LIMIT = 3  # a public value" in kit_source  # what stays reads as it was written
    for gone in ("test_hidden", "hidden check's docstring", "only_hidden_helper", "SECRET_TABLE",
                 "42", "Only the hidden check"):
        assert gone not in kit_source
    namespace = {}
    exec(compile(kit_source, "kit", "exec"), namespace)
    assert namespace["HIDDEN_POINTS"] == {"t": 1.0}


def test_the_walls_hold_in_an_installed_kit(kit_grades):
    *_, spied = kit_grades
    if not spied["in_namespaces"]:
        pytest.skip("namespaces are unavailable on this machine; the weaker guard is in use")
    for path, seen in spied["walls"].items():
        assert Path(path).is_file(), path  # it is there, and the cover is what hides it
        assert seen == "StudentRaised", f"a submission in the kit read {path}"


def test_grade_check_in_the_kit_says_plainly_it_needs_the_course(kit, installed):
    run = subprocess.run([str(installed / "bin" / "grade"), "check"], cwd=kit,
                         capture_output=True, text=True, env=clean_env())
    assert run.returncode == 2 and "needs the course's solutions/ folder" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr


def test_a_kit_cannot_make_a_kit(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "SOLUTIONS", tmp_path / "no-solutions")
    with pytest.raises(release.ReleaseError, match="needs the instructor's course tree"):
        release.build(tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_kit_depends_on_what_the_course_does_less_nbgrader_on_any_python(monkeypatch):
    from_pyproject = release._course_project()
    monkeypatch.setitem(sys.modules, "tomllib", None)  # Python 3.10 has no tomllib
    without_tomllib = release._course_project()
    for field in ("dependencies", "version", "requires-python"):
        assert without_tomllib[field] == from_pyproject[field]
    kit_pyproject = release._pyproject()
    assert "nbgrader" not in kit_pyproject and '"torch>=' in kit_pyproject
