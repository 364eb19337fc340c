"""The class report, ``OUT/report.html``: what the class got wrong, as one page.

Every batch writes it at the end; ``grade report OUT`` rebuilds it from what the
batch left in OUT: ``results.jsonl`` (the scores, checks and flags) and
``sources/<student>.py`` (the code each student was graded on, notebooks as the
module their cells make), which similarity needs. Each part answers one
question: how did the class do (at a glance), which tasks went badly (per
task), which mistakes were common and who made them, who to look at for
integrity (flags, near-identical code), and every student's row, linked to
their own page ``feedback/<student>.html``.

The page is one file that opens from disk: no script, style, font or image is
loaded from anywhere (grader.htmlpage); everything a student wrote is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader import classstats, paths, similarity
from grader.errors import ReportError, SubmissionError
from grader.feedbackpage import feedback_html
from grader.gradebook import FEEDBACK, task_names, unique_file_names
from grader.htmlpage import bar_pairs, column_chart, esc, href, page, points
from grader.journal import RESULTS, atomic_write, read_lines, student_order
from grader.results import GradeResult
from grader.submission import read_submission

REPORT = "report.html"
SOURCES = "sources"
SHOWN_LINES = 600  # of each file in a side-by-side view: past that, the file is the place


@dataclass
class ClassReport:
    """What was written, for the terminal summary."""

    path: Path
    groups: list[similarity.Group] = field(default_factory=list)

    @property
    def similar(self) -> int:
        """How many students are in a group of near-identical submissions."""
        return sum(len(g.students) for g in self.groups)


# -- what the report is made from ---------------------------------------------------------

def read_sources(files: dict[str, Path], exercise: str) -> dict[str, str]:
    """Each student's graded code (a notebook's as its module); unreadable files are left out."""
    sources = {}
    for student, path in files.items():
        try:
            sources[student] = read_submission(path, exercise).source
        except SubmissionError:
            continue
    return sources


def save_sources(out: Path, names: dict[str, str], sources: dict[str, str]) -> None:
    """``OUT/sources/<student>.py`` for every student with code, and no file for any other."""
    folder = out / SOURCES
    keep = {f"{names[s]}.py" for s in sources}
    for old in folder.glob("*.py") if folder.is_dir() else ():
        if old.name not in keep:
            old.unlink()
    for student, source in sources.items():
        path = folder / f"{names[student]}.py"
        _write(path, source)


def load_sources(out: Path, names: dict[str, str]) -> dict[str, str]:
    sources = {}
    for student, name in names.items():
        path = out / SOURCES / f"{name}.py"
        if path.is_file():
            sources[student] = path.read_text(encoding="utf-8", errors="replace")
    return sources


def load_results(out: Path) -> list[GradeResult]:
    """The batch's results from ``OUT/results.jsonl``; raises ReportError if there are none."""
    if not (Path(out) / RESULTS).is_file():
        raise ReportError(f"{out} has no {RESULTS}; run `grade batch` with --out {out} first.")
    results = []
    for document in read_lines(Path(out) / RESULTS):
        try:
            results.append(GradeResult.from_dict(document))
        except (KeyError, TypeError, ValueError):
            continue  # a line from another version of the grader
    if not results:
        raise ReportError(f"{out / RESULTS} holds no result; run `grade batch` again.")
    latest = {r.submission: r for r in results}  # the journal's rule: the last line wins
    return sorted(latest.values(), key=lambda r: student_order(r.submission))


def _write(path: Path, text: str) -> None:
    try:
        if path.read_text(encoding="utf-8") == text:
            return  # a rebuilt report rewrites every file: skip the fsyncs of the unchanged
    except (OSError, UnicodeDecodeError):
        pass
    atomic_write(path, text)


def _stub(exercise: str) -> str:
    stub = paths.EXERCISES / f"{exercise}.py"
    return stub.read_text(encoding="utf-8") if stub.is_file() else ""


# -- writing it ------------------------------------------------------------------------------

