"""Near-identical submissions are found once names, comments and layout are set aside;
honest work that solves the same tasks differently is not."""

import os
import subprocess
import sys
from pathlib import Path

from grader import paths, similarity

SIMILAR = Path(__file__).parent / "similar"
STUB = (paths.EXERCISES / "exercise3.py").read_text()


def sources() -> dict[str, str]:
    found = {p.stem: p.read_text() for p in SIMILAR.glob("*.py")}
    found["solution"] = (paths.SOLUTIONS / "exercise3.py").read_text()
    return found


def test_renamed_and_reformatted_copies_form_one_group_and_honest_work_none():
    pairs = similarity.similar_pairs(sources(), STUB)
    assert [g.students for g in similarity.groups(pairs)] == [["renamed", "reordered", "solution"]]
    everything = similarity.similar_pairs(sources(), STUB, threshold=0.0)
    honest = [p.similarity for p in everything if "honest" in (p.a, p.b)]
    assert len(honest) == 3 and max(honest) < 0.2, honest


def test_a_copy_with_new_names_comments_docstrings_and_layout_is_the_same_code():
    original = (paths.SOLUTIONS / "exercise3.py").read_text()
    renamed = (SIMILAR / "renamed.py").read_text()
    assert [t.text for t in similarity.normalise(original)] == [
        t.text for t in similarity.normalise(renamed)]


def test_what_a_name_calls_stays_different():
    assert [t.text for t in similarity.normalise("y = x.exp()\n")] != [
        t.text for t in similarity.normalise("y = x.log()\n")]
    assert [t.text for t in similarity.normalise("def f(a: int) -> int:\n    return a\n")] == [
        t.text for t in similarity.normalise("def g(b):\n    return b\n")]


def test_the_stub_alone_is_nobodys_code():
    assert similarity.similar_pairs({"ann": STUB, "bob": STUB}, STUB) == []
    assert similarity.similar_pairs({"ann": STUB, "bob": STUB}, "")  # without the stub: alike


def test_a_file_that_does_not_parse_is_compared_as_far_as_it_reads():
    broken = (paths.SOLUTIONS / "exercise3.py").read_text().replace("def sigmoid(", "def sigmoid(:")
    pairs = similarity.similar_pairs({"kai": broken, "ada": sources()["solution"]}, STUB)
    assert pairs and pairs[0].similarity > 0.75


def test_shared_passages_are_marked_on_both_sides():
    _, lines = similarity.shared_lines(sources()["solution"], sources()["renamed"], STUB)
    renamed = sources()["renamed"].splitlines()
    assert any("torch.where" in renamed[n - 1] for n in lines)
    assert not any(renamed[n - 1].startswith('"""My exercise') for n in lines)


FINGERPRINT = """
import sys
from grader import similarity
print(sorted(similarity.fingerprint(sys.stdin.read()).hashes))
"""


def test_the_numbers_are_the_same_in_every_process():
    """Python's own hash() is salted per process; fingerprints must not be."""
    source = sources()["honest"]
    here = str(sorted(similarity.fingerprint(source).hashes))
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        there = subprocess.run([sys.executable, "-c", FINGERPRINT], input=source, text=True,
                               capture_output=True, env=env, timeout=60, check=True).stdout
        assert there.strip() == here
