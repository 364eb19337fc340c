"""``grade check``: proof that every exercise's checks tell right from wrong.

For every exercise: the reference solution earns full marks, the stub imports
and earns 0, every mutant (tests/mutants/<exercise>/*.py) loses points in the
task it breaks and in no other (one mistake costs points in one place: a task
built on a broken one keeps its points, error carried forward), grading
twice gives equal scores, and where an exercise has hidden checks, some
mutant passes every public check and fails a hidden one (what hidden checks
are for).

A mutant file holds only what it changes; it is appended to the reference
solution, so its definitions replace the reference's. Its first line names
the task(s) it breaks: ``# breaks: softmax`` (comma-separated for several).

A variant (tests/variants/<exercise>/*.py) is built the same way from another
correct way of writing a task (``# variant: softmax``): it must earn full marks,
so tolerances and hints follow what is right, not what the reference happens
to compute.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader import catalog, engine, paths
from grader.errors import GraderError
from grader.results import GradeResult


@dataclass
class Finding:
    exercise: str
    subject: str
    ok: bool
    detail: str


def mutant_breaks(path: Path, header: str = "# breaks:") -> list[str]:
    first = path.read_text().splitlines()[0] if path.read_text() else ""
    if not first.startswith(header):
        raise ValueError(f"{path} must start with a '{header} TASK' line")
    return [t.strip() for t in first.removeprefix(header).split(",") if t.strip()]


def mutant_source(exercise: str, mutant: Path) -> str:
    reference = (paths.SOLUTIONS / f"{exercise}.py").read_text()
    return reference + "\n\n# ---- mutant: " + mutant.name + " ----\n" + mutant.read_text()


def grade_source(exercise: str, source: str, name: str) -> GradeResult:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{exercise}.py"
        path.write_text(source)
        return engine.grade(exercise, path, label=name)


def task_scores(result: GradeResult) -> dict[str, float]:
    return {t.name: t.score for t in result.tasks}


def check_exercise(exercise: str, mutants: bool = True) -> list[Finding]:
    entry = catalog.load(exercise)
    findings = []
    full = engine.grade(exercise, paths.SOLUTIONS / f"{exercise}.py", label="solution")
    lost = [f"{c.name} ({c.status}: {c.feedback.splitlines()[0] if c.feedback else ''})"
            for t in full.tasks for c in t.checks if c.status != "passed"]
    findings.append(Finding(exercise, "solution earns full marks",
                            full.status == "graded" and full.score == entry.max_score,
                            f"{full.score:g} / {entry.max_score:g}" + (f"; lost: {lost}" if lost else "")))
    again = engine.grade(exercise, paths.SOLUTIONS / f"{exercise}.py", label="solution")
    findings.append(Finding(exercise, "grading twice gives equal scores",
                            task_scores(again) == task_scores(full),
                            f"{task_scores(full)} vs {task_scores(again)}"))
    stub = engine.grade(exercise, paths.EXERCISES / f"{exercise}.py", label="stub")
    findings.append(Finding(exercise, "stub imports and earns 0",
                            stub.status == "graded" and stub.score == 0,
                            f"{stub.status}, {stub.score:g} / {stub.max_score:g}"))
    graded = [full, again, stub]
    for variant in sorted((paths.VARIANTS / exercise).glob("*.py")):
        tasks = mutant_breaks(variant, "# variant:")
        result = grade_source(exercise, mutant_source(exercise, variant), variant.stem)
        graded.append(result)
        lost = [f"{c.name}: {c.feedback.splitlines()[0] if c.feedback else c.status}"
                for t in result.tasks for c in t.checks if c.status != "passed"]
        findings.append(Finding(exercise, f"variant {variant.stem} of {', '.join(tasks)} earns "
                                "full marks", result.status == "graded" and not lost,
                                f"{result.status}, {result.score:g} / {result.max_score:g}"
                                + (f"; lost: {lost}" if lost else "")))
    if mutants:
        findings += _mutant_findings(entry, full, graded)
    # The integrity monitor must never suspect honest work, or its flags mean nothing.
    flagged = {r.submission: [f"{f.kind}: {f.detail}" for f in r.flags] for r in graded if r.flags}
    findings.append(Finding(exercise, "honest work (solution, variants, stub, mutants) raises "
                            "no flags", not flagged, str(flagged) if flagged else ""))
    return findings


def _mutant_findings(entry: catalog.ExerciseEntry, full: GradeResult,
                     graded: list[GradeResult]) -> list[Finding]:
    exercise, findings = entry.exercise.name, []
    solution_scores = task_scores(full)
    only_hidden_catch = []
    for mutant in sorted((paths.MUTANTS / exercise).glob("*.py")):
        broken = mutant_breaks(mutant)
        result = grade_source(exercise, mutant_source(exercise, mutant), mutant.stem)
        graded.append(result)
        scores = task_scores(result)
        missed = [t for t in broken if scores.get(t, 0) >= solution_scores.get(t, 0)]
        spilled = [t for t in scores if t not in broken and scores[t] < solution_scores.get(t, 0)]
        findings.append(Finding(exercise, f"mutant {mutant.stem} loses points in {', '.join(broken)}"
                                " only", result.status == "graded" and not missed and not spilled,
                                f"{result.status}; scores {scores}"
                                + (f"; also lost points in {', '.join(spilled)}" if spilled else "")))
        if passes_public_fails_hidden(result):
            only_hidden_catch.append(mutant.stem)
    if entry.hidden_points():
        caught = f": {', '.join(only_hidden_catch)}" if only_hidden_catch else ""
        findings.append(Finding(exercise, "a mutant passes every public check and fails a hidden one"
                                + caught, bool(only_hidden_catch),
                                "every mutant that loses points already fails a public check"))
    return findings


def passes_public_fails_hidden(result: GradeResult) -> bool:
    """What hidden checks are for: a mistake tuning to the public checks would not show."""
    checks = [c for _, c in result.checks()]
    return (result.status == "graded"
            and all(c.status == "passed" for c in checks if c.visibility == "public")
            and any(c.status != "passed" for c in checks if c.visibility == "hidden"))


class NoSolutions(GraderError):
    """``grade check`` needs the instructor's tree; a student kit has no solutions."""


def run(exercises: list[str] | None = None, mutants: bool = True) -> list[Finding]:
    if not paths.SOLUTIONS.is_dir():
        raise NoSolutions("grade check needs the course's solutions/ folder, which a student "
                          "kit does not have.")
    findings = []
    for exercise in exercises or catalog.exercise_names():
        # One pytest session for the exercise's many grades.
        engine.serve(exercise, lambda e=exercise: findings.extend(check_exercise(e, mutants)))
    return findings
