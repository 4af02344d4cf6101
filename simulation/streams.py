"""The model's random generator inside compiled kernels, drawing the numbers Python would.

A kernel that draws is given the model's `Stream` — the addresses of its NumPy generator's bit
generator (its state and its `next_uint64`, `next_uint32` and `next_double` functions, from
NumPy's public `bit_generator.ctypes` interface) — and makes a generator of it with
`generator(stream)`. Numba implements the Generator methods `random`, `integers` and
`standard_exponential` with NumPy's own algorithms on the same bit generator state, so such a
draw made in a kernel is the draw the Python side would have made, in the same order: it can
move into a kernel without changing any result (tests/test_streams.py checks each, interleaved
with Python draws). Not Numba's `poisson`: its port of NumPy's algorithm for a mean of 10 or
more truncates a candidate where NumPy rounds it down, so now and then a draw differs (found in
a calibration run whose everyday contacts drew 0 instead of 15). Kernels draw Poisson numbers
with `poisson` below instead, NumPy's algorithms written out again on `random()` draws (a
test compares them with NumPy's draw for draw, and keeps kernels from Numba's method).

Numba's own way of passing a Generator reads this interface through ctypes on every call
(about 5 µs); a `Stream` is read once per model and passes as five integers (about 0.3 µs).
The model keeps its generator alive as long as its stream is used.
"""

from __future__ import annotations

import ctypes
from typing import NamedTuple

import numpy as np
from numba import types
from numba.core import cgutils
from numba.core.extending import intrinsic, register_jitable

from simulation.compiled import fixed_kind


@fixed_kind
class Stream(NamedTuple):
    """Where a NumPy generator's bit generator lives (addresses, as integers)."""

    state: int
    next_uint64: int
    next_uint32: int
    next_double: int
    bit_generator: int


def stream(rng: np.random.Generator) -> Stream:
    """The addresses kernels need to draw from `rng`; valid while `rng` lives."""
    interface = rng.bit_generator.ctypes

    def address(pointer: object) -> int:
        return int(ctypes.cast(pointer, ctypes.c_void_p).value)

    return Stream(
        address(interface.state),
        address(interface.next_uint64),
        address(interface.next_uint32),
        address(interface.next_double),
        address(interface.bit_generator),
    )


@intrinsic
def generator(typingctx, stream):
    """In a kernel: the NumPy Generator whose bit generator `stream` points to."""
    result = types.NumPyRandomGeneratorType("generator")

    def codegen(context, builder, signature, args):
        state, next_uint64, next_uint32, next_double, bit_generator = (
            builder.extract_value(args[0], k) for k in range(5)
        )
        bits = cgutils.create_struct_proxy(types.NumPyRandomBitGeneratorType("bit_generator"))(
            context, builder
        )
        bits.state_address = state
        bits.state = state
        bits.fnptr_next_uint64 = next_uint64
        bits.fnptr_next_uint32 = next_uint32
        bits.fnptr_next_double = next_double
        bits.bit_generator = bit_generator
        made = cgutils.create_struct_proxy(result)(context, builder)
        made.bit_generator = bits._getvalue()
        return made._getvalue()

    return result(stream), codegen


@register_jitable
def poisson(draw, lam):
    """In a kernel: a Poisson number of mean `lam` from `draw` (a generator made by
    `generator`), the number NumPy's `Generator.poisson(lam)` would draw from the same state:
    multiplication of uniforms below a mean of 10, else Hörmann's transformed rejection
    (PTRS, Hörmann 1993), each uniform one `random()`."""
    if lam >= 10:
        return _poisson_ptrs(draw, lam)
    if lam == 0:
        return 0
    limit = np.exp(-lam)
    count, product = 0, 1.0
    while True:
        product *= draw.random()
        if product > limit:
            count += 1
        else:
            return count


@register_jitable
def _poisson_ptrs(draw, lam):
    """NumPy's `random_poisson_ptrs`: a candidate is rounded down (`floor`), as there."""
    slam, loglam = np.sqrt(lam), np.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    while True:
        u = draw.random() - 0.5
        v = draw.random()
        us = 0.5 - np.fabs(u)
        k = np.int64(np.floor((2 * a / us + b) * u + lam + 0.43))
        if us >= 0.07 and v <= vr:
            return k
        if k < 0 or (us < 0.013 and v > us):
            continue
        if np.log(v) + np.log(invalpha) - np.log(a / (us * us) + b) <= (
            -lam + k * loglam - _loggam(k + 1)
        ):
            return k


@register_jitable
def _loggam(x):
    """NumPy's `random_loggam`: log Γ(x) by Stirling's series."""
    if x == 1.0 or x == 2.0:
        return 0.0
    n = np.int64(7 - x) if x < 7.0 else 0
    x0 = float(x) + n
    x2 = (1.0 / x0) * (1.0 / x0)
    series = _LOGGAM_SERIES[9]
    for k in range(8, -1, -1):
        series *= x2
        series += _LOGGAM_SERIES[k]
    gl = series / x0 + 0.5 * 1.8378770664093453 + (x0 - 0.5) * np.log(x0) - x0
    for _ in range(n):
        gl -= np.log(x0 - 1.0)
        x0 -= 1.0
    return gl


_LOGGAM_SERIES = np.array(
    [
        8.333333333333333e-02,
        -2.777777777777778e-03,
        7.936507936507937e-04,
        -5.952380952380952e-04,
        8.417508417508418e-04,
        -1.917526917526918e-03,
        6.410256410256410e-03,
        -2.955065359477124e-02,
        1.796443723688307e-01,
        -1.39243221690590e00,
    ]
)
