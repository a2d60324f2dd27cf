"""Numba kernels: plain arrays and scalars in, arrays out. No Python objects, no I/O."""
