"""How a GradeResult looks in a notebook: a table of tasks, what to fix folded under each.

Everything the submission could influence (check feedback quotes what its code
returned, an import error quotes its traceback, the submission's own label)
is escaped: a report must never become markup or script the student did not
see coming. Only this module writes HTML.
"""

from __future__ import annotations

from html import escape

from grader.results import CheckResult, GradeResult, TaskResult

MARKS = {"passed": "✓", "failed": "✗", "error": "✗", "timeout": "⏱", "crashed": "💥",
         "forbidden": "⛔"}
STYLE = ("<style>.grader-report td,.grader-report th{padding:2px 10px;text-align:left}"
         ".grader-report pre{white-space:pre-wrap;margin:2px 0 6px 1.5em}</style>")


def _points(value: float) -> str:
    return f"{value:g}"


def _task_row(task: TaskResult) -> str:
    passed = sum(c.status == "passed" for c in task.checks)
    mark = "✓" if task.score == task.max_score else "✗"
    return (f"<tr><td>{mark}</td><td>{escape(task.name)}</td>"
            f"<td>{_points(task.score)} / {_points(task.max_score)}</td>"
            f"<td>{passed} / {len(task.checks)} checks passed</td></tr>")


def _task_details(task: TaskResult, fixes: list[tuple[CheckResult, bool]]) -> str:
    """The failed checks of one task, folded: the summary says how many, the body why (each
    sentence once, as GradeResult.what_to_fix decides)."""
    failures = [(c, show) for c, show in fixes if c.status != "passed"]
    if not failures:
        return ""
    items = []
    for c, show in failures:
        item = f"<li>{MARKS.get(c.status, '✗')} {escape(c.name)} <em>[{escape(c.status)}]</em>"
        if show:
            item += f"<pre>{escape(c.feedback)}</pre>"
        items.append(item + "</li>")
    return (f"<details><summary><b>{escape(task.name)}</b>: {len(failures)} of "
            f"{len(task.checks)} checks to fix</summary><ul>{''.join(items)}</ul></details>")


def to_html(result: GradeResult) -> str:
    title = f"<b>{escape(result.exercise)}</b> · {escape(result.submission)}"
    total = f"{_points(result.score)} / {_points(result.max_score)}"
    if result.status != "graded":
        return (f'<div class="grader-report">{STYLE}<p>{title}</p>'
                f"<p>Not graded ({escape(result.status)}): 0 / {_points(result.max_score)}</p>"
                f"<pre>{escape(result.error or '')}</pre></div>")
    rows = "".join(_task_row(t) for t in result.tasks)
    details = "".join(_task_details(t, fixes) for t, fixes in result.what_to_fix())
    held_back = ""
    if result.hidden_max_score:
        held_back = (f"<p>{_points(result.hidden_max_score)} more points come from hidden checks "
                     "that were not run here.</p>")
    return (f'<div class="grader-report">{STYLE}<p>{title}</p>'
            f"<table><tr><th></th><th>task</th><th>score</th><th>checks</th></tr>{rows}</table>"
            f"{details}<p><b>Total: {total}</b> ({result.percent:.0f}%) in "
            f"{result.duration_s:.1f} s</p>{held_back}</div>")


def to_text(result: GradeResult) -> str:
    """The plain-text stand-in a front end without HTML shows."""
    lines = [f"{result.exercise}: {_points(result.score)} / {_points(result.max_score)}"]
    if result.status != "graded":
        lines.append(f"Not graded ({result.status}): {result.error}")
    lines += [f"  {t.name}: {_points(t.score)} / {_points(t.max_score)}" for t in result.tasks]
    return "\n".join(lines)
