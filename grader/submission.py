"""What is graded: a submission's source text, and the one judge of whether a file can be.

``read_submission`` decides for ``grade`` and ``grade batch`` alike: the file
must exist, be a ``.py`` file or a notebook, be at most ``MAX_BYTES`` (source
code, not data), and decode as text. Anything else is a SubmissionError with
the one sentence the student or instructor reads.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from grader.errors import SubmissionError

KINDS = (".py", ".ipynb")
MAX_BYTES = 16 * 1024**2


@dataclass
class Submission:
    """Source text of a submission and the module name it is loaded under."""

    source: str
    filename: str
    module_name: str
    # A probe ("module:function") the worker runs before loading: the grader's own changes
    # to the process (the stand-in GPU) belong to the state the worker starts from.
    setup: str | None = None


def default_submission(exercise: str, folder: Path | None = None) -> Path:
    """``exercises/EXERCISE.py`` of the course folder (the notebook if there is no .py)."""
    folder = Path(folder or Path.cwd()) / "exercises"
    notebook = folder / f"{exercise}.ipynb"
    script = folder / f"{exercise}.py"
    return notebook if notebook.exists() and not script.exists() else script


def read_submission(path: Path, exercise: str) -> Submission:
    """The submission in ``path``, loaded as module ``exercise``; raises SubmissionError."""
    path = Path(path)
    if not path.exists():
        raise SubmissionError(f"No submission found at {path}.")
    if path.is_dir():
        raise SubmissionError(f"{path} is a folder; give the path of the exercise's .py file.")
    if path.suffix.lower() not in KINDS:
        raise SubmissionError(f"{path.name} is neither a .py file nor a notebook (.ipynb).")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SubmissionError(f"{path.name} is {size / 1024**2:.0f} MB; a submission is "
                                  f"source code, at most {MAX_BYTES // 1024**2} MB.")
        if path.suffix.lower() == ".ipynb":
            from grader.notebook import notebook_source

            source = notebook_source(path)
        else:
            source = decode_source(path.read_bytes(), path.name)
    except OSError as exc:
        raise SubmissionError(f"{path.name} could not be read: {exc.strerror or exc}.") from None
    return Submission(source=source, filename=path.name, module_name=exercise)


def decode_source(data: bytes, name: str) -> str:
    """A .py file's bytes as the text Python itself would run; raises SubmissionError.

    Students' editors save files in more ways than one: a UTF-8 byte-order mark
    (Windows Notepad), CRLF line ends, a PEP 263 line such as
    ``# -*- coding: latin-1 -*-``. Python runs all of them, so they are decoded by
    Python's own rules (``tokenize.detect_encoding`` through
    ``importlib.util.decode_source``: the declared or detected encoding, the BOM
    dropped, universal newlines) and graded exactly as the same code in plain UTF-8.
    """
    try:
        return importlib.util.decode_source(data)
    except SyntaxError as problem:  # how detect_encoding refuses the first two lines
        if "unknown encoding" in str(problem.msg):
            raise SubmissionError(f"{name} declares an encoding Python does not know "
                                  f"({problem.msg}). Save it as UTF-8 text.") from None
        raise SubmissionError(f"{name} is not a UTF-8 text file, and no '# -*- coding: ... -*-' "
                              "line says what else it is. Save it as UTF-8 text.") from None
    except (UnicodeDecodeError, LookupError):
        raise SubmissionError(f"{name} is not text in the encoding it declares (UTF-8 unless a "
                              "'# -*- coding: ... -*-' line says otherwise). Save it as UTF-8 "
                              "text.") from None
