"""A kernel drawing from the model's stream draws exactly what NumPy would have drawn."""

import importlib
import inspect

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation import compiled
from simulation.compiled import kernel
from simulation.model import NeighbourhoodModel
from simulation.streams import generator, poisson, stream
from tests.conftest import small_config


@kernel
def _draws(source, sizes, lam):
    """Each method the model's kernels use, scalar and array forms (`integers` also over a
    range of one value, which draws nothing), in a fixed order."""
    g = generator(source)
    out = np.empty(0)
    for n in sizes:
        part = np.empty(5 + 3 * n)
        part[0] = g.random()
        part[1] = g.integers(0, n + 1)
        part[2] = g.standard_exponential()
        part[3] = g.integers(0, 1000 * n + 7)
        part[4] = g.random() * lam
        part[5 : 5 + n] = g.random(n)
        part[5 + n : 5 + 2 * n] = g.integers(0, n + 1, n)
        part[5 + 2 * n :] = g.standard_exponential(n)
        out = np.concatenate((out, part))
    return out


def _numpy(rng, sizes, lam):
    out = []
    for n in sizes:
        out += [rng.random(), rng.integers(n + 1), rng.standard_exponential()]
        out += [rng.integers(1000 * n + 7), rng.random() * lam]
        out += [*rng.random(n), *rng.integers(0, n + 1, n), *rng.standard_exponential(n)]
    return np.array(out, dtype=float)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    sizes=st.lists(st.integers(0, 40), min_size=1, max_size=8),
    lam=st.floats(0.0, 30.0),
    before=st.integers(0, 3),
)
def test_a_kernel_draws_what_numpy_draws_and_leaves_the_stream_where_numpy_would(
    seed, sizes, lam, before
):
    """Also after an odd number of 32-bit draws (the bit generator keeps half a 64-bit
    output for the next one), and the next Python draws agree too."""
    ours, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
    for rng in (ours, theirs):
        rng.integers(5, size=before)
    sizes = np.array(sizes, dtype=np.int64)
    assert np.array_equal(_draws(stream(ours), sizes, lam), _numpy(theirs, sizes, lam))
    assert ours.integers(9, size=3).tolist() == theirs.integers(9, size=3).tolist()
    assert ours.random() == theirs.random()


def test_the_models_stream_follows_its_generator_when_it_is_replaced():
    """After `reset_rng` the kernels draw from the new generator, as Python does."""
    model = NeighbourhoodModel(small_config(), rng=1)
    model.reset_rng(7)
    expected = np.random.default_rng(7)
    sizes = np.array([3], dtype=np.int64)
    assert np.array_equal(_draws(model.stream, sizes, 1.0), _numpy(expected, sizes, 1.0))


@kernel
def _poissons(source, means, each):
    g = generator(source)
    out = np.empty(len(means) * (each + 1), dtype=np.int64)
    for m in range(len(means)):
        for x in range(each):
            out[m * (each + 1) + x] = poisson(g, means[m])
        out[m * (each + 1) + each] = g.integers(0, 1000)
    return out


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    means=st.lists(
        st.one_of(st.just(0.0), st.floats(0.0, 12.0), st.floats(9.0, 300.0)),
        min_size=1,
        max_size=6,
    ),
)
def test_a_kernels_poisson_number_is_numpys(seed, means):
    """Both of NumPy's algorithms (below and from a mean of 10), each draw followed by
    another kind of draw, so the stream must be left where NumPy leaves it."""
    ours, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
    each = 25
    expected = []
    for mean in means:
        expected += [theirs.poisson(mean) for _ in range(each)] + [theirs.integers(1000)]
    got = _poissons(stream(ours), np.array(means, dtype=float), each)
    assert got.tolist() == expected
    assert ours.random() == theirs.random()


def test_poisson_numbers_over_many_means_and_draws():
    """Long runs just above a mean of 10, where a PTRS candidate between −1 and 0 comes about
    once in tens of thousands of draws (rounded down it is rejected; truncated, as Numba
    does, it would be 0, and this test fails), and a sweep of means from 0 to 10,000."""
    means = np.r_[[10.0, 10.5, 12.0], np.linspace(0.0, 30.0, 31), [99.5, 1e3, 1e4]]
    each = np.r_[[60_000] * 3, [1_000] * 34]
    ours, theirs = np.random.default_rng(3), np.random.default_rng(3)
    expected = []
    for mean, count in zip(means, each, strict=True):
        expected += [*theirs.poisson(mean, count), theirs.integers(1000)]
    got = [_poissons(stream(ours), np.array([m]), int(c)) for m, c in zip(means, each, strict=True)]
    assert np.concatenate(got).tolist() == expected


def test_no_kernel_draws_with_numbas_poisson():
    """Numba's Poisson for a mean of 10 or more differs from NumPy's now and then (it
    truncates a candidate NumPy rounds down): kernels use `streams.poisson`."""
    for name in compiled.KERNEL_MODULES:
        module = importlib.import_module(f"simulation.{name}")
        for value in vars(module).values():
            if isinstance(value, compiled.Kernel) and value.py_func.__module__ == module.__name__:
                assert ".poisson(" not in inspect.getsource(value.py_func), value.__name__
