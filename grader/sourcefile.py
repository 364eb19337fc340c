"""A submission's bytes as the text Python itself would run.

Students' editors save files in more ways than one: a UTF-8 byte-order mark
(Windows Notepad), CRLF line ends, a PEP 263 line such as
``# -*- coding: latin-1 -*-``. Python runs all of them, so the grader decodes
them by Python's own rules (``tokenize.detect_encoding`` through
``importlib.util.decode_source``: the declared or detected encoding, the BOM
dropped, universal newlines) and grades them exactly as the same code saved as
plain UTF-8.
"""

from __future__ import annotations

import importlib.util


class SourceError(ValueError):
    """The bytes are not Python source text; the message says why, in one sentence."""


def decode_source(data: bytes, name: str) -> str:
    """The source text of ``data`` (the file ``name``); raises SourceError."""
    try:
        return importlib.util.decode_source(data)
    except SyntaxError as problem:  # detect_encoding's way of saying "bad coding line"
        raise SourceError(f"{name} cannot be read as Python source: {problem.msg or problem}. "
                          "Save it as UTF-8 text.") from None
    except (UnicodeDecodeError, LookupError):
        raise SourceError(f"{name} is not text in the encoding it declares (UTF-8 unless a "
                          "'# -*- coding: ... -*-' line says otherwise). Save it as UTF-8 "
                          "text.") from None
