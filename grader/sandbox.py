"""The walls around a worker: namespaces, hidden folders, resource limits, no privileges.

Everything here runs inside the freshly forked worker, before any student code.
Linux namespaces do the real work: a private mount namespace covers the
answers (solutions, checks, tests, the class's other submissions) with empty
tmpfs mounts, a network namespace with no interfaces cuts the network, and a
PID namespace makes the worker the init of its own process tree, so that
killing it kills every process the submission started. Where namespaces are
not available the worker still gets limits and, under root, an unprivileged
user, and the grader says once that the file-system guard is weaker.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import site
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_NOSUID, MS_NODEV, MS_NOEXEC = 2, 4, 8
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18

PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
CAPABILITY_VERSION_3 = 0x20080522

# Unprivileged users for workers start here; each worker gets its own, so one
# submission's processes never count against another's process limit.
WORKER_UID_BASE = 200_000

_libc = ctypes.CDLL(None, use_errno=True)


@dataclass
class Limits:
    cpu_seconds: int = 120
    memory_bytes: int = 3 * 1024**3  # on top of what the torch-loaded process already maps
    # A worker that must run CUDA (grader/cuda.py) is held to its data (RLIMIT_DATA) rather
    # than its address space: CUDA reserves far more address space than that as it starts,
    # inaccessible mappings that hold no memory and that RLIMIT_DATA leaves out.
    cuda: bool = False
    processes: int = 64
    file_bytes: int = 16 * 1024**2
    open_files: int = 256


@dataclass
class SandboxConfig:
    limits: Limits = field(default_factory=Limits)
    hidden: list[str] = field(default_factory=list)  # folders the submission must not read
    use_namespaces: bool = True


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None):
    _check(
        _libc.mount(
            source.encode() if source else None,
            target.encode(),
            fstype.encode() if fstype else None,
            flags,
            data.encode() if data else None,
        ),
        f"mount {target}",
    )


def die_with_parent() -> None:
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def end_child(pid: int) -> None:
    """Kill a child process of ours outright and reap it (one already gone: nothing to do)."""
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def _task_count(uid: int) -> int:
    """Threads and processes that already count against ``uid``'s process limit."""
    count = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            status = Path(entry.path, "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields.get("Uid", "-1").split()[0]) == uid:
            count += int(fields.get("Threads", "1"))
    return count


def enter_namespaces() -> bool:
    """Called by the worker's parent: its next child starts in fresh namespaces."""
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS
    uid, gid = os.getuid(), os.getgid()
    if uid != 0:
        flags |= CLONE_NEWUSER
    if _libc.unshare(flags) != 0:
        return False
    if uid != 0:
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"0 {uid} 1")
        Path("/proc/self/gid_map").write_text(f"0 {gid} 1")
    return True


def needed_paths() -> list[str]:
    """Folders the worker must still read after the walls go up: Python, its packages and
    the grader package itself (its checks are covered again)."""
    import torch

    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, *site.getsitepackages()}
    candidates.add(str(Path(torch.__file__).resolve().parent.parent))
    # The grader package itself, not the folder holding it: in the course tree that folder holds
    # .git, solutions and the course secret, and nothing of it but grader/ may be in sight.
    candidates.add(str(Path(__file__).resolve().parent))
    return sorted(p for p in candidates if os.path.isdir(p))


def _cover(folder: str, keep: list[str], mode: str = "0755") -> None:
    """Mount an empty tmpfs over ``folder``, binding back the ``keep`` paths inside it."""
    inside = [k for k in keep if k != folder and k.startswith(folder.rstrip("/") + "/")]
    if any(k == folder or folder.startswith(k.rstrip("/") + "/") for k in keep):
        return  # covering it would hide what the worker needs
    # Open the kept folders before they disappear under the tmpfs, then bind them back by fd.
    handles = [(k, os.open(k, os.O_PATH | os.O_DIRECTORY)) for k in inside]
    _mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, f"size=64m,mode={mode}")
    for path, fd in handles:
        os.makedirs(path, exist_ok=True)
        _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC, None)
        os.close(fd)


