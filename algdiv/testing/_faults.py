"""Fault injection for the dask cluster tests.

Lives in the package (not in ``tests/``) because dask worker processes must be able
to import the functions they run.
"""
import os

__all__ = ["dies_once"]


def dies_once(start, count, seed_seq, u, seed, blocks, omit, marker, victim):
    """Run one Monte Carlo batch, but exit the worker process on its first attempt.

    The batch starting at sample ``victim`` creates the file ``marker`` and calls
    ``os._exit(1)`` the first time; the retry (the marker exists) runs normally, so
    the test is deterministic.
    """
    from ..rotations._sampler import _structured_batch

    if start == victim:
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            pass                                        # the retry: run normally
        else:
            os.close(fd)
            os._exit(1)
    return _structured_batch(start, count, seed_seq, u, seed, blocks, omit)
