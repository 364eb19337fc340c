"""Does exercise6 grade on real CUDA? A proof to run once on a machine with an NVIDIA GPU.

NOT YET RUN ON HARDWARE. The cuda route (grader/cuda.py, grader/probes/exercise6.py) is
written for CUDA and proven only on machines without it, where it falls back to the
stand-in GPU; this script is what turns "written for" into "works", or says what broke.

In a fresh process per device (the fork-server inherits GRADER_DEVICE when it starts),
once with GRADER_DEVICE=cuda and once with the stand-in GPU, it grades
solutions/exercise6.py and a mutant that forgets ``.to(device)`` (the solution with
tests/mutants/exercise6/train_no_to_device.py after it), and runs train_one_epoch's
device probe once to see which route the worker took, and why not CUDA if it did not.
It prints both side by side and exits 0 only if the cuda run took the cuda route and
gave the stand-in's scores, check for check:

    python bench/gpu_proof.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SOLUTION = ROOT / "solutions" / "exercise6.py"
MUTANT = ROOT / "tests" / "mutants" / "exercise6" / "train_no_to_device.py"


def grade_here() -> dict:
    """In this process: the two gradings and the route the device probe took."""
    import tempfile

    from grader import catalog, engine

    server = engine.fork_server()  # first, as `grade` does: before any check is imported
    folder = Path(tempfile.mkdtemp(prefix="gpu-proof-"))
    mutant = folder / "exercise6.py"
    mutant.write_text(SOLUTION.read_text() + "\n" + MUTANT.read_text())
    out = {}
    for name, path in (("solution", SOLUTION), ("no .to(device)", mutant)):
        started = time.perf_counter()
        result = engine.grade("exercise6", path)
        out[name] = {"score": result.score, "max": result.max_score,
                     "seconds": round(time.perf_counter() - started, 2),
                     "checks": {c.name: [c.status, c.feedback] for t in result.tasks
                                for c in t.checks}}
    entry = catalog.load("exercise6")
    checks = sys.modules[entry.module_name]
    from grader.probes.exercise6 import prepare, train_probe
    from grader.student import Student, probe_path
    from grader.submission import read_submission

    submission = read_submission(SOLUTION, "exercise6")
    submission.setup, submission.probes = probe_path(prepare), tuple(entry.probe_modules)
    student = Student(server, submission,
                      engine.sandbox_config(with_cuda=engine.runs_cuda(entry.exercise)),
                      timeout=120)
    try:
        seen = student.probe(train_probe, "mlp", checks.initial_state("mlp", 1), 48, 16,
                             device_kind="gpu", catch=True, task="train_one_epoch")
    finally:
        student.close()
    device = seen["device"]
    out["route"] = {"route": device["route"], "why": device["why"],
                    "name_on_device": device["name_on_device"],
                    "param_devices": device["param_devices"]}
    return out


def run(device: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "GRADER_DEVICE"}
    if device:
        env["GRADER_DEVICE"] = device
    finished = subprocess.run([sys.executable, __file__, "--child"], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=900)
    if finished.returncode != 0:
        sys.exit(f"grading with GRADER_DEVICE={device} failed:\n{finished.stderr[-4000:]}")
    return json.loads(finished.stdout.splitlines()[-1])


def main() -> int:
    from grader import cuda

    # Asked through NVML only: this process must not start CUDA (grader/cuda.py).
    print(f"a CUDA device visible (asked through NVML): {cuda.visible()}")
    on_cuda, stand_in = run("cuda"), run(None)
    for title, seen in (("GRADER_DEVICE=cuda", on_cuda), ("stand-in GPU", stand_in)):
        route = seen["route"]
        print(f"\n{title}: route {route['route']!r}"
              + (f" (why not CUDA: {route['why']})" if route["why"] else "")
              + f"; the model's parameters on {route['param_devices']}")
        for name in ("solution", "no .to(device)"):
            graded = seen[name]
            print(f"  {name}: {graded['score']:g} / {graded['max']:g} in {graded['seconds']} s")
            for check, (status, feedback) in graded["checks"].items():
                if status != "passed":
                    print(f"    {status}: {check}: {feedback.splitlines()[0][:200]}")
    same = all({c: s for c, (s, _) in on_cuda[n]["checks"].items()}
               == {c: s for c, (s, _) in stand_in[n]["checks"].items()}
               for n in ("solution", "no .to(device)"))
    proven = on_cuda["route"]["route"] == "cuda" and same
    print("\nproven: the cuda route ran and gave the stand-in's verdicts" if proven else
          "\nNOT proven: " + ("the cuda route was not taken" if on_cuda["route"]["route"]
                              != "cuda" else "the verdicts differ from the stand-in's"))
    return 0 if proven else 1


if __name__ == "__main__":
    if sys.argv[1:] == ["--child"]:
        print(json.dumps(grade_here()))
    else:
        sys.exit(main())