def write_report(out: Path, results: list[GradeResult], names: dict[str, str],
                 sources: dict[str, str] | None = None) -> ClassReport:
    """Write ``report.html`` and every ``feedback/<student>.html`` into ``out``.

    ``sources`` (student -> code) replaces ``OUT/sources``; without it the report
    uses what is there.
    """
    out = Path(out)
    if sources is not None:
        save_sources(out, names, sources)
    code = load_sources(out, names)
    exercise = results[0].exercise if results else ""
    pairs = similarity.similar_pairs(code, _stub(exercise))
    groups = similarity.groups(pairs)
    for result in results:
        name = names.get(result.submission)
        if name:
            _write(out / FEEDBACK / f"{name}.html", feedback_html(result))
    path = out / REPORT
    _write(path, report_html(results, names, groups, code))
    return ClassReport(path, groups)


def rebuild(out: Path) -> ClassReport:
    """``grade report OUT``: the report again from what the batch left in ``out``."""
    results = load_results(out)
    return write_report(out, results, unique_file_names([r.submission for r in results]))


# -- the page --------------------------------------------------------------------------------

def report_html(results: list[GradeResult], names: dict[str, str],
                groups: list[similarity.Group], sources: dict[str, str]) -> str:
    exercise = results[0].exercise if results else "the exercise"
    group_of = {s: i for i, g in enumerate(groups, 1) for s in g.students}
    body = [f"<h1>{esc(exercise)}: the class report</h1>",
            f'<p class="lead">{len(results)} students. Scores, means and mistakes count the '
            "graded submissions; click a student for their own page.</p>",
            '<p class="noprint"><a href="#glance">at a glance</a> · <a href="#tasks">per task</a>'
            ' · <a href="#mistakes">common mistakes</a> · <a href="#integrity">integrity</a> · '
            '<a href="#students">every student</a></p>',
            _glance(results), _tasks(results), _mistakes(results, names),
            _integrity(results, names, groups, sources, _stub(exercise)),
            _students(results, names, group_of)]
    return page(f"{exercise}: the class report", "\n".join(body), SCRIPT)


def _student_link(student: str, names: dict[str, str]) -> str:
    name = names.get(student)
    if not name:
        return esc(student)
    return f'<a href="{href(f"{FEEDBACK}/{name}.html")}">{esc(student)}</a>'


def _glance(results: list[GradeResult]) -> str:
    g = classstats.glance(results)
    cards = [("students", g.students), ("submitted", g.submitted), ("graded", g.graded),
             ("missing", g.missing), ("import errors", g.import_errors),
             ("timeouts", g.timeouts), ("flagged", g.flagged),
             ("mean", f"{points(g.mean)} / {points(g.max_score)}"),
             ("median", f"{points(g.median)} / {points(g.max_score)}")]
    if g.grader_errors:
        cards.insert(6, ("grader errors", g.grader_errors))
    html = ['<section id="glance"><h2>The class at a glance</h2><div class="cards">']
    html += [f'<div class="card" data-what="{esc(label)}"><b>{esc(value)}</b>{esc(label)}</div>'
             for label, value in cards]
    html.append("</div>")
    if g.totals:
        counts = classstats.histogram(g.totals, g.max_score)
        step = g.max_score / len(counts)
        labels = [f"{points(i * step)}–{points((i + 1) * step)}" for i in range(len(counts))]
        html.append(column_chart(labels, counts, f"graded submissions by total (out of "
                                                 f"{points(g.max_score)})"))
    return "".join(html) + "</section>"


