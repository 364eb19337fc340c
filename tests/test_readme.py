"""The README's promises: its two opening commands, and CI running the second verbatim."""

import re

from grader import paths


def readme_commands() -> list[str]:
    text = (paths.COURSE_ROOT / "README.md").read_text()
    return re.findall(r"```bash\n(.+?)\n```", text)[:2]


def test_readme_opens_with_the_grade_and_the_test_commands():
    grade, test = readme_commands()
    assert "pip install -e ." in grade and grade.endswith("grade exercise3")
    assert "pip install -e '.[test]'" in test and "pytest" in test


def test_ci_runs_exactly_the_readmes_test_command():
    _, test = readme_commands()
    assert test in (paths.COURSE_ROOT / ".ci" / "run").read_text().splitlines()
