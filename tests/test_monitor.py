"""The integrity monitor's judgements, tried in this process (no audit hook is installed
here: that happens in the fork-server). Honest work raising no flags is proved by
`grade check`, hostile work raising them by tests/test_hostile.py."""

import sys

from grader import monitor, tracing


def armed(tmp_path) -> monitor.Monitor:
    watcher = monitor.Monitor()
    watcher.filename = "exercise3.py"
    watcher.workdir = str(tmp_path)
    watcher.allowed_roots = (sys.prefix.rstrip("/") + "/",)
    return watcher


def test_a_submission_may_read_its_folder_python_and_proc_but_nothing_else(tmp_path):
    watcher = armed(tmp_path)
    assert not watcher.outside("checkpoint.pt") and not watcher.outside(str(tmp_path / "a"))
    assert not watcher.outside(sys.prefix + "/lib/python3/os.py")
    assert not watcher.outside("/proc/self/status")
    assert watcher.outside("/etc/passwd") and watcher.outside("../../etc/passwd")
    assert watcher.outside(monitor.GRADER + "/checks/exercise3.py")


def test_a_patched_grader_method_shows_in_the_snapshot():
    before = monitor.grader_state()
    original = tracing.Trace.__enter__
    tracing.Trace.__enter__ = lambda self: self
    try:
        assert monitor.changed(before) == ["grader.tracing.Trace.__enter__"]
        assert not tracing.Trace().intact()
    finally:
        tracing.Trace.__enter__ = original
    assert monitor.changed(before) == []
    assert tracing.Trace().intact()


def test_flags_are_kept_once_and_capped():
    watcher = monitor.Monitor()
    for i in range(monitor.MAX_FLAGS + 10):
        watcher.flag("gc", "gc.get_objects")
        watcher.flag("reads-outside-its-folder", f"/etc/file{i}")
    assert len(watcher.report()) == monitor.MAX_FLAGS
    assert watcher.report()[0] == {"kind": "gc", "detail": "gc.get_objects"}
