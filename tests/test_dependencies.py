"""What each kind of user installs: a student's install holds neither nbgrader nor
jupyterlab; the instructor's extras and the test extra add what they need."""

from importlib import metadata
from pathlib import Path

import tomllib
from packaging.requirements import Requirement

PROJECT = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())["project"]


def name(requirement: str) -> str:
    return Requirement(requirement).name.lower().replace("_", "-")


def installed_closure(requirements: list[str]) -> set[str]:
    """Every distribution the requirements pull in on this Python, as installed here (no
    extras of theirs taken)."""
    seen, todo = set(), [name(r) for r in requirements]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for text in metadata.requires(current) or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(name(text))
    return seen


def test_a_students_install_pulls_in_neither_nbgrader_nor_jupyterlab():
    pulled = installed_closure(PROJECT["dependencies"])
    assert "nbformat" in pulled  # the grader reads notebooks with it
    assert not {"nbgrader", "jupyterlab", "notebook", "jupyter-server"} & pulled


def test_nbgrader_is_an_extra_that_the_tests_extra_includes():
    extras = {key: {name(r) for r in value} for key, value in PROJECT["optional-dependencies"].items()}
    assert "nbgrader" in extras["nbgrader"] and extras["nbgrader"] <= extras["test"]
    assert "jsonschema" in extras["test"]  # tests/test_gradescope.py validates with it
