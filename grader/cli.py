"""The ``grade`` command. It only parses options and prints; grading lives in grader.engine."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import click


class Problem(click.ClickException):
    """A GraderError as Click shows it: ``grade: <its sentence>``, with its exit code."""

    def __init__(self, problem: Exception):
        super().__init__(str(problem))
        self.exit_code = getattr(problem, "exit_code", 2)

    def show(self, file=None) -> None:
        click.echo(f"grade: {self.message}", err=True)


class ExerciseFirstGroup(click.Group):
    """``grade exercise3`` grades an exercise; ``grade list|check|batch|report`` are subcommands."""

    def invoke(self, ctx):
        from grader.errors import GraderError

        try:
            return super().invoke(ctx)
        except GraderError as problem:  # the one place a grader error becomes output
            raise Problem(problem) from None

    def resolve_command(self, ctx, args):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["exercise", *args]
        return super().resolve_command(ctx, args)

    def format_usage(self, ctx, formatter):
        formatter.write_usage("grade", "EXERCISE [OPTIONS]")
        formatter.write_usage("grade", "COMMAND [ARGS]...", prefix="   or: ")

    def format_options(self, ctx, formatter):
        """Grading an exercise first: it is what most people came for."""
        command = self.commands["exercise"]
        records = [p.get_help_record(ctx) for p in command.get_params(ctx)
                   if isinstance(p, click.Option)]
        with formatter.section("Options of grade EXERCISE"):
            formatter.write_dl([r for r in records if r])
        self.format_commands(ctx, formatter)


def fail(message: str, code: int = 2) -> None:
    click.echo(f"grade: {message}", err=True)
    sys.exit(code)


@click.group(cls=ExerciseFirstGroup, invoke_without_command=False,
             help="Grade PyTorch course exercises. Run `grade exercise3` in your course folder "
                  "to grade exercises/exercise3.py; `grade list` shows every exercise.")
def cli():
    logging.basicConfig(format="grade: %(message)s", level=logging.WARNING, stream=sys.stderr)


@cli.command("exercise", hidden=True)
@click.argument("exercise")
@click.option("--submission", type=click.Path(path_type=Path),
              help="Grade this file instead of exercises/EXERCISE.py.")
@click.option("--task", help="Grade only this task.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON result document only.")
@click.option("--fail-under", type=click.FloatRange(0, 100),
              help="Exit with status 1 if the score is below this percentage.")
@click.option("--watch", is_flag=True, help="Regrade every time the file is saved; Ctrl-C stops.")
@click.option("--public", is_flag=True, help="Run the public checks only, as the student kit does.")
def grade_exercise(exercise, submission, task, as_json, fail_under, watch, public):
    from grader import engine

    if watch and public:
        fail("--public cannot be combined with --watch; a student kit's --watch runs the public "
             "checks only by itself.")
    if watch:
        return watch_exercise(exercise, submission, task, as_json, fail_under)
    result = engine.grade(exercise, submission, task=task, public=public)
    if as_json:
        click.echo(result.to_json(indent=2))
    else:
        from rich.console import Console

        from grader.report import render

        render(result, Console())
    if fail_under is not None and result.percent < fail_under:
        fail(f"the score is {result.percent:.0f}% ({result.score:g} / {result.max_score:g}), "
             f"below the {fail_under:g}% --fail-under asks for.", 1)


def watch_exercise(exercise, submission, task, as_json, fail_under):
    from grader import watch
    from grader.submission import default_submission

    if fail_under is not None:
        fail("--fail-under cannot be combined with --watch: a watch has no final score.")
    path = Path(submission) if submission else default_submission(exercise)
    watch.watch(exercise, submission, task=task,
                show=watch.show_json if as_json else watch.TerminalView(path))
    click.echo(f"Stopped watching {path}.", err=True)


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def list_exercises(as_json):
    """Show every exercise, its tasks and their points."""
    from grader import catalog

    listing = [
        {"exercise": e.exercise.name, "title": e.exercise.title,
         "tasks": [{"name": t.name, "max_score": e.points(t.name),
                    "hidden_max_score": e.hidden_points(t.name),
                    "checks": [{"name": c.name, "max_score": c.info.points,
                                "visibility": c.info.visibility}
                               for c in e.checks if c.info.task == t.name]}
                   for t in e.exercise.tasks]}
        for e in catalog.all_exercises()
    ]
    if as_json:
        click.echo(json.dumps(listing, indent=2))
        return
    for item in listing:
        total = sum(t["max_score"] for t in item["tasks"])
        click.echo(f"{item['exercise']}  {item['title']}  ({total:g} points)")
        for t in item["tasks"]:
            hidden = f"  ({t['hidden_max_score']:g} in hidden checks)" if t["hidden_max_score"] else ""
            click.echo(f"    {t['name']:<28} {t['max_score']:g}{hidden}")


@cli.command("check")
@click.option("--exercise", "exercises", multiple=True, help="Check only these exercises.")
def self_check(exercises):
    """Prove the checks: solutions full, stubs 0, every mutant caught, scores stable."""
    from grader import selfcheck

    findings = selfcheck.run(list(exercises) or None)
    for f in findings:
        mark = click.style("✓", fg="green") if f.ok else click.style("✗", fg="red")
        click.echo(f"{mark} {f.exercise}: {f.subject}" + ("" if f.ok else f"  -- {f.detail}"))
    bad = sum(not f.ok for f in findings)
    click.echo(f"{len(findings) - bad} passed, {bad} failed")
    sys.exit(1 if bad else 0)


@cli.command("batch")
@click.argument("folder", type=click.Path(exists=True, path_type=Path))
@click.option("--exercise", required=True, help="The exercise every submission is graded as.")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for grades.csv, results.jsonl, feedback/, gradescope/, junit.xml.")
@click.option("--jobs", type=click.IntRange(min=1), help="Submissions graded at once "
              "[default: the number of CPU cores].")
@click.option("--timeout", type=click.FloatRange(min=1), help="Seconds one submission may take "
              "in all [default: every check running into its own timeout].")
@click.option("--force", is_flag=True, help="Regrade everything, forgetting earlier runs (and "
              "replace another exercise's gradebook in OUT).")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A CSV of the class (an id column; name, email optional): every student on "
                   "it gets a row.")
@click.option("--scheduler", metavar="ADDRESS", help="Grade on the Dask cluster whose scheduler "
              "is at ADDRESS (tcp://host:8786), or on local:N Dask worker processes; --jobs is "
              "then the cluster's. Needs the [cluster] extra.")
def grade_batch(folder, exercise, out, jobs, timeout, force, roster, scheduler):
    """Grade a class: FOLDER (or a zip) holds one sub-folder or file per student.

    Re-running the same command after an interruption keeps what was graded
    and grades the rest.
    """
    from grader import batch
    from grader.progress import display_for

    batch.grade_batch(folder, exercise, out, jobs=jobs, timeout=timeout, force=force,
                      display=display_for(sys.stdout), roster=roster, scheduler=scheduler)


@cli.command("gradescope")
@click.argument("exercise")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The autograder zip to write, e.g. autograder.zip.")
@click.option("--hidden-visibility", default="after_published", show_default=True,
              type=click.Choice(["after_published", "after_due_date", "hidden", "visible"]),
              help="When Gradescope shows students the hidden checks' results.")
def gradescope_bundle(exercise, out, hidden_visibility):
    """Build a Gradescope autograder bundle for EXERCISE (upload the zip as is)."""
    from grader import gradescope

    gradescope.build_bundle(exercise, out, hidden_visibility)
    click.echo(f"wrote {out}: upload it as the assignment's autograder (Ubuntu base image)")


@cli.group("nbgrader")
def nbgrader_commands():
    """An nbgrader course from the exercises, and a batch's scores in its gradebook."""


