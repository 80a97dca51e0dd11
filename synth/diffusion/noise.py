"""The initial noise of a take: ``torch.randn(shape, generator=torch.Generator().manual_seed(seed))``
drawn with numpy alone.

The diffusion models were first sampled with PyTorch's CPU generator; drawing the same numbers
without importing torch keeps every seed's take as it was. PyTorch's CPU generator is a standard
32-bit Mersenne Twister seeded with ``init_genrand(seed & 0xffffffff)`` (numpy's
:class:`numpy.random.MT19937` runs the same engine from that state), and ``randn`` turns its
32-bit words into normals in one of two ways (ATen ``normal_kernel``):

* 16 values or more: every value first gets a float32 uniform ``(word & 0xffffff) / 2**24``; then
  each block of 16 is Box-Muller transformed in float32 (values ``j`` and ``j + 8`` of a block
  from ``u1 = 1 - u[j]``, ``u2 = u[j + 8]``); when the count is not a multiple of 16 the last 16
  values are drawn again and transformed as one block;
* fewer than 16: one double-precision Box-Muller pair per two values, each uniform built from two
  words (``((w1 << 32 | w2) & (2**53 - 1)) / 2**53``), the pair's sine kept for the next value.

PyTorch computes the float32 transcendental functions with its own vector library, so a value
may differ from this one in the last bit (a relative 1e-7), never more.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

_MT_N = 624


def _mt19937(seed: int) -> np.random.MT19937:
    """numpy's Mersenne Twister in the state of C++'s ``std::mt19937(seed & 0xffffffff)``."""
    key = np.empty(_MT_N, np.uint32)
    value = int(seed) & 0xFFFFFFFF
    key[0] = value
    for i in range(1, _MT_N):
        value = (1812433253 * (value ^ (value >> 30)) + i) & 0xFFFFFFFF
        key[i] = value
    engine = np.random.MT19937()
    engine.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": _MT_N}}
    return engine


def _words(engine: np.random.MT19937, count: int) -> np.ndarray:
    """The engine's next ``count`` 32-bit outputs as uint64."""
    return engine.random_raw(count).astype(np.uint64)


def _box_muller_blocks(uniform: np.ndarray) -> np.ndarray:
    """(k*16,) float32 uniforms -> (k*16,) float32 normals, PyTorch's ``normal_fill_16`` per block."""
    block = uniform.reshape(-1, 2, 8)
    u1 = np.float32(1.0) - block[:, 0]
    u2 = block[:, 1]
    radius = np.sqrt(np.float32(-2.0) * np.log(u1))
    theta = np.float32(2.0 * math.pi) * u2
    return np.stack([radius * np.cos(theta), radius * np.sin(theta)], axis=1).reshape(-1)


def torch_randn(shape: Sequence[int], seed: int) -> np.ndarray:
    """``shape`` float32 standard normals, as PyTorch's CPU ``randn`` draws them from a generator
    seeded with ``seed`` (any int; only its low 32 bits count, as in PyTorch)."""
    count = int(np.prod(shape, dtype=np.int64))
    engine = _mt19937(seed)
    if count >= 16:
        uniform = (_words(engine, count) & 0xFFFFFF).astype(np.float32) * np.float32(2.0 ** -24)
        out = np.empty(count, np.float32)
        whole = count - count % 16
        out[:whole] = _box_muller_blocks(uniform[:whole])
        if whole < count:  # the last 16 values are redrawn and transformed as one block
            again = (_words(engine, 16) & 0xFFFFFF).astype(np.float32) * np.float32(2.0 ** -24)
            out[count - 16:] = _box_muller_blocks(again)
        return out.reshape(tuple(shape))
    out = np.empty(count, np.float32)
    cached = None
    for i in range(count):
        if cached is not None:
            out[i], cached = cached, None
            continue
        w = _words(engine, 4)
        u1, u2 = (float(((int(w[k]) << 32) | int(w[k + 1])) & ((1 << 53) - 1)) * 2.0 ** -53
                  for k in (0, 2))
        radius = math.sqrt(-2.0 * math.log1p(-u2))
        theta = 2.0 * math.pi * u1
        cached = radius * math.sin(theta)
        out[i] = radius * math.cos(theta)
    return out.reshape(tuple(shape))