def _tasks(results: list[GradeResult]) -> str:
    summaries = classstats.tasks(results)
    rows, table = [], []
    for t in summaries:
        mean_share = (t.mean or 0) / t.max_score if t.max_score else 0
        full_share = t.full_marks / t.graded if t.graded else 0
        rows.append((t.name, mean_share, f"mean {points(t.mean)} / {points(t.max_score)}",
                     full_share, f"{t.full_marks} of {t.graded} full marks"))
        table.append(f"<tr><td>{esc(t.name)}</td><td class=\"num\">{points(t.mean)}</td>"
                     f"<td class=\"num\">{points(t.max_score)}</td>"
                     f"<td class=\"num\">{t.full_marks}</td><td class=\"num\">{t.graded}</td></tr>")
    return ('<section id="tasks"><h2>Per task</h2>'
            + bar_pairs(rows, ("mean score, share of the task's points",
                               "share of graded students with full marks"))
            + '<table id="task-table"><thead><tr><th>task</th><th class="num">mean</th>'
            '<th class="num">points</th><th class="num">full marks</th>'
            '<th class="num">graded</th></tr></thead><tbody>' + "".join(table)
            + "</tbody></table></section>")


def _mistakes(results: list[GradeResult], names: dict[str, str]) -> str:
    found = classstats.mistakes(results)
    graded = len(classstats.graded(results))
    html = ['<section id="mistakes"><h2>The most common mistakes</h2>',
            f'<p class="muted">Every check some of the {graded} graded students did not pass, '
            "the most failed first, with the feedback most of them got.</p>"]
    if not found:
        html.append("<p>Every graded student passed every check.</p>")
    else:
        html.append('<table id="mistake-table"><thead><tr><th class="num">#</th><th>check</th>'
                    '<th>task</th><th class="num">students</th><th>how</th><th>what most of them were told'
                    '</th><th>who</th></tr></thead><tbody>')
        for rank, m in enumerate(found, 1):
            how = ", ".join(f"{esc(status)} {n}" for status, n in m.statuses.most_common())
            who = ", ".join(_student_link(s, names) for s in m.students)
            html.append(f'<tr><td class="num">{rank}</td><td><b>{esc(m.check)}</b></td>'
                        f'<td>{esc(m.task)}</td><td class="num">{m.count}</td><td>{how}</td>'
                        f"<td>{esc(m.sentence)}<br><span class=\"muted\">{m.sentence_count} "
                        f"of {m.count}</span></td><td class=\"who\">{who}</td></tr>")
        html.append("</tbody></table>")
    passed = classstats.checks_everyone_passed(results)
    if passed:
        items = "".join(f"<li>{esc(check)} <span class=\"muted\">({esc(task)})</span></li>"
                        for task, check in passed)
        html.append(f"<details><summary>{len(passed)} checks every graded student passed"
                    f"</summary><ul>{items}</ul></details>")
    return "".join(html) + "</section>"


def _integrity(results: list[GradeResult], names: dict[str, str],
               groups: list[similarity.Group], sources: dict[str, str], stub: str) -> str:
    html = ['<section id="integrity"><h2>Integrity: flags and similar submissions</h2>',
            "<h3>Flagged by the integrity monitor</h3>"]
    flagged = classstats.flagged(results)
    if not flagged:
        html.append("<p>No submission was flagged.</p>")
    else:
        html.append('<table id="flag-table"><thead><tr><th>student</th><th>what it did</th>'
                    "</tr></thead><tbody>")
        for row in flagged:
            seen = "".join(f"<li><b>{esc(k)}</b> {esc(d)}</li>" for k, d in zip(row.kinds, row.details))
            html.append(f"<tr><td>{_student_link(row.student, names)}</td><td><ul>{seen}</ul>"
                        "</td></tr>")
        html.append("</tbody></table>")
    html.append(f"<h3>Similar submissions</h3><p class=\"muted\">Code compared once names, "
                f"comments, docstrings, annotations and layout are set aside, leaving out the "
                f"exercise's stub (winnowed fingerprints, as MOSS does); groups share at least "
                f"{similarity.THRESHOLD:.0%} of their fingerprints. {len(sources)} submissions "
                "had code to compare. Similar code is a reason to look, not a verdict: short "
                "tasks with a hint that spells out the code converge honestly.</p>")
    if not groups:
        html.append("<p>No two submissions are near-identical.</p>")
    for number, group in enumerate(groups, 1):
        html.append(_group(number, group, names, sources, stub))
    return "".join(html) + "</section>"


