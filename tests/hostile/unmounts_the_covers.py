# hostile: cross_entropy
import ctypes
import glob
import importlib.util


def cross_entropy(logits, targets):
    # Root inside a user namespace may unmount what covers the answers, unless its
    # capabilities are gone: try every mount point, deepest first, then look.
    libc = ctypes.CDLL(None, use_errno=True)
    with open("/proc/self/mountinfo") as mounts:
        points = [line.split()[4] for line in mounts]
    for _ in range(3):
        for point in sorted(points, key=len, reverse=True):
            libc.umount2(point.encode(), 2)  # MNT_DETACH
    found = [glob.glob(f"{top}/**/solutions/exercise3.py", recursive=True)
             for top in ("/work", "/home", "/root", "/tmp", "/opt", "/srv")]
    for path in sum(found, []):
        spec = importlib.util.spec_from_file_location("stolen", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.cross_entropy(logits, targets)
    raise RuntimeError("nothing to steal")
