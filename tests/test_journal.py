"""The batch's journal: nothing finished is lost, a torn line is cut, the last result wins."""

from grader import journal
from grader.journal import Finished, Journal
from grader.results import GradeResult, TaskResult


def result(student: str, score: float = 0.0) -> GradeResult:
    return GradeResult("exercise3", student, "graded", score, 30.0,
                       [TaskResult("softmax", score, 30.0)])


def test_a_torn_last_line_is_cut_and_appends_stay_whole(tmp_path):
    done = result("ann").to_json()
    (tmp_path / journal.RESULTS).write_text(done + "\n" + '{"exercise": "exe')
    (tmp_path / journal.STATE).write_text('{"student": "ann", "fingerprint": "f1"}\n')
    book = Journal(tmp_path)
    book.open()
    book.record(result("bob", 3.0), "f2")
    book.close()
    loaded = book.load()
    assert sorted(loaded) == ["ann", "bob"]
    assert loaded["bob"] == Finished(result("bob", 3.0), "f2")  # parsed once, as it was written
    assert loaded["ann"].fingerprint == "f1"


def test_the_last_result_of_a_student_wins_and_compact_keeps_one_line_each(tmp_path):
    book = Journal(tmp_path)
    book.open()
    book.record(result("bob", 1.0), "f1")
    book.record(result("bob", 2.0), "f2")
    book.record(result("ann", 5.0), None)  # kept this run, graded again next run
    book.close()
    loaded = book.load()
    assert loaded["bob"].result.score == 2.0 and loaded["bob"].fingerprint == "f2"
    book.compact(loaded)
    lines = (tmp_path / journal.RESULTS).read_text().splitlines()
    assert [GradeResult.from_json(line).submission for line in lines] == ["ann", "bob"]
    assert "ann" not in (tmp_path / journal.STATE).read_text()


def test_a_line_from_another_grader_version_is_graded_again(tmp_path):
    (tmp_path / journal.RESULTS).write_text('{"exercise": "exercise3", "submission": "ann"}\n')
    assert Journal(tmp_path).load() == {}
