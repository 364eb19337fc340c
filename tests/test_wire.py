"""Replies from a worker decode to plain data and never run code in the grader."""

import io
import pickle
import socket
import threading
import time

import pytest
import torch

from grader import wire
from grader.worker import plain


def received(payload: bytes):
    """What the grader makes of ``payload`` sent as a worker's reply."""
    left, right = socket.socketpair()
    with left, right:
        wire.send_reply(left, payload)
        return wire.recv_reply(right)


def roundtrip(value):
    return received(wire.encode_reply(value))


@pytest.mark.parametrize("dtype", list(wire.DTYPES.values()), ids=list(wire.DTYPES))
@pytest.mark.parametrize("shape", [(), (0, 3), (2, 3)], ids=["scalar", "empty", "matrix"])
def test_tensors_come_back_equal(dtype, shape):
    tensor = (torch.randn(shape) * 10).to(dtype)
    back = roundtrip(tensor)
    assert back.dtype == dtype and back.shape == tensor.shape and torch.equal(back, tensor)


def test_views_and_containers_come_back_as_plain_data():
    matrix = torch.randn(4, 3)
    value = {"t": matrix.t(), "column": matrix[:, 1], "items": (1, 2.5, "x", b"y", None, 3 + 4j),
             "sparse": plain(torch.eye(2).to_sparse())}
    back = roundtrip(value)
    assert torch.equal(back["t"], matrix.t()) and torch.equal(back["column"], matrix[:, 1])
    assert back["items"] == (1, 2.5, "x", b"y", None, 3 + 4j)
    assert torch.equal(back["sparse"], torch.eye(2))


class RunsCode:
    def __reduce__(self):
        return (print, ("this must never run",))


@pytest.mark.parametrize("payload", [
    pickle.dumps(RunsCode()),
    pickle.dumps({"ok": True, "value": torch.ones(2)}),  # an ordinary pickle names torch's rebuilders
], ids=["global", "torch-pickle"])
def test_anything_naming_code_is_refused(payload, capsys):
    with pytest.raises(wire.WireError):
        received(payload)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("pid", [
    ("tensor", "float32", (2,), b"\0" * 7),  # too few bytes for two floats
    ("tensor", "float32", (-1,), b""),
    ("tensor", "object", (1,), b"\0"),
    ("module", "os", "system"),
], ids=["short", "negative", "dtype", "kind"])
def test_malformed_tensors_are_refused(pid):
    class Sender(pickle.Pickler):
        def persistent_id(self, obj):
            return pid if obj is marker else None

    marker = object()
    buffer = io.BytesIO()
    Sender(buffer).dump({"value": marker})
    with pytest.raises(wire.WireError):
        received(buffer.getvalue())


def test_a_reply_that_trickles_in_ends_by_its_deadline():
    left, right = socket.socketpair()
    with left, right:
        left.sendall(wire.HEADER.pack(100))

        def trickle():
            for _ in range(20):
                try:
                    left.send(b"x")
                except OSError:
                    return
                time.sleep(0.1)

        sender = threading.Thread(target=trickle, daemon=True)
        sender.start()
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            wire.recv_reply(right, deadline=started + 0.5)
        assert time.monotonic() - started < 1.0  # each byte renewed a per-recv timeout


def shared(depth: int) -> list:
    value = []
    for _ in range(depth):
        value = [value, value]
    return value


def test_a_reply_that_shares_itself_is_refused_at_once():
    payload = pickle.dumps({"ok": True, "value": shared(30)})
    assert len(payload) < 1000  # 2**30 lists once expanded
    started = time.monotonic()
    with pytest.raises(wire.WireError, match="shared"):
        received(payload)
    assert time.monotonic() - started < 1
    loop = []
    loop.append(loop)
    with pytest.raises(wire.WireError, match="shared"):
        received(pickle.dumps(loop))
    deep = []
    for _ in range(100):
        deep = [deep]
    with pytest.raises(wire.WireError, match="deep"):
        received(pickle.dumps(deep))
    with pytest.raises(wire.WireError, match="integer"):
        received(pickle.dumps(10 ** 100_000))


def test_replies_come_back_with_every_string_capped():
    back = received(pickle.dumps({"ok": True, "value": [(), (), "x", "x"], "name": "E" * 50_000}))
    assert back["value"] == [(), (), "x", "x"]
    assert len(back["name"]) < wire.MAX_STRING_CHARS + 100 and "more characters" in back["name"]