def _group(number: int, group: similarity.Group, names: dict[str, str],
           sources: dict[str, str], stub: str) -> str:
    who = ", ".join(_student_link(s, names) for s in group.students)
    top = group.pairs[0]
    a, b = sources.get(top.a, ""), sources.get(top.b, "")
    lines_a, lines_b = similarity.shared_lines(a, b, stub)
    others = "".join(f"<li>{esc(p.a)} and {esc(p.b)}: {p.similarity:.0%}</li>"
                     for p in group.pairs[1:10])
    more = f"<li>and {len(group.pairs) - 10} more pairs</li>" if len(group.pairs) > 10 else ""
    return (f'<div class="group" id="group-{number}"><h3>Group {number}: {len(group.students)} '
            f"students, up to {group.similarity:.0%} similar</h3><p>{who}</p>"
            f"<details><summary>side by side: {esc(top.a)} and {esc(top.b)} "
            f"({top.similarity:.0%}; shared passages marked)</summary><div class=\"side\">"
            f"{_code(top.a, a, lines_a)}{_code(top.b, b, lines_b)}</div></details>"
            + (f"<ul>{others}{more}</ul>" if others else "") + "</div>")


def _code(student: str, source: str, marked: set[int]) -> str:
    lines = source.splitlines()
    shown = []
    for number, line in enumerate(lines[:SHOWN_LINES], 1):
        text = f"{number:>4}  {esc(line)}"
        shown.append(f'<span class="same">{text}</span>' if number in marked else text)
    if len(lines) > SHOWN_LINES:
        shown.append(f"... {len(lines) - SHOWN_LINES} more lines in {SOURCES}/")
    return f"<div><b>{esc(student)}</b><pre>" + "\n".join(shown) + "</pre></div>"


def _students(results: list[GradeResult], names: dict[str, str], group_of: dict[str, int]) -> str:
    tasks = task_names(results)
    head = "".join(f'<th class="num">{esc(t)}</th>' for t in tasks)
    rows = []
    for r in results:
        scores = {t.name: t.score for t in r.tasks}
        cells = "".join(f'<td class="num">{points(scores.get(t))}</td>' for t in tasks)
        group = group_of.get(r.submission)
        similar = f'<a href="#group-{group}">group {group}</a>' if group else ""
        flags = ", ".join(esc(k) for k in sorted({f.kind for f in r.flags}))
        rows.append(f"<tr><td>{_student_link(r.submission, names)}</td>"
                    f"<td>{esc(r.row_status)}</td>"
                    f'<td class="num">{points(r.score)}</td>'
                    f'<td class="num">{r.percent:.0f}</td>{cells}'
                    f"<td>{flags}</td><td class=\"nowrap\" data-sort=\"{group or ''}\">{similar}</td></tr>")
    return ('<section id="students"><h2>Every student</h2><p class="noprint">'
            '<input type="search" id="search" placeholder="search students, statuses, flags" '
            'aria-label="search the table"> <span class="muted">click a heading to sort</span>'
            '</p><table id="student-table" class="sortable"><thead><tr><th>student</th>'
            '<th>status</th><th class="num">total</th><th class="num">%</th>'
            f"{head}<th>flags</th><th>similar</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></section>")


# The page's one script: sort the student table by a heading, filter it by a search,
# open every side-by-side view before printing. It carries no data of its own.
SCRIPT = """
(function () {
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("thead th").forEach(function (th, column) {
      th.classList.add("sortable");
      th.addEventListener("click", function () {
        var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        var up = th.getAttribute("data-order") !== "up";
        th.setAttribute("data-order", up ? "up" : "down");
        function key(row) {
          var cell = row.cells[column];
          return cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent;
        }
        rows.sort(function (a, b) {
          var x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
          var order = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
          return up ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
  var search = document.getElementById("search");
  if (search) {
    search.addEventListener("input", function () {
      var wanted = search.value.toLowerCase();
      document.querySelectorAll("#student-table tbody tr").forEach(function (row) {
        row.hidden = wanted !== "" && row.textContent.toLowerCase().indexOf(wanted) < 0;
      });
    });
  }
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
})();
"""
