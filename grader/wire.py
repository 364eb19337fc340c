"""Messages between the grader and a worker: length-prefixed frames.

The grader's requests are trusted and pickled. The worker's replies are not,
since the submission runs in that process and may write anything: they are
pickles that name no class or function at all (the decoder refuses every
global but ``complex``), with each tensor sent as its dtype, shape and raw
bytes and rebuilt by the grader. So a reply holds numbers, strings, bytes,
containers and tensors, and decoding it runs no code. (This is what
``torch.load(weights_only=True)`` guarantees, at a tenth of its cost: its
unpickler is written in Python.)

What a reply decodes to is bounded as well: a few hundred bytes of pickle can
share one list with itself thirty levels deep, which the grader's ``repr``
would expand into 2**30 items. Every decoded reply is copied into a tree that
shares no container, of at most ``MAX_REPLY_NODES`` items and ``MAX_REPLY_DEPTH``
levels, with every string cut to ``MAX_STRING_CHARS``; reading it ends by the caller's deadline however
slowly the bytes trickle in.
"""

from __future__ import annotations

import io
import math
import pickle
import socket
import struct
import time

import torch

HEADER = struct.Struct("!Q")
MAX_REPLY_BYTES = 256 * 1024 * 1024
MAX_REPLY_NODES = 1_000_000
MAX_REPLY_DEPTH = 64
MAX_STRING_CHARS = 10_000
MAX_INT_BITS = 4096


class WireError(Exception):
    """A frame could not be read: the other side died or sent garbage."""


def _send_frame(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(HEADER.pack(len(payload)) + payload)


def _recv_exactly(sock: socket.socket, size: int, deadline: float | None = None) -> bytes:
    """``size`` bytes, all of them by ``deadline`` (time.monotonic()): a sender that trickles
    one byte at a time cannot renew a timeout that is per recv."""
    chunks, remaining = [], size
    while remaining:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the reply did not arrive in time")
            sock.settimeout(left)
        chunk = sock.recv(min(remaining, 1 << 20))
        if not chunk:
            raise WireError("connection closed")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _recv_frame(sock: socket.socket, limit: int, deadline: float | None = None) -> bytes:
    (size,) = HEADER.unpack(_recv_exactly(sock, HEADER.size, deadline))
    if size > limit:
        raise WireError(f"a reply of {size} bytes is over the {limit}-byte limit")
    return _recv_exactly(sock, size, deadline)


def send_request(sock: socket.socket, request: object) -> None:
    _send_frame(sock, pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL))


def recv_request(sock: socket.socket) -> object:
    return pickle.loads(_recv_frame(sock, 1 << 40))


DTYPES = {str(dtype).removeprefix("torch."): dtype for dtype in (
    torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64,
    torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.complex64, torch.complex128)}


class _ReplyPickler(pickle.Pickler):
    def persistent_id(self, obj):
        if not isinstance(obj, torch.Tensor):
            return None
        tensor = obj.detach().to("cpu").contiguous()
        name = str(tensor.dtype).removeprefix("torch.")
        if name not in DTYPES or tensor.layout != torch.strided:
            raise pickle.PicklingError(f"a {tensor.layout} tensor of {tensor.dtype} cannot be "
                                       "sent back to the grader")
        data = tensor.reshape(-1).view(torch.uint8).numpy().tobytes()
        return ("tensor", name, tuple(tensor.shape), data)


class _ReplyUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) == ("builtins", "complex"):
            return complex
        raise pickle.UnpicklingError(f"a reply may not name {module}.{name}")

    def persistent_load(self, pid):
        return _tensor(pid)


def _tensor(pid) -> torch.Tensor:
    """A tensor rebuilt from ("tensor", dtype name, shape, raw bytes), checked field by field."""
    if not (isinstance(pid, tuple) and len(pid) == 4 and pid[0] == "tensor"):
        raise pickle.UnpicklingError("a reply refers to something that is not a tensor")
    _, name, shape, data = pid
    dtype = DTYPES.get(name) if isinstance(name, str) else None
    if dtype is None or not isinstance(shape, tuple) or type(data) is not bytes \
            or not all(type(n) is int and n >= 0 for n in shape):
        raise pickle.UnpicklingError("a tensor in a reply is malformed")
    itemsize = torch.empty((), dtype=dtype).element_size()
    if len(data) != math.prod(shape) * itemsize:
        raise pickle.UnpicklingError("a tensor in a reply has the wrong number of bytes")
    if not data:
        return torch.empty(shape, dtype=dtype)
    return torch.frombuffer(bytearray(data), dtype=torch.uint8).view(dtype).reshape(shape)


def encode_reply(reply: object) -> bytes:
    buffer = io.BytesIO()
    _ReplyPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(reply)
    return buffer.getvalue()


def send_reply(sock: socket.socket, payload: bytes) -> None:
    _send_frame(sock, payload)


def cap_string(text: str, limit: int = MAX_STRING_CHARS) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f" [... {len(text) - limit} more characters]"


_ATOMS = (type(None), bool, int, float, complex, bytes, torch.Tensor)


class _Bounded:
    """Copies a decoded reply into a tree within the budgets. A container met twice (shared,
    or holding itself) is refused: nothing an honest worker sends shares one, and sharing is
    how a few bytes of pickle grow exponentially once rendered."""

    def __init__(self):
        self.nodes = 0
        self.seen: set[int] = set()

    def copy(self, value, depth: int = 0):
        kind = type(value)
        if kind is str:
            return cap_string(value)
        if kind in _ATOMS:
            if kind is int and value.bit_length() > MAX_INT_BITS:
                raise pickle.UnpicklingError(f"it holds an integer of over {MAX_INT_BITS} bits")
            return value
        self.nodes += len(value) + 1 if kind in (list, tuple, dict, set, frozenset) else 1
        if self.nodes > MAX_REPLY_NODES or depth > MAX_REPLY_DEPTH:
            raise pickle.UnpicklingError(f"it holds more than {MAX_REPLY_NODES} items or is "
                                         f"nested more than {MAX_REPLY_DEPTH} levels deep")
        if kind not in (list, tuple, dict, set, frozenset):
            raise pickle.UnpicklingError(f"it holds a {kind.__name__}")
        if value:  # () is one shared object in every process; empty ones cannot grow
            if id(value) in self.seen:
                raise pickle.UnpicklingError("it holds shared references")
            self.seen.add(id(value))
        if kind is dict:
            return {self.copy(k, depth + 1): self.copy(v, depth + 1) for k, v in value.items()}
        return kind([self.copy(item, depth + 1) for item in value])


def decode_reply(payload: bytes) -> object:
    try:
        return _Bounded().copy(_ReplyUnpickler(io.BytesIO(payload)).load())
    except Exception as exc:  # anything unreadable is the worker's fault, never ours
        raise WireError(f"the worker's reply could not be decoded safely: {exc}") from None


def recv_reply(sock: socket.socket, deadline: float | None = None) -> object:
    """The worker's next reply, decoded and bounded; TimeoutError past ``deadline``."""
    return decode_reply(_recv_frame(sock, MAX_REPLY_BYTES, deadline))
