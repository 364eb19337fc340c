"""What the grader is: one digest of its own sources.

It changes when anything that decides a score changes - a check, a probe, the check
API's tolerances, the scoring - that is, any source of the grader package. The batch
keeps a result only while it holds (grader.batch), and a cluster's worker grades only
if its grader has the instructor's (grader.cluster).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def grader_digest(package: Path = PACKAGE) -> str:
    """The digest of every source of ``package`` (this grader by default)."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(f"{path.relative_to(package)}\0{sha256(path)}\0".encode())
    return digest.hexdigest()[:16]
