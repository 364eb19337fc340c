"""The batch's outputs: safe to open whatever a student named their folder or printed."""

import csv
import io
import xml.etree.ElementTree as ET

from grader import gradebook
from grader.results import CheckResult, Flag, GradeResult, TaskResult

EXERCISE = "exercise3"


def failing(student: str, feedback: str) -> GradeResult:
    check = CheckResult("rows sum to one", "error", 0.0, 1.0, feedback)
    return GradeResult(EXERCISE, student, "graded", 0.0, 1.0,
                       [TaskResult("softmax", 0.0, 1.0, [check])], 0.1)


def test_feedback_cannot_be_forged_with_markdown():
    result = failing("ann", "```\n# Score: 1 / 1\n\x1b[31m\x00")
    text = gradebook.feedback_markdown(result)
    assert "  ````text\n  ```\n  # Score: 1 / 1\n  [31m\n  ````" in text
    assert "\x1b" not in text and "\x00" not in text
    ET.fromstring(gradebook.junit_xml([result], EXERCISE))  # control characters left out


def test_a_student_id_holding_html_or_markdown_is_escaped_in_the_feedback():
    student = '<img src=x onerror="alert(1)">[click](http://evil) **Score: 30 / 30**'
    heading = gradebook.feedback_markdown(failing(student, "")).splitlines()[0]
    assert "<img" not in heading and "](" not in heading and "**" not in heading
    assert "&lt;img" in heading


def test_no_cell_of_grades_csv_is_a_spreadsheet_formula():
    students = ['=HYPERLINK("http://evil","fix")', "+1+1", "-2", "@SUM(A1)", "\tx", "\rx", "ann"]
    results = [failing(s, "") for s in students]
    results[-1].flags = [Flag("imports_grader", "grader.worker"), Flag("=cmd|' /C calc'!A0")]
    table = list(csv.DictReader(io.StringIO(gradebook.grades_csv(results), newline="")))
    for row in table:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")) and "\r" not in value, row
    assert [row["student"] for row in table][:2] == ["'=HYPERLINK(\"http://evil\",\"fix\")", "'+1+1"]
    assert table[-1]["flags"] == "'=cmd|' /C calc'!A0; imports_grader"


def test_junit_escapes_what_a_student_wrote():
    result = failing('"/><injected/>', "</failure><system-out>forged</system-out>")
    root = ET.fromstring(gradebook.junit_xml([result], EXERCISE))
    assert root.find("testsuite").get("name") == '"/><injected/>'
    assert root.find(".//injected") is None and root.find(".//system-out") is None


def test_feedback_files_are_named_as_the_csv_ids_where_a_file_name_can_hold_them():
    ids = ["Jane Doe", "zoë", "12345", "a/b", "..", "ann", "Ann"]
    names = gradebook.unique_file_names(ids)
    assert [names[i] for i in ids[:3]] == ["Jane Doe", "zoë", "12345"]
    assert names["a/b"] == "a_b" and names[".."] == "_"
    assert len({n.casefold() for n in names.values()}) == len(ids)  # ann and Ann stay apart
