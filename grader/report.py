"""How a GradeResult looks in a terminal: a table per task, then what to fix."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from grader.results import GradeResult

MARKS = {"passed": ("✓", "green"), "failed": ("✗", "red"), "error": ("✗", "red"),
         "timeout": ("⏱", "yellow"), "crashed": ("💥", "red"), "forbidden": ("⛔", "magenta")}


def _points(value: float) -> str:
    return f"{value:g}"


def render(result: GradeResult, console: Console) -> None:
    title = f"{result.exercise}  ·  {result.submission}"
    if result.status != "graded":
        console.print(Text(title, style="bold"))
        console.print(Text(f"Not graded ({result.status}): {result.error}", style="red"))
        console.print(held_back_line(result) if result.hidden_max_score
                      else f"Total: 0 / {_points(result.max_score)}")
        return
    table = Table(title=title, title_justify="left", show_edge=False)
    table.add_column("")
    table.add_column("task")
    table.add_column("score", justify="right")
    table.add_column("checks passed", justify="right")
    for task in result.tasks:
        full = task.score == task.max_score
        passed = sum(c.status == "passed" for c in task.checks)
        mark, colour = ("✓", "green") if full else ("✗", "red")
        table.add_row(Text(mark, style=colour), task.name,
                      f"{_points(task.score)} / {_points(task.max_score)}",
                      f"{passed} / {len(task.checks)}")
    console.print(table)
    for task, failing in result.what_to_fix():
        console.print(Text(f"\n{task.name}", style="bold"))
        for c, show in failing:
            mark, colour = MARKS.get(c.status, ("✗", "red"))
            console.print(Text.assemble((f"  {mark} {c.name}", colour), (f"  [{c.status}]", "dim")))
            said = c.feedback.splitlines() if show else ["(the same reason as above)"] * bool(c.feedback)
            for line in said:
                console.print(Text("      " + line), highlight=False)
    if result.error:  # graded, with something to say about the whole submission
        console.print(Text(f"\n{result.error}", style="yellow"))
    if result.printed:
        console.print(Text("\n" + result.printed, style="dim"), highlight=False)
    if result.hidden_max_score:
        console.print(Text(f"\n{held_back_line(result)}", style="bold yellow"))
        return
    colour = "green" if result.score == result.max_score else "yellow"
    console.print(Text(f"\nTotal: {_points(result.score)} / {_points(result.max_score)} "
                       f"({result.percent:.0f}%) in {result.duration_s:.1f} s", style=f"bold {colour}"))


def held_back_line(result: GradeResult) -> str:
    """A public-only run never reads as "all passed": it says what it did not run."""
    return (f"Public checks: {_points(result.score)} / {_points(result.max_score)} points "
            f"in {result.duration_s:.1f} s. Your instructor's grading adds hidden checks worth "
            f"{_points(result.hidden_max_score)} more points; they are not run here.")
