"""The class report: its numbers are results.jsonl's, it rebuilds from OUT alone, the batch's
summary points at it, and nothing a student wrote reaches the page as HTML."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner

from grader import classreport, classstats
from grader.cli import cli
from grader.gradebook import unique_file_names
from grader.results import CheckResult, Flag, GradeResult, TaskResult


class Page(HTMLParser):
    """What a page holds: its elements, the text of chosen ones, its links and scripts."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self.cards: dict[str, str] = {}
        self.rows: dict[str, list[list[str]]] = {}  # table id -> its body rows' cell texts
        self._table, self._row, self._cell, self._card, self._script = None, None, None, None, None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "table":
            self._table = attrs.get("id")
        elif tag == "tr" and self._table:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = ""
        elif tag == "div" and "data-what" in attrs:
            self._card = [attrs["data-what"], ""]
        elif tag == "script":
            self._script = ""

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row:
            self.rows.setdefault(self._table, []).append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag == "b" and self._card:
            self.cards[self._card[0]] = self._card[1].strip()
            self._card = None
        elif tag == "script":
            self.scripts.append(self._script)
            self._script = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        if self._card:
            self._card[1] += data
        if self._script is not None:
            self._script += data


def documents(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]


def row_status(doc: dict) -> str:
    """Counted here from the documents themselves, as the README defines the row statuses."""
    checks = [c["status"] for t in doc["tasks"] for c in t["checks"]]
    if doc["status"] == "graded" and doc.get("error") and checks:
        if all(c == "timeout" for c in checks):
            return "timeout"
        if all(c == "crashed" for c in checks):
            return "grader_error"
    return doc["status"]


def test_the_report_counts_what_results_jsonl_says(graded_class):
    _, out, expected, _, _ = graded_class
    docs = documents(out)
    page = Page((out / "report.html").read_text())
    rows = Counter(row_status(d) for d in docs)
    graded = [d for d in docs if row_status(d) == "graded"]
    assert graded, "nothing was graded in time: a machine this loaded fails test_batch too"
    assert page.cards["students"] == str(len(docs)) == str(len(expected))
    assert page.cards["missing"] == str(rows["missing"]) == "2"
    assert page.cards["submitted"] == str(len(docs) - rows["missing"])
    assert page.cards["graded"] == str(len(graded))
    assert page.cards["import errors"] == str(rows["import_error"])
    assert page.cards["timeouts"] == str(rows["timeout"])
    assert page.cards["flagged"] == str(sum(bool(d["flags"]) for d in docs))
    mean = sum(d["score"] for d in graded) / len(graded)
    assert page.cards["mean"] == f"{mean:.3g} / 30"

    failed = Counter((t["name"], c["name"]) for d in graded for t in d["tasks"]
                     for c in t["checks"] if c["status"] != "passed")
    table = page.rows["mistake-table"]
    assert len(table) == len(failed)
    assert [int(row[3]) for row in table] == sorted(failed.values(), reverse=True)  # most first
    assert {(task, check): int(count) for _, check, task, count, *_ in table} == failed

    students = page.rows["student-table"]
    assert [r[0] for r in students] == [d["submission"] for d in docs]
    assert {r[0]: r[1] for r in students} == {d["submission"]: row_status(d) for d in docs}
    links = [a["href"] for tag, a in page.tags if tag == "a" and a.get("href", "").startswith("feedback/")]
    assert links and all((out / link).is_file() for link in links)


def test_every_task_shows_its_mean_and_full_marks(graded_class):
    _, out, _, _, _ = graded_class
    graded = [d for d in documents(out) if row_status(d) == "graded"]
    table = Page((out / "report.html").read_text()).rows["task-table"]
    for name, mean, points, full, count in table:
        scores = [t["score"] for d in graded for t in d["tasks"] if t["name"] == name]
        assert float(mean) == float(f"{sum(scores) / len(scores):.3g}")
        assert int(full) == sum(s == float(points) for s in scores) and int(count) == len(graded)


def test_the_practice_class_copies_are_one_group(graded_class):
    """Its correct students all hand in the reference solution: copies, as far as anyone can tell."""
    _, out, _, _, _ = graded_class
    page = Page((out / "report.html").read_text())
    similar = {r[0]: r[-1] for r in page.rows["student-table"]}
    assert similar["ada"] == similar["ben"] == similar["eve"] == "group 1"  # .py and notebooks
    assert similar["gus"] == similar["lou"] == ""  # a stub, and nothing handed in
    notebook = (out / "sources" / "eve.py").read_text()  # the notebook's code, as it was graded
    assert "# %% cell" in notebook and "def softmax(" in notebook


def test_grade_report_rebuilds_the_same_page_from_out_alone(graded_class, tmp_path):
    _, out, _, _, _ = graded_class
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    (copy / "report.html").unlink()
    shutil.rmtree(copy / "feedback")
    shown = CliRunner().invoke(cli, ["report", str(copy)])
    assert shown.exit_code == 0, shown.output
    assert (copy / "report.html").read_text() == (out / "report.html").read_text()
    assert sorted(p.name for p in (copy / "feedback").iterdir()) == sorted(
        p.name for p in (out / "feedback").glob("*.html"))


