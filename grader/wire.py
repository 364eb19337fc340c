"""Messages between the grader and a worker: length-prefixed frames.

The grader's requests are trusted and pickled. The worker's replies are not:
they are written with torch.save and read with ``weights_only=True``, which
rebuilds tensors, numbers, strings and containers and refuses anything that
would run code on loading.
"""

from __future__ import annotations

import io
import pickle
import socket
import struct

import torch

HEADER = struct.Struct("!Q")
MAX_REPLY_BYTES = 256 * 1024 * 1024


class WireError(Exception):
    """A frame could not be read: the other side died or sent garbage."""


def _send_frame(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(HEADER.pack(len(payload)) + payload)


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    chunks, remaining = [], size
    while remaining:
        chunk = sock.recv(min(remaining, 1 << 20))
        if not chunk:
            raise WireError("connection closed")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _recv_frame(sock: socket.socket, limit: int) -> bytes:
    (size,) = HEADER.unpack(_recv_exactly(sock, HEADER.size))
    if size > limit:
        raise WireError(f"a reply of {size} bytes is over the {limit}-byte limit")
    return _recv_exactly(sock, size)


def send_request(sock: socket.socket, request: object) -> None:
    _send_frame(sock, pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL))


def recv_request(sock: socket.socket) -> object:
    return pickle.loads(_recv_frame(sock, 1 << 40))


def encode_reply(reply: object, save=torch.save) -> bytes:
    buffer = io.BytesIO()
    save(reply, buffer)
    return buffer.getvalue()


def send_reply(sock: socket.socket, payload: bytes) -> None:
    _send_frame(sock, payload)


def recv_reply(sock: socket.socket) -> object:
    payload = _recv_frame(sock, MAX_REPLY_BYTES)
    try:
        return torch.load(io.BytesIO(payload), weights_only=True)
    except Exception as exc:  # anything unreadable is the worker's fault, never ours
        raise WireError(f"the worker's reply could not be decoded safely: {exc}") from None
