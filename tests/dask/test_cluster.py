"""verify() and the transforms on a real dask.distributed LocalCluster (two worker processes)."""
import os

import numpy as np
import pytest

pytest.importorskip("dask.array", reason="dask is not installed (pip install 'algdiv[dask]')")
distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
import dask.array as da  # noqa: E402

from algdiv.rotations import sample_batched, sample_structured, verify  # noqa: E402
from algdiv.rotations._sampler import BatchRun  # noqa: E402
from algdiv.transforms import fwht, hd  # noqa: E402

pytestmark = pytest.mark.slow

TIMEOUT = 60


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                       memory_limit="256MiB", dashboard_address=":0")
    c = distributed.Client(cluster, timeout=TIMEOUT)
    c.wait_for_workers(2, timeout=TIMEOUT)
    yield c
    c.close()
    cluster.close()


def _values(rep):
    return [(r["check"], r["input"], r["d"], r["samples"], r["value"], r["passed"]) for r in rep.rows]


def test_verify_on_cluster_equals_in_memory(client):
    kw = dict(dims=(16, 64), inputs=("e1", "u4", "flat"), samples=6000, seed=7, w2_samples=100, batch=1536)
    local = verify(**kw)
    remote = verify(**kw, client=client, timeout=TIMEOUT)
    threads = verify(**kw, client="threads")
    assert local.ok
    assert _values(remote) == _values(local) == _values(threads)      # bit for bit
    assert remote.slopes == local.slopes


def test_batches_are_the_union_not_an_average(client):
    # The batched run is the unbatched sampler's sample set, in order (an exact union).
    u = np.eye(64)[0]
    x = sample_batched(u, 5000, seed=2, batch=1024, client=client, timeout=TIMEOUT)
    assert np.array_equal(x, sample_structured(u, 5000, seed=2))


def test_worker_death_is_recovered(client, tmp_path):
    # the faulty batch lives in algdiv.testing: worker processes must import it
    from algdiv.testing._faults import dies_once

    marker = str(tmp_path / "died")
    u = np.eye(32)[0]
    run = BatchRun(client, timeout=TIMEOUT)
    h = run.submit(dies_once, 4096, 1024, 3, u, 3, 2, (), marker, 2048)
    x = run.result(h)
    assert os.path.exists(marker)                       # the worker did die
    assert np.array_equal(x, sample_structured(u, 4096, seed=3))
    client.wait_for_workers(2, timeout=TIMEOUT)          # the nanny restarted it


def test_a6_wasserstein_batches_on_cluster(client):
    # The A6 Monte Carlo, split in 5 batches with spawned streams: the same squared distances on
    # the cluster as in memory, and an estimate within 3 SE of the closed form.
    from algdiv.rotations import wasserstein2_e1
    from algdiv.rotations._wasserstein import nearest_support_sq_batch, w2_estimate
    local, remote = BatchRun(), BatchRun(client, TIMEOUT)
    a = local.result(local.submit(nearest_support_sq_batch, 5000, 1000, 11, 64))
    b = remote.result(remote.submit(nearest_support_sq_batch, 5000, 1000, 11, 64))
    assert a.shape == (5000,) and np.array_equal(a, b)
    est = w2_estimate(b)
    assert abs(est.value - wasserstein2_e1(64)) <= 3 * est.se


def test_quantizers_on_cluster(client):
    from algdiv.quant import itq3s_encode, rotated_rtn
    W = np.random.default_rng(6).standard_t(3, size=(48, 384))
    D = da.from_array(W, chunks=(8, 128))
    got = client.compute(rotated_rtn(D, 3, 64)).result(timeout=TIMEOUT)
    assert np.array_equal(got, rotated_rtn(W, 3, 64))
    assert itq3s_encode(D).to_bytes() == itq3s_encode(W).to_bytes()    # coded on the workers


def test_transforms_on_cluster(client):
    X = np.random.default_rng(4).standard_normal((12, 256))
    D = da.from_array(X, chunks=(3, 64))
    got = client.compute(hd(fwht(D, norm="ortho"), seed=5, per_row=True)).result(timeout=TIMEOUT)
    assert np.array_equal(got, hd(fwht(X, norm="ortho"), seed=5, per_row=True))


def test_block_larger_than_worker_memory_is_refused(client):
    # One row of 2^26 float64 = 512 MiB > the workers' 256 MiB: refused when the graph is built.
    x = da.zeros((4, 1 << 26), chunks=(1, 1 << 24))
    with pytest.raises(ValueError, match="worker memory limit"):
        fwht(x)
    fwht(da.zeros((4, 1 << 20), chunks=(1, 1 << 18)))    # 8 MiB blocks are fine


def test_closed_client_is_a_clear_error():
    cluster = distributed.LocalCluster(n_workers=1, processes=False, threads_per_worker=1,
                                       dashboard_address=":0")
    c = distributed.Client(cluster, timeout=TIMEOUT)
    c.close()
    cluster.close()
    with pytest.raises(ValueError, match="running dask.distributed.Client"):
        verify(dims=(16,), inputs=("e1",), samples=100, client=c)
    with pytest.raises(ValueError, match="running dask.distributed.Client"):
        sample_batched(np.eye(16)[0], 100, seed=1, client=c)
    with pytest.raises(ValueError, match="'client'"):
        verify(dims=(16,), inputs=("e1",), samples=100, client="processes")
    with pytest.raises(TypeError, match="'client'"):
        verify(dims=(16,), inputs=("e1",), samples=100, client=object())
