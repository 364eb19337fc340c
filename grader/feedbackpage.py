"""One student's feedback as a page, ``OUT/feedback/<student>.html``: readable on its own.

It says what ``feedback/<student>.md`` says (scores per task, then what to fix,
each feedback sentence once per task), for an instructor who clicks through
from the class report or a student who is sent the file.
"""

from __future__ import annotations

from grader.htmlpage import esc, page, points
from grader.results import GradeResult

MARKS = {"passed": "✓", "failed": "✗", "error": "✗", "timeout": "⏱", "crashed": "✗",
         "forbidden": "⛔"}


def _scores(result: GradeResult) -> str:
    rows = []
    for task in result.tasks:
        passed = sum(c.status == "passed" for c in task.checks)
        full = task.score == task.max_score
        mark = '<span class="good">✓</span>' if full else '<span class="bad">✗</span>'
        rows.append(f"<tr><td>{mark} {esc(task.name)}</td>"
                    f'<td class="num">{points(task.score)} / {points(task.max_score)}</td>'
                    f'<td class="num">{passed} / {len(task.checks)}</td></tr>')
    return ('<table><thead><tr><th>task</th><th class="num">score</th>'
            '<th class="num">checks passed</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>")


def _fixes(result: GradeResult) -> str:
    fixes = result.what_to_fix()
    if not fixes:
        return '<p class="good">Every check passed.</p>'
    parts = ["<h2>What to fix</h2>"]
    for task, failing in fixes:
        parts.append(f"<h3>{esc(task.name)}</h3><ul>")
        for check, show in failing:
            mark = MARKS.get(check.status, "✗")
            parts.append(f"<li>{mark} <b>{esc(check.name)}</b>: {esc(check.status)}")
            if show:
                parts.append(f"<pre>{esc(check.feedback)}</pre>")
            parts.append("</li>")
        parts.append("</ul>")
    return "".join(parts)


def feedback_html(result: GradeResult, back: str | None = "../report.html") -> str:
    """The student's page; ``back`` links to the class report beside the feedback folder."""
    percent = f" ({result.percent:.0f}%)" if result.max_score else ""
    body = [f"<h1>{esc(result.exercise)}: feedback for {esc(result.submission)}</h1>",
            f"<p><b>Score: {points(result.score)} / {points(result.max_score)}{percent}</b></p>"]
    if back:
        body.append(f'<p class="noprint"><a href="{esc(back)}">the class report</a></p>')
    if result.status != "graded":
        body.append(f"<p>Not graded ({esc(result.status)}). What went wrong:</p>"
                    f"<pre>{esc(result.error or 'no reason recorded')}</pre>")
    else:
        if result.error:
            body.append(f"<pre>{esc(result.error)}</pre>")
        body += [_scores(result), _fixes(result)]
    return page(f"{result.exercise}: {result.submission}", "\n".join(body))
