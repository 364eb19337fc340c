"""The course secret: where hidden checks get their inputs from.

Public checks seed their inputs from their own name, so a student kit gives
the same inputs on every machine. A hidden check's inputs must not be
computable from the kit (or a submission could look its answers up in a table
built offline), so its seed is an HMAC of its name under a secret that lives
only in the instructor's tree: made on first use, git-ignored, never copied
into a kit or an output. The same course always draws the same inputs, so
grades reproduce; another course (another secret) draws others.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import zlib

from grader import paths
from grader.errors import GraderError

SECRET_BYTES = 32


class SecretError(GraderError):
    """The course secret cannot be read or made; the message says why, in one sentence."""


def course_secret() -> bytes:
    """The secret of this course tree, made (readable by its owner only) on first use."""
    path = paths.COURSE_SECRET
    try:
        if not path.exists():
            _make(path)
        text = path.read_text()
    except OSError as problem:
        raise SecretError(f"cannot read or make the course secret {path} "
                          f"({problem.strerror or problem}); grade as the user who owns the "
                          "course folder, or with --public.") from None
    try:
        secret = bytes.fromhex(text.strip())
    except ValueError:
        secret = b""
    if len(secret) != SECRET_BYTES:
        raise SecretError(f"{path} does not hold a course secret ({2 * SECRET_BYTES} hex digits); "
                          "restore it from a backup, or delete it to start a new one (which "
                          "changes every hidden check's inputs).")
    return secret


def _make(path) -> None:
    """Write a new secret whole, then link it into place: two graders starting at once both
    end up with the one that got there first, and neither ever reads a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".draft-{os.getpid()}-{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(secrets.token_hex(SECRET_BYTES) + "\n")
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()


def _derive(purpose: str, exercise: str, check: str) -> int:
    message = f"{purpose}\0{exercise}\0{check}".encode()
    return int.from_bytes(hmac.new(course_secret(), message, hashlib.sha256).digest()[:8], "big") >> 1


def check_seed(exercise: str, check: str, hidden: bool) -> int:
    """The seed of the grader's own randomness while ``check`` runs (the inputs it draws)."""
    if not hidden:
        return zlib.crc32(check.encode())
    return _derive("inputs", exercise, check)


def worker_seed(exercise: str, check: str, hidden: bool) -> int:
    """The seed the worker's randomness gets for ``check``: for a hidden check a separate
    derivation, so the worker learns neither the inputs' seed nor which check is running."""
    if not hidden:
        return zlib.crc32(check.encode())
    return _derive("worker", exercise, check)