@nbgrader_commands.command("export")
@click.argument("course", type=click.Path(file_okay=False, path_type=Path))
@click.option("--exercise", "exercises", multiple=True, help="Only these exercises [default: all].")
def nbgrader_export(course, exercises):
    """Write COURSE/nbgrader_config.py and COURSE/source/<exercise>/<exercise>.ipynb."""
    from grader import catalog, nbgrader_course

    for name in exercises:
        catalog.load(name)  # an unknown exercise is refused in one sentence
    for path in nbgrader_course.export_course(course, list(exercises) or None):
        click.echo(f"wrote {path}")


@nbgrader_commands.command("import")
@click.argument("out", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("course", type=click.Path(path_type=Path))
def nbgrader_import(out, course):
    """Write the task scores of grade batch's OUT into COURSE/gradebook.db."""
    from grader import nbgrader_course

    count = nbgrader_course.import_scores(out, course)
    click.echo(f"wrote {count} students' scores into {course / 'gradebook.db'}")


@cli.command("report")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
def class_report(out):
    """Rebuild OUT/report.html, the class report, from what `grade batch --out OUT` left there."""
    from grader import classreport

    report = classreport.rebuild(out)
    click.echo(f"wrote {report.path} ({report.similar} students in groups of near-identical "
               "submissions)")


@cli.command("release")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
def release_kit(out):
    """Write OUT/student/, the kit students receive: stubs and public checks, no answers."""
    from grader import release

    kit = release.build(out)
    click.echo(f"Wrote the student kit to {kit}; hand out that folder (see the README).")


def main() -> None:
    code = _run()
    # Python's own shutdown after importing torch takes 0.3 s (it tears down every module).
    # Everything worth keeping is written by now; the fork-server and workers die with us.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    logging.shutdown()
    os._exit(code)


def _run() -> int:
    """The command's exit code, with every way out turned into one."""
    try:
        code = cli.main(standalone_mode=False)  # so Ctrl-C reaches us instead of "Aborted!"
    except SystemExit as done:  # fail(), --help
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("grade: interrupted.", err=True)
        return 130
    except click.ClickException as usage:
        usage.show()
        return usage.exit_code
    except Exception as exc:  # a bug of ours: one sentence unless asked for the traceback
        if os.environ.get("GRADER_DEBUG"):
            raise
        click.echo(f"grade: internal error: {type(exc).__name__}: {exc} (set GRADER_DEBUG=1 "
                   "for details)", err=True)
        return 3
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    main()
