"""The stand-in GPU of grader/fakedevice.py still works with this torch.

It rests on private PyTorch APIs, so these tests are the alarm after an upgrade.
Installing it changes process-wide state (a renamed PrivateUse1 backend, two
torch flags, autograd's threading), so every test runs in a forked child, as a
grading worker does - after a backward pass in the parent, as in the fork-server.
"""

import os
import pickle
import traceback

import pytest
import torch

from grader import fakedevice


def in_forked_worker(function):
    """Run ``function`` in a fork of this process; return its result or fail with its error."""
    torch.ones(1, requires_grad=True).sum().backward()  # the fork-server's warm-up does this
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        # As in a grading worker: one thread. An OpenMP pool the parent (pytest, after other
        # tests) already used cannot be entered again in a forked child; it would hang.
        torch.set_num_threads(1)
        try:
            outcome = ("ok", function())
        except BaseException:
            outcome = ("error", traceback.format_exc())
        with os.fdopen(write, "wb") as pipe:
            pipe.write(pickle.dumps(outcome))
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    if not data:
        pytest.fail("the forked worker died without an answer")
    status, value = pickle.loads(data)
    if status == "error":
        pytest.fail(value)
    return value


def installs_and_passes_its_self_test():
    fakedevice.install()
    return str(torch.zeros(2, device=fakedevice.NAME).device)


def test_the_device_installs_after_a_backward_in_the_parent():
    assert in_forked_worker(installs_and_passes_its_self_test) == "gpu:0"


def mixing_devices_message():
    fakedevice.install()
    on_device = torch.randn(3, 4).to(fakedevice.NAME)
    try:
        torch.nn.Linear(4, 2).to(fakedevice.NAME)(torch.randn(5, 4))
    except RuntimeError as exc:
        model_error = str(exc)
    else:
        model_error = None
    scalar = (on_device * torch.tensor(2.0)).sum().item()  # CPU scalars mix, as with CUDA
    return model_error, isinstance(scalar, float)


def test_a_device_tensor_meeting_a_cpu_tensor_fails_as_on_cuda():
    model_error, scalar_mixes = in_forked_worker(mixing_devices_message)
    assert model_error is not None
    assert "Expected all tensors to be on the same device" in model_error
    assert "gpu:0 and cpu" in model_error
    assert scalar_mixes


def conv_training_on_cpu_and_device():
    fakedevice.install()

    def net():
        torch.manual_seed(0)
        return torch.nn.Sequential(
            torch.nn.Conv2d(1, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
            torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Dropout(0.3),
            torch.nn.Linear(36, 10), torch.nn.LogSoftmax(dim=1))

    x, y = torch.randn(8, 1, 8, 8), torch.randint(0, 10, (8,))
    results = []
    for device in ("cpu", fakedevice.NAME):
        model = net()
        optimizer = torch.optim.Adam(model.parameters(), lr=0.01)  # built before the move
        model.to(device)
        torch.manual_seed(1)
        for _ in range(3):
            optimizer.zero_grad()
            loss = torch.nn.functional.nll_loss(model(x.to(device)), y.to(device))
            loss.backward()
            optimizer.step()
        placed = all(fakedevice.on_device(p) for p in model.parameters())
        results.append((device, placed, [t.detach().cpu() for t in model.state_dict().values()]))
    return results


def test_training_on_the_device_gives_the_cpus_numbers_exactly():
    (_, _, on_cpu), (_, placed, on_device) = in_forked_worker(conv_training_on_cpu_and_device)
    assert placed, "module.to(device) left parameters off the device"
    assert all(torch.equal(a, b) for a, b in zip(on_cpu, on_device))


def failed_install_state(monkeypatch_self_test):
    fakedevice.self_test = monkeypatch_self_test
    try:
        fakedevice.install()
    except RuntimeError as exc:
        message = str(exc)
    else:
        message = None
    return (message, torch.__future__.get_swap_module_params_on_conversion(),
            torch.autograd.is_multithreading_enabled(), fakedevice.available())


def broken_self_test():
    raise AssertionError("fake device self-test: simulated torch upgrade")


def test_a_failed_install_says_why_and_restores_the_flags():
    message, swap, threads, available = in_forked_worker(
        lambda: failed_install_state(broken_self_test))
    assert message is not None and "simulated torch upgrade" in message
    assert (swap, threads, available) == (False, True, False)
