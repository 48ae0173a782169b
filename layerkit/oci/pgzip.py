"""gzip on every core, reproducibly: the stream is cut into fixed 1 MiB blocks of input,
each deflated on its own thread with the 32 KiB before it as a preset dictionary (so the
ratio stays that of one stream), ended with a sync flush (the last with the final block),
and written in order with one gzip header and trailer. The same input always gives the
same bytes, whatever the number of threads (the cuts depend on the input only). Any gzip
reader reads it: it is one ordinary deflate stream."""

from __future__ import annotations

import os
import struct
import zlib
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor

BLOCK = 1 << 20
WINDOW = 32 << 10
# mtime 0, no name, OS unknown: the header depends on nothing but the format
HEADER = b"\x1f\x8b\x08\x00" + struct.pack("<I", 0) + b"\x00\xff"
_POOL = ThreadPoolExecutor(max_workers=os.cpu_count() or 2)


def _deflate(level: int, data: bytes, zdict: bytes, last: bool) -> bytes:
    z = zlib.compressobj(level, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY,
                         **({"zdict": zdict} if zdict else {}))
    return z.compress(data) + z.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


class ParallelGzip:
    """A write-only gzip stream over `sink` (something with write())."""

    def __init__(self, sink, level: int, ahead: int = 2 * (os.cpu_count() or 2)):
        self.sink, self.level, self.ahead = sink, level, ahead
        self.buf = bytearray()
        self.tail = b""  # the last WINDOW bytes of input already submitted
        self.crc, self.size = 0, 0
        self.pending: deque[Future] = deque()
        self.sink.write(HEADER)

    def write(self, data: bytes) -> int:
        self.buf += data
        while len(self.buf) >= BLOCK:
            self._submit(bytes(self.buf[:BLOCK]), last=False)
            del self.buf[:BLOCK]
        return len(data)

    def flush(self) -> None:
        pass  # blocks are cut by size only, so the output never depends on flushes

    def _submit(self, block: bytes, last: bool) -> None:
        self.crc = zlib.crc32(block, self.crc)
        self.size += len(block)
        self.pending.append(_POOL.submit(_deflate, self.level, block, self.tail, last))
        self.tail = (self.tail + block)[-WINDOW:]
        while len(self.pending) > self.ahead:
            self.sink.write(self.pending.popleft().result())

    def close(self) -> None:
        self._submit(bytes(self.buf), last=True)
        self.buf = bytearray()
        while self.pending:
            self.sink.write(self.pending.popleft().result())
        self.sink.write(struct.pack("<II", self.crc & 0xFFFFFFFF, self.size & 0xFFFFFFFF))
