"""Where the course's folders live, relative to the installed grader package."""

from pathlib import Path

COURSE_ROOT = Path(__file__).resolve().parent.parent
EXERCISES = COURSE_ROOT / "exercises"
SOLUTIONS = COURSE_ROOT / "solutions"
CHECKS = Path(__file__).resolve().parent / "checks"
TESTS = COURSE_ROOT / "tests"
MUTANTS = TESTS / "mutants"
VARIANTS = TESTS / "variants"

# The course secret hidden checks draw their inputs from (grader/secret.py). It lives in its
# own folder so that the sandbox can cover it with an empty mount like the others.
COURSE_SECRET = COURSE_ROOT / ".course-secret" / "secret"

# Folders a submission must never be able to read: they hold the answers.
SECRET_FOLDERS = (SOLUTIONS, CHECKS, TESTS, COURSE_SECRET.parent)
