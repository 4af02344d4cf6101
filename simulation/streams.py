"""The model's random generator inside compiled kernels, drawing the numbers Python would.

A kernel that draws is given the model's `Stream` — the addresses of its NumPy generator's bit
generator (its state and its `next_uint64`, `next_uint32` and `next_double` functions, from
NumPy's public `bit_generator.ctypes` interface) — and makes a generator of it with
`generator(stream)`. Numba implements the Generator methods `random`, `integers` and
`standard_exponential` with NumPy's own algorithms on the same bit generator state, so such a
draw made in a kernel is the draw the Python side would have made, in the same order: it can
move into a kernel without changing any result (tests/test_streams.py checks each, interleaved
with Python draws). Not `poisson`: Numba's port of NumPy's algorithm for a mean of 10 or more
truncates a candidate where NumPy rounds it down, so now and then a draw differs (found in a
calibration run whose everyday contacts drew 0 instead of 15); Poisson draws stay in Python,
and a test keeps kernels from making them.

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
from numba.core.extending import intrinsic

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