def test_grade_report_on_a_folder_without_results_is_one_sentence(tmp_path):
    shown = CliRunner().invoke(cli, ["report", str(tmp_path)])
    assert shown.exit_code == 2
    assert "has no results.jsonl; run `grade batch`" in shown.output
    assert "Traceback" not in shown.output


def test_the_batch_summary_names_the_common_mistakes_and_the_report(graded_class):
    _, out, _, finished, _ = graded_class
    results = classreport.load_results(out)
    top = classstats.mistakes(results)[:3]
    line = next(line for line in finished.stdout.splitlines() if "most common mistakes:" in line)
    assert line.endswith("; ".join(f"{m.check} ({m.count} students)" for m in top))
    similar = sum(1 for r in Page((out / "report.html").read_text()).rows["student-table"] if r[-1])
    assert f"in groups of near-identical submissions: {similar}" in finished.stdout
    flagged = sum(bool(r.flags) for r in results)
    assert (f"flagged for the instructor ({flagged}): " if flagged
            else "flagged for the instructor: 0") in finished.stdout
    assert f"class report: {out / 'report.html'}" in finished.stdout


# -- what a student wrote --------------------------------------------------------------------

ATTACK = '<script>alert("pwned")</script><img src=x onerror=alert(1)>"\'&'


def hostile_class() -> tuple[list[GradeResult], dict[str, str]]:
    """Students whose ids, messages, printed output, flags and code are HTML."""
    def result(student: str, feedback: str, flags=()) -> GradeResult:
        checks = [CheckResult(f"softmax rows sum to one {ATTACK}", "failed", 0.0, 1.0, feedback),
                  CheckResult("softmax is finite", "passed", 1.0, 1.0)]
        return GradeResult("exercise3", student, "graded", 1.0, 2.0,
                           [TaskResult(f"softmax{ATTACK}", 1.0, 2.0, checks)], 0.1,
                           flags=list(flags))

    code = f'# {ATTACK}\nimport torch\n\ndef softmax(x, dim=-1):\n    s = "</pre>{ATTACK}"\n' + \
        "    e = (x - x.amax(dim=dim, keepdim=True)).exp()\n    return e / e.sum(dim=dim, keepdim=True)\n"
    results = [result(f"ann{ATTACK}", f"printed: {ATTACK}\n  File \"x.py\", line 1\n{ATTACK}",
                      [Flag(f"kind{ATTACK}", f"detail{ATTACK}")]),
               result(f"bob{ATTACK}", f"your softmax raised ValueError: {ATTACK}"),
               GradeResult("exercise3", f"cal{ATTACK}", "import_error", 0.0, 2.0,
                           [TaskResult(f"softmax{ATTACK}", 0.0, 2.0)], 0.1, f"SyntaxError {ATTACK}")]
    return results, {results[0].submission: code, results[1].submission: code}


def write_hostile(out: Path) -> classreport.ClassReport:
    results, sources = hostile_class()
    return classreport.write_report(out, results, unique_file_names([r.submission for r in results]),
                                    sources)


ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "a",
                "section", "div", "b", "span", "table", "thead", "tbody", "tr", "th", "td", "ul",
                "li", "pre", "details", "summary", "br", "input", "svg", "rect", "text", "line",
                "script"}


def test_nothing_a_student_wrote_becomes_html(tmp_path):
    report = write_hostile(tmp_path)
    assert report.similar == 2  # the two copies of the hostile code were compared, and shown
    pages = [report.path, *sorted((tmp_path / "feedback").glob("*.html"))]
    assert len(pages) == 4
    for path in pages:
        text = path.read_text()
        page = Page(text)
        assert {tag for tag, _ in page.tags} <= ALLOWED_TAGS, path
        assert not [(tag, a) for tag, a in page.tags for name in a if name.startswith("on")]
        assert page.scripts == ([classreport.SCRIPT] if path == report.path else [])
        for tag, attrs in page.tags:
            if tag == "a":
                assert attrs["href"].startswith(("#", "feedback/", "../report.html")), attrs
        assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in text
    text = report.path.read_text()
    for where in ("ann", "kind", "detail", "softmax rows sum to one", "&lt;/pre&gt;"):
        assert where in text  # ids, flags, check names and code all shown, escaped


def test_without_sources_the_report_still_shows_the_scores(tmp_path):
    results, _ = hostile_class()
    (tmp_path / "results.jsonl").write_text("".join(r.to_json() + "\n" for r in results))
    report = classreport.rebuild(tmp_path)
    assert report.similar == 0
    assert "0 submissions had code to compare" in report.path.read_text()
    assert len(Page(report.path.read_text()).rows["student-table"]) == 3
