"""The course secret: hidden checks draw inputs nobody outside the instructor's tree can predict,
the same ones on every run of the same course, other ones in another course."""

import os
import stat
import zlib

import pytest
import torch

from grader import catalog, engine, expected, paths, secret, wire


@pytest.fixture
def course(tmp_path, monkeypatch):
    """Point the grader at a secret of its own in ``tmp_path``; returns a way to switch."""
    def use(name: str):
        monkeypatch.setattr(paths, "COURSE_SECRET", tmp_path / name / "secret")
        return paths.COURSE_SECRET
    return use


def test_the_secret_is_made_on_first_use_for_its_owner_only_and_then_kept(course):
    path = course("a")
    assert not path.exists()
    first = secret.course_secret()
    assert len(first) == 32 and path.exists()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert secret.course_secret() == first


def test_a_damaged_secret_is_one_plain_sentence(course):
    path = course("a")
    path.parent.mkdir()
    path.write_text("not a secret\n")
    with pytest.raises(secret.SecretError, match="does not hold a course secret"):
        secret.course_secret()


def test_the_secret_is_git_ignored_and_covered_in_workers():
    ignored = (paths.COURSE_ROOT / ".gitignore").read_text().splitlines()
    assert "/" + str(paths.COURSE_SECRET.parent.relative_to(paths.COURSE_ROOT)) + "/" in ignored
    assert paths.COURSE_SECRET.parent in paths.SECRET_FOLDERS


def test_hidden_seeds_follow_the_secret_and_public_ones_do_not(course):
    course("a")
    a = [secret.check_seed("exercise3", "test_x", True), secret.worker_seed("exercise3", "test_x", True)]
    public_a = secret.check_seed("exercise3", "test_x", False)
    course("b")
    b = [secret.check_seed("exercise3", "test_x", True), secret.worker_seed("exercise3", "test_x", True)]
    assert a[0] != b[0] and a[1] != b[1]
    assert a[0] != a[1], "the worker's seed must not be the inputs' seed"
    assert public_a == secret.check_seed("exercise3", "test_x", False) == zlib.crc32(b"test_x")
    torch.manual_seed(a[0])
    drawn_a = torch.randn(5)
    torch.manual_seed(b[0])
    assert not torch.equal(drawn_a, torch.randn(5))


def _plain(value):
    if isinstance(value, torch.Tensor):
        return ("tensor", str(value.dtype), value.tolist())
    if isinstance(value, dict):
        return tuple((k, _plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    return repr(value)


def grade_recording_requests(monkeypatch, exercise: str):
    """Grade the reference solution; every request sent to a worker, by the check that sent it."""
    sent = []
    original = wire.send_request

    def record(sock, request):
        if request["op"] in ("call", "probe"):  # not the load, which comes before any check
            sent.append((expected.running(), request["seed"], _plain(request["args"])))
        return original(sock, request)

    monkeypatch.setattr(wire, "send_request", record)
    result = engine.grade(exercise, paths.SOLUTIONS / f"{exercise}.py")
    monkeypatch.setattr(wire, "send_request", original)
    return result, sent


def test_one_course_draws_the_same_hidden_inputs_every_run_and_another_course_others(course, monkeypatch):
    entry = catalog.load("exercise3")
    hidden = {c.function_name for c in entry.checks if c.info.hidden}
    course("a")
    result_a, sent_a = grade_recording_requests(monkeypatch, "exercise3")
    _, sent_again = grade_recording_requests(monkeypatch, "exercise3")
    course("b")
    result_b, sent_b = grade_recording_requests(monkeypatch, "exercise3")

    assert result_a.score == result_b.score == entry.max_score  # right answers, whatever the draw
    assert sent_a == sent_again
    public = [s for s in sent_a if s[0] not in hidden]
    assert public and public == [s for s in sent_b if s[0] not in hidden]
    hidden_a = [s for s in sent_a if s[0] in hidden]
    hidden_b = [s for s in sent_b if s[0] in hidden]
    assert {s[0] for s in hidden_a} == hidden
    assert all(a[1] != b[1] for a, b in zip(hidden_a, hidden_b))
    drawn_differently = {a[0] for a, b in zip(hidden_a, hidden_b) if a[2] != b[2]}
    assert len(drawn_differently) >= len(hidden) // 2, drawn_differently
    # The worker never learns the inputs' seed, nor which check is running.
    for check, seed, _ in hidden_a:
        assert seed not in (secret.check_seed("exercise3", check, True), zlib.crc32(check.encode()))
    assert secret.course_secret().hex() not in result_b.to_json()


def test_a_secret_that_cannot_be_made_stops_grading_with_one_sentence(tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("")
    monkeypatch.setattr(paths, "COURSE_SECRET", tmp_path / "a-file" / "secret")
    with pytest.raises(secret.SecretError, match="cannot read or make the course secret"):
        engine.grade("exercise3", paths.SOLUTIONS / "exercise3.py")  # before any check runs
    public = engine.grade("exercise3", paths.SOLUTIONS / "exercise3.py", public=True)
    assert public.score == public.max_score  # the public checks need no secret
