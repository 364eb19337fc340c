"""What a running batch tells the person who started it: a progress bar on a terminal,
one quiet line per student when piped, and a summary at the end."""

from __future__ import annotations

import sys
import time

from grader import classstats, gradebook, journal
from grader.results import BatchSummary, GradeResult


class Display:
    """What the batch tells a person while it runs; this one says nothing."""

    def start(self, total: int, kept: int, jobs: int) -> None: ...
    def result(self, result: GradeResult) -> None: ...
    def note(self, message: str) -> None: ...
    def tick(self, running: tuple[tuple[str, float], ...] = ()) -> None: ...
    def finish(self, summary: BatchSummary) -> None: ...
    def interrupted(self, done: int, total: int) -> None: ...


def summary_lines(summary: BatchSummary) -> list[str]:
    each = f" ({summary.elapsed_s / summary.graded_now:.2f} s each)" if summary.graded_now else ""
    lines = [(f"{summary.exercise}: {len(summary.results)} submissions; this run took "
              f"{summary.graded_now} in {summary.elapsed_s:.1f} s with {summary.jobs} "
              f"jobs{each}; {summary.kept} kept from an earlier run")]
    lines.append("  " + " · ".join(f"{status} {n}" for status, n in sorted(
        summary.statuses.items(), key=lambda item: (item[0] != "graded", item[0]))))
    graded = [r for r in summary.results if r.row_status == "graded"]
    if graded:
        mean = sum(r.score for r in graded) / len(graded)
        lines.append(f"  mean score of graded submissions: {mean:.1f} / {graded[0].max_score:g}")
    common = classstats.mistakes(summary.results)[:3]
    if common:
        lines.append("  most common mistakes: " + "; ".join(
            f"{m.check} ({m.count} students)" for m in common))
    flagged = [r.submission for r in summary.results if r.flags]
    if flagged:
        lines.append(f"  flagged for the instructor ({len(flagged)}): "
                     f"{', '.join(gradebook.clean(s) for s in flagged[:10])}"
                     + (" ..." if len(flagged) > 10 else ""))
    else:
        lines.append("  flagged for the instructor: 0")
    lines.append(f"  in groups of near-identical submissions: {summary.similar}")
    out = summary.out
    if summary.report:
        lines.append(f"  class report: {summary.report}")
    lines.append(f"  wrote {out / gradebook.GRADES}, {out / journal.RESULTS}, "
                 f"{out / gradebook.FEEDBACK}/, {out / gradebook.GRADESCOPE}/, "
                 f"{out / gradebook.JUNIT}")
    if summary.ignored:
        lines.append(f"  ignored (not submissions): {', '.join(summary.ignored)}")
    if summary.not_on_roster:
        lines.append(f"  not on the roster ({len(summary.not_on_roster)}): "
                     f"{', '.join(gradebook.clean(s) for s in summary.not_on_roster)}")
    return lines


def _one_line(result: GradeResult) -> str:
    return (f"{gradebook.clean(result.submission)} {result.row_status} {result.score:g}/"
            f"{result.max_score:g} ({result.duration_s:.1f} s)")


class LineDisplay(Display):
    """One quiet line per submission: for logs, pipes and CI."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def _say(self, text: str, stream=None) -> None:
        print(text, file=stream or self.stream, flush=True)

    def start(self, total: int, kept: int, jobs: int) -> None:
        self.total, self.done = total, kept
        kept_text = f"; {kept} kept from an earlier run" if kept else ""
        self._say(f"grading {total - kept} of {total} submissions with {jobs} jobs{kept_text}")

    def result(self, result: GradeResult) -> None:
        self.done += 1
        self._say(f"[{self.done:>{len(str(self.total))}}/{self.total}] {_one_line(result)}")

    def note(self, message: str) -> None:
        self._say(f"grade: {message}", sys.stderr)

    def finish(self, summary: BatchSummary) -> None:
        for line in summary_lines(summary):
            self._say(line)

    def interrupted(self, done: int, total: int) -> None:
        self._say(f"interrupted: {done} of {total} submissions are graded and saved; run the "
                  "same command again to grade the rest.", sys.stderr)


class BarDisplay(Display):
    """A progress bar on a terminal: done, left, not graded, rate, time."""

    def __init__(self, console=None):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.console = console or Console()
        # No refresh thread: the batch forks replacement grading processes while it runs,
        # and forking a process with a second thread risks a lock held forever in the child.
        self.progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[left]} left"),
            TextColumn("[red]{task.fields[problems]} not graded"),
            TextColumn("{task.fields[rate]}/min"), TimeElapsedColumn(), TimeRemainingColumn(),
            TextColumn("[yellow]{task.fields[slow]}"), console=self.console, auto_refresh=False)

    def start(self, total: int, kept: int, jobs: int) -> None:
        self.total, self.done, self.problems, self.now = total, kept, 0, 0
        self.started = time.monotonic()
        self.progress.start()
        self.task = self.progress.add_task(f"grading ({jobs} jobs)", total=total, completed=kept,
                                           left=total - kept, problems=0, rate="-", slow="")
        if kept:
            self.console.print(f"{kept} submissions kept from an earlier run")
        self.progress.refresh()

    def result(self, result: GradeResult) -> None:
        from rich.text import Text

        self.done += 1
        self.now += 1
        if result.row_status != "graded":
            self.problems += 1
            self.console.print(Text(_one_line(result), style="yellow"))
        self.tick(advance=1)

    def tick(self, advance: int = 0, running: tuple[tuple[str, float], ...] | None = None) -> None:
        elapsed = max(1e-6, time.monotonic() - self.started)
        fields = {"left": self.total - self.done, "problems": self.problems,
                  "rate": f"{60 * self.now / elapsed:.0f}"}
        if running is not None:  # a moment's news: who is taking long, if anyone
            fields["slow"] = slowest(running)
        self.progress.update(self.task, advance=advance, **fields)
        self.progress.refresh()

    def note(self, message: str) -> None:
        from rich.text import Text

        self.console.print(Text(f"note: {message}", style="yellow"))

    def finish(self, summary: BatchSummary) -> None:
        self.progress.stop()
        for line in summary_lines(summary):
            self.console.print(line, highlight=False, markup=False)

    def interrupted(self, done: int, total: int) -> None:
        self.progress.stop()
        self.console.print(f"interrupted: {done} of {total} submissions are graded and saved; "
                           "run the same command again to grade the rest.", markup=False)


# A submission graded for longer than this is named on the bar: the time left that the bar
# estimates is waiting on it (one hung student once took 70 of a batch's 73 s).
SLOW_S = 10.0


def slowest(running: tuple[tuple[str, float], ...]) -> str:
    """"still grading alice (35 s)" for the submission running longest, if it runs long."""
    long = [(seconds, student) for student, seconds in running if seconds >= SLOW_S]
    if not long:
        return ""
    seconds, student = max(long)
    others = f" and {len(long) - 1} more" if len(long) > 1 else ""
    return f"still grading {student} ({seconds:.0f} s){others}"


def display_for(stream) -> Display:
    """A progress bar on a terminal, quiet lines when piped."""
    return BarDisplay() if stream.isatty() else LineDisplay(stream)
