"""Files as students have them: a byte-order mark, CRLF line ends, a PEP 263 coding line."""

from __future__ import annotations

import pytest

from grader import engine, paths
from grader.errors import SubmissionError
from grader.submission import decode_source

SOLUTION = (paths.SOLUTIONS / "exercise3.py").read_text(encoding="utf-8")
# A name with a letter latin-1 holds in one byte, so the file is not valid UTF-8.
LATIN_1 = "# -*- coding: latin-1 -*-\n" + SOLUTION + "\nCAFÉ = 'café'\n"


@pytest.mark.parametrize("data, text", [
    ("\ufeffx = 1\n".encode("utf-8"), "x = 1\n"),
    (b"x = 1\r\ny = 2\r\n", "x = 1\ny = 2\n"),
    ("# -*- coding: latin-1 -*-\nname = 'café'\n".encode("latin-1"),
     "# -*- coding: latin-1 -*-\nname = 'café'\n"),
])
def test_source_is_decoded_by_pythons_own_rules(data, text):
    assert decode_source(data, "exercise3.py") == text


@pytest.mark.parametrize("data", [b"x = '\xff'\n", b"# coding: no-such-codec\nx = 1\n",
                                  b"x = 1\n" * 3 + b"y = '\xff'\n"])
def test_bytes_python_would_refuse_get_one_sentence(data):
    with pytest.raises(SubmissionError) as refused:
        decode_source(data, "exercise3.py")
    assert str(refused.value).startswith("exercise3.py ") and "\n" not in str(refused.value)


@pytest.mark.parametrize("kind, data", [
    ("byte-order mark", b"\xef\xbb\xbf" + SOLUTION.encode("utf-8")),
    ("CRLF line ends", SOLUTION.replace("\n", "\r\n").encode("utf-8")),
    ("latin-1 with a coding line", LATIN_1.encode("latin-1")),
])
def test_a_solution_saved_another_way_earns_full_marks(tmp_path, kind, data):
    path = tmp_path / "exercise3.py"
    path.write_bytes(data)
    result = engine.grade("exercise3", path)
    assert result.status == "graded", result.error
    assert result.score == result.max_score, kind


def test_a_crlf_file_s_errors_cite_the_students_lines(tmp_path):
    source = SOLUTION + "\n\ndef sigmoid(x):\n    return undefined_name\n"
    path = tmp_path / "exercise3.py"
    path.write_bytes(source.replace("\n", "\r\n").encode("utf-8"))
    result = engine.grade("exercise3", path, task="sigmoid")
    feedback = result.tasks[0].checks[0].feedback
    line = source.splitlines().index("    return undefined_name") + 1
    assert f'line {line}, in sigmoid' in feedback and "\r" not in feedback
