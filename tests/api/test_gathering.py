"""PendingRequest knows when a request is whole however its bytes are split; past BUFFER they go to a file."""

import socket

import pytest

from api.plumbing.gathering import BUFFER, GatheredUnreader, PendingRequest

HEAD = b"POST /v1/screenings/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"


def chunked(body: bytes, piece: int) -> bytes:
    parts = [HEAD + b"Transfer-Encoding: chunked\r\n\r\n"]
    for start in range(0, len(body), piece):
        part = body[start : start + piece]
        parts.append(b"%x\r\n" % len(part) + part + b"\r\n")
    return b"".join(parts) + b"0\r\n\r\n"


def fed_in(raw: bytes, step: int, max_body: int | None = 1 << 24, keep=False) -> tuple[PendingRequest, int | None]:
    """Feed `raw` `step` bytes at a time; the request and after how many bytes it said it was whole.

    Its spill file is closed unless `keep` (then the caller closes it).
    """
    pending = PendingRequest(deadline=0, max_body=max_body)
    whole_at = None
    for at in range(0, len(raw), step):
        if pending.feed(raw[at : at + step]):
            whole_at = min(at + step, len(raw))
            break
    if not keep:
        pending.close()
    return pending, whole_at


@pytest.mark.parametrize("step", [1, 7, 4096, 65536])
@pytest.mark.parametrize("size", [10, 300 * 1024])
def test_a_chunked_body_is_whole_exactly_at_its_last_chunk_however_it_is_split(step, size):
    raw = chunked(b"[" + b" " * (size - 2) + b"]", piece=1000)
    pending, whole_at = fed_in(raw, step)
    assert whole_at == len(raw)
    assert fed_in(raw[:-2], step)[1] is None  # the last CRLF missing: not yet


@pytest.mark.parametrize("step", [3, 65536])
def test_a_content_length_body_past_the_buffer_is_whole_at_its_length_and_kept_in_a_file(step):
    body = b"x" * (BUFFER * 2)
    raw = HEAD + b"Content-Length: %d\r\n\r\n" % len(body) + body
    pending, whole_at = fed_in(raw, step, keep=True)
    assert whole_at == len(raw)
    assert len(pending.data) == BUFFER and pending.spill is not None
    pending.spill.seek(0)
    assert bytes(pending.data) + pending.spill.read() == raw
    pending.close()


def test_a_body_announced_past_the_limit_is_handed_over_at_its_head():
    raw = HEAD + b"Content-Length: 5000\r\n\r\n"
    assert fed_in(raw, 65536, max_body=4000)[1] == len(raw)


def test_a_chunked_body_past_the_limit_is_handed_over_when_it_passes_it():
    raw = chunked(b"y" * 50_000, piece=1000)
    _, whole_at = fed_in(raw, 100, max_body=20_000)
    assert whole_at is not None and whole_at < len(raw) // 2


def test_the_unreader_gives_the_file_in_pieces_no_larger_than_gunicorns_then_the_socket(tmp_path):
    left, right = socket.socketpair()
    with left, right, open(tmp_path / "spill", "w+b") as spill:
        spill.write(b"a" * (3 << 20))
        right.sendall(b"then the socket")
        unreader = GatheredUnreader(left, spill)
        pieces = [unreader.chunk(size_hint=16 << 20) for _ in range(3)]
        assert [len(piece) for piece in pieces] == [1 << 20] * 3
        assert unreader.chunk() == b"then the socket"