def _blocked_ancestor(path: str) -> str | None:
    """The highest folder on ``path`` that other users may not enter, if any."""
    current = Path("/")
    for part in Path(path).parts[1:]:
        current = current / part
        if not os.stat(current).st_mode & stat.S_IXOTH:
            return str(current)
    return None


# Top-level folders a worker may see as they are. Every other one (/home, /root, /work,
# /opt, /srv, /var, /tmp, ...) is covered by an empty tmpfs, with only the paths Python
# needs bound back: hiding this course's answers is not enough when another checkout of
# the course, or an instructor's files, may lie elsewhere on the machine.
SYSTEM_FOLDERS = {"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc", "proc", "dev", "sys"}


def build_walls(config: SandboxConfig) -> None:
    """Inside the new namespaces: private mounts, a fresh /proc, nothing but Python in sight."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE, None)
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)
    keep = needed_paths()
    for entry in os.scandir("/"):
        if entry.name in SYSTEM_FOLDERS or entry.is_symlink() or not entry.is_dir():
            continue
        _cover(entry.path, keep, mode="1777" if entry.name == "tmp" else "0755")
    if os.path.isdir("/dev/shm"):
        _cover("/dev/shm", keep, mode="1777")
    for secret in config.hidden:
        if os.path.isdir(secret):
            _mount("tmpfs", secret, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=000")


def make_workdir(owner: int | None) -> str:
    path = "/tmp/work"
    os.makedirs(path, exist_ok=True)
    if owner is not None:
        os.chown(path, owner, owner)
    os.chmod(path, 0o700)
    return path


def _vm(field: str = "VmSize") -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    return 0


def apply_limits(limits: Limits, owner: int | None) -> None:
    def cap(which: int, value: int) -> None:
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value))

    cap(resource.RLIMIT_CPU, limits.cpu_seconds)
    if limits.cuda:
        cap(resource.RLIMIT_DATA, _vm("VmData") + limits.memory_bytes)
    else:
        cap(resource.RLIMIT_AS, _vm("VmSize") + limits.memory_bytes)
    cap(resource.RLIMIT_FSIZE, limits.file_bytes)
    cap(resource.RLIMIT_NOFILE, limits.open_files)
    cap(resource.RLIMIT_CORE, 0)
    already = 1 if owner is not None else _task_count(os.getuid())
    cap(resource.RLIMIT_NPROC, already + limits.processes)
    # A write past the file-size limit should fail with an error, not kill the worker.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def drop_privileges(uid: int | None) -> None:
    """Become ``uid`` (when the grader is root) and give up every capability.

    Under an ordinary user the worker is root inside its own user namespace,
    which would let it unmount the very covers that hide the answers; so the
    capabilities go in every case, bounding set first (it needs CAP_SETPCAP).
    """
    last = int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    for capability in range(last + 1):
        _libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    if uid is not None:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    header = (ctypes.c_uint32 * 2)(CAPABILITY_VERSION_3, 0)
    _check(_libc.capset(header, (ctypes.c_uint32 * 6)()), "capset")


def lock_down(config: SandboxConfig, in_namespaces: bool, worker_uid: int | None) -> str:
    """Everything between fork and student code; returns the worker's scratch folder.

    ``worker_uid`` is the unprivileged user to become when the grader runs as
    root, None otherwise (decided before the user namespace made us its root).
    """
    owner = worker_uid
    if owner is not None and not in_namespaces and any(map(_blocked_ancestor, needed_paths())):
        # Without a mount namespace there is no way to let another user into a folder like
        # /root where Python lives; dropping privileges would break the submission's imports.
        owner = None
    if in_namespaces:
        build_walls(config)
        workdir = make_workdir(owner)
    else:
        import tempfile

        workdir = tempfile.mkdtemp(prefix="grader-work-")
        if owner is not None:
            os.chown(workdir, owner, owner)
    os.chdir(workdir)
    try:  # under memory pressure the kernel should kill a submission, never the grader
        Path("/proc/self/oom_score_adj").write_text("1000")
    except OSError:
        pass
    os.environ["HOME"] = workdir
    os.environ["TMPDIR"] = workdir
    apply_limits(config.limits, owner)
    drop_privileges(owner)
    _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    die_with_parent()  # a change of user clears this, so it is set again last
    return workdir
