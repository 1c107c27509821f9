"""Gradients through the fast transforms on torch tensors (CPU), against finite differences
(torch.autograd.gradcheck, float64) and dense reference matrices."""
import numpy as np
import pytest
import scipy.linalg as sl

torch = pytest.importorskip("torch")

import algdiv  # noqa: E402
from algdiv.rotations import structured_rotation  # noqa: E402
from algdiv.transforms import fwht, fwhtn, haar, hd, ifwht, ihaar, rademacher  # noqa: E402
from algdiv.transforms._torch import _to_numpy  # noqa: E402

NORMS = ("backward", "ortho", "forward")
ORDERS = ("natural", "sequency", "dyadic")
gradcheck = torch.autograd.gradcheck
gradgradcheck = torch.autograd.gradgradcheck


def leaf(*shape, dtype=torch.float64, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, dtype=dtype, generator=g).requires_grad_(True)


# ------------------------------------------------------------------ fwht / ifwht / fwhtn
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("func", [fwht, ifwht], ids=["fwht", "ifwht"])
def test_wht_gradcheck_every_order_and_norm(func, order, norm):
    assert gradcheck(lambda t: func(t, norm=norm, order=order), (leaf(2, 16),))
    assert gradcheck(lambda t: func(t, axis=0, norm=norm, order=order), (leaf(8, 2, 3),))
    if order == "natural":
        assert gradgradcheck(lambda t: func(t, norm=norm, order=order), (leaf(2, 8),))


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("n", [12, 24, 20])
def test_wht_gradcheck_paley_lengths(n, norm):
    assert gradcheck(lambda t: fwht(t, norm=norm), (leaf(2, n),))
    assert gradcheck(lambda t: ifwht(t, axis=0, norm=norm), (leaf(n, 2),))


def test_wht_gradcheck_complex():
    z = leaf(2, 8, dtype=torch.complex128)
    assert gradcheck(lambda t: fwht(t, norm="ortho", order="sequency"), (z,))
    assert gradcheck(lambda t: ifwht(t, norm="backward"), (z,))


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("order", ORDERS)
def test_fwhtn_gradcheck(order, norm):
    for axes in (None, (0,), (-1, 0)):
        assert gradcheck(lambda t: fwhtn(t, axes=axes, norm=norm, order=order), (leaf(4, 2, 4),))
        assert gradcheck(lambda t: algdiv.transforms.ifwhtn(t, axes=axes, norm=norm, order=order),
                         (leaf(4, 2, 4),))
    if order == "natural":
        assert gradgradcheck(lambda t: fwhtn(t, norm=norm, order=order), (leaf(4, 4),))


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("order", ORDERS)
def test_wht_gradient_is_the_dense_transpose(order, norm):
    n = 16
    for func in (fwht, ifwht):
        A = func(np.eye(n), axis=0, norm=norm, order=order)       # column j = A e_j
        x, w = leaf(5, n), torch.randn(5, n, dtype=torch.float64)
        y = func(x, norm=norm, order=order)
        np.testing.assert_allclose(y.detach().numpy(), x.detach().numpy() @ A.T, rtol=1e-12, atol=1e-12)
        (gx,) = torch.autograd.grad((y * w).sum(), x)
        np.testing.assert_allclose(gx.numpy(), w.numpy() @ A, rtol=1e-12, atol=1e-12)


def test_sylvester_gradient_closed_form():
    # backward of y = H x (natural, unnormalised) is H^T w = H w (scipy's Sylvester matrix)
    x = leaf(32)
    w = torch.randn(32, dtype=torch.float64)
    (gx,) = torch.autograd.grad((fwht(x) * w).sum(), x)
    np.testing.assert_allclose(gx.numpy(), sl.hadamard(32) @ w.numpy(), rtol=1e-13, atol=1e-12)


# ------------------------------------------------------------------ hd
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("order", ORDERS)
def test_hd_gradcheck(order, norm):
    x = leaf(2, 8)
    s = leaf(8, seed=1)
    full = leaf(2, 8, seed=2)
    assert gradcheck(lambda t, d: hd(t, signs=d, norm=norm, order=order), (x, s))
    assert gradcheck(lambda t, d: hd(t, signs=d, norm=norm, order=order), (x, full))
    assert gradcheck(lambda t, d: hd(t, signs=d, axis=0, norm=norm, order=order), (leaf(8, 2), s))
    int8 = torch.from_numpy(rademacher(4, 8))
    assert gradcheck(lambda t: hd(t, signs=int8, norm=norm, order=order), (x,))
    assert gradcheck(lambda t: hd(t, seed=7, norm=norm, order=order), (x,))
    assert gradcheck(lambda t: hd(t, seed=7, per_row=True, offset=5, axis=0, stream=2, norm=norm,
                                  order=order), (leaf(8, 3),))
    if order == "natural":
        assert gradgradcheck(lambda t, d: hd(t, signs=d, norm=norm, order=order), (x, s))


def test_hd_values_match_numpy():
    x = torch.randn(4, 32, dtype=torch.float32)
    xn = x.numpy().copy()
    assert np.array_equal(hd(x, seed=3).numpy(), hd(xn, seed=3))
    y = hd(x.T.contiguous(), seed=3, per_row=True, axis=0, offset=64).numpy()
    assert np.array_equal(y, hd(xn.T.copy(), seed=3, per_row=True, axis=0, offset=64))
    d = rademacher(9, 32)
    assert np.array_equal(hd(x, signs=torch.from_numpy(d), order="dyadic").numpy(),
                          hd(xn, signs=d, order="dyadic"))


# ------------------------------------------------------------------ rotations, Transform, haar
@pytest.mark.parametrize("blocks", [1, 2, 3])
def test_structured_rotation_gradcheck(blocks):
    T = structured_rotation(16, blocks=blocks, seed=5)
    x = leaf(3, 16)
    assert gradcheck(T, (x,))
    assert gradcheck(T.inverse, (x,))
    assert gradgradcheck(T, (leaf(16),))
    np.testing.assert_allclose(T(x).detach().numpy(), T(x.detach().numpy()), rtol=1e-13, atol=1e-14)
    M = T.matrix()
    (gx,) = torch.autograd.grad(T(x).sum(), x)
    np.testing.assert_allclose(gx.numpy(), np.ones((3, 16)) @ M, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("d,blocks", [(4, 2), (64, 1), (64, 3), (1 << 12, 2)])
def test_structured_rotation_tensor_equals_dense(d, blocks):
    """The tensor path (one core call with the operator's packed or int8 rows, the
    transpose through a trailing row) against the dense matrix, both directions."""
    T = structured_rotation(d, blocks=blocks, seed=9)
    M = T.matrix()
    x = torch.randn(3, d, dtype=torch.float64)
    np.testing.assert_allclose(T(x).numpy(), x.numpy() @ M.T, atol=1e-12)
    np.testing.assert_allclose(T.inverse(x).numpy(), x.numpy() @ M, atol=1e-12)


@pytest.mark.parametrize("field", ["real", "complex"])
def test_transform_gradcheck(field):
    T = algdiv.matched_transform(algdiv.groups.cyclic(8), field=field)
    B = T.matrix
    x = leaf(3, 8)
    y = T.forward(x)
    np.testing.assert_allclose(y.detach().numpy(), x.detach().numpy() @ B.conj(), rtol=1e-12, atol=1e-12)
    assert gradcheck(T.forward, (x,))
    assert gradcheck(lambda t: T.inverse(t, axis=0), (leaf(8, 2),))
    z = leaf(2, 8, dtype=torch.complex128)
    assert gradcheck(T.forward, (z,))
    assert gradcheck(T.inverse, (z,))


def test_klt_transform_gradient_is_dense():
    rng = np.random.default_rng(0)
    T = algdiv.klt(np.cov(rng.standard_normal((6, 40))))
    x, w = leaf(4, 6), torch.randn(4, 6, dtype=torch.float64)
    assert gradcheck(T.forward, (x,))
    assert gradcheck(T.inverse, (x,))
    (gx,) = torch.autograd.grad((T.forward(x) * w).sum(), x)
    np.testing.assert_allclose(gx.numpy(), w.numpy() @ T.matrix.T, rtol=1e-12, atol=1e-12)


def test_haar_gradcheck_and_refusal():
    assert gradcheck(haar, (leaf(2, 8),))
    assert gradcheck(lambda t: ihaar(t, axis=0), (leaf(8, 3),))
    with pytest.raises(ValueError, match="norm='ortho'"):
        haar(leaf(8), norm="backward")
    assert np.array_equal(haar(torch.arange(8.0), norm="backward").numpy(),
                          haar(np.arange(8.0), norm="backward"))


# ------------------------------------------------------------------ dtypes, copies, out=
@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_half_types_compute_in_float32_and_round_once(dtype):
    x = torch.randn(3, 64).to(dtype)
    ref = torch.from_numpy(fwht(x.float().numpy(), norm="ortho")).to(dtype)
    y = fwht(x, norm="ortho")
    assert y.dtype == dtype and torch.equal(y, ref)
    xr = x.clone().requires_grad_(True)
    hd(xr, seed=1).float().sum().backward()
    assert xr.grad.dtype == dtype
    T = structured_rotation(64, seed=2)
    assert T(x).dtype == dtype


def test_cpu_tensors_are_viewed_without_copy():
    x = torch.randn(6, 32)
    assert _to_numpy(x).__array_interface__["data"][0] == x.data_ptr()
    v = x[::2, 1:17]
    assert _to_numpy(v).__array_interface__["data"][0] == v.data_ptr()
    y = fwht(v, norm="ortho")
    np.testing.assert_allclose(y.numpy(), fwht(v.numpy().copy(), norm="ortho"), rtol=1e-6, atol=1e-6)
    assert y.data_ptr() != v.data_ptr()


def test_float32_results_equal_numpy_and_input_untouched():
    x = torch.randn(4, 1024)
    keep = x.clone()
    for order in ORDERS:
        assert np.array_equal(fwht(x, norm="ortho", order=order).numpy(),
                              fwht(keep.numpy(), norm="ortho", order=order))
    fwht(x, overwrite_x=True)
    assert torch.equal(x, keep)


def test_integer_tensors_stay_exact():
    x = torch.arange(8)
    y = fwht(x)
    assert y.dtype == torch.int64 and np.array_equal(y.numpy(), sl.hadamard(8) @ np.arange(8))


def test_out_argument():
    x = torch.randn(2, 8, dtype=torch.float64)
    out = torch.empty(2, 8, dtype=torch.float64)
    assert ifwht(x, out=out) is out
    np.testing.assert_allclose(out.numpy(), ifwht(x.numpy()), rtol=1e-14)
    with pytest.raises(ValueError, match="'out' cannot be used on tensors that require grad"):
        fwht(leaf(2, 8), out=out)
    with pytest.raises(ValueError, match="Argument 'out' must have shape"):
        fwht(x, out=torch.empty(2, 8, dtype=torch.float32))


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="Argument 'x' must have length"):
        fwht(torch.ones(2, 6))
    with pytest.raises(ValueError, match="Argument 'norm'"):
        fwht(torch.ones(4), norm="nope")
    with pytest.raises(TypeError, match="Argument 'x' must be numeric"):
        fwht(torch.ones(4, dtype=torch.bool))
    with pytest.raises(ValueError, match="Argument 'axes' must not repeat"):
        fwhtn(torch.ones(4, 4), axes=(0, 0))
    with pytest.raises(ValueError, match="Argument 'signs' must have shape"):
        hd(torch.ones(2, 4), signs=torch.ones(3))
    with pytest.raises(ValueError, match="Argument 'x' must have last axis of length d = 8"):
        structured_rotation(8, seed=1)(torch.ones(4))


def test_plan_argument_is_checked():
    from algdiv.transforms import Problem, plan
    p = plan(Problem("wht", 8, "float64", norm="ortho"))
    x = leaf(8)
    assert gradcheck(lambda t: fwht(t, norm="ortho", plan=p), (x,))
    with pytest.raises(ValueError, match="Argument 'plan'"):
        fwht(x, plan=plan(Problem("wht", 16, "float64")))


# ------------------------------------------------------------------ torch.compile
def test_compile_fullgraph_matches_eager():
    T = structured_rotation(16, seed=5)
    K = algdiv.matched_transform(algdiv.groups.cyclic(16), field="real")

    def f(x, s):
        y = fwht(x, norm="ortho")
        y = hd(y, seed=3) + hd(y, signs=s, order="sequency")
        y = fwhtn(y, axes=(0, 1)) + T(y) + T.inverse(y) + K.forward(y) + ifwht(y, order="dyadic")
        return (y ** 2).sum()

    x = leaf(4, 16, dtype=torch.float32)
    s = leaf(16, dtype=torch.float32, seed=1)
    ref = torch.autograd.grad(f(x, s), (x, s))
    torch._dynamo.reset()
    got = torch.autograd.grad(torch.compile(f, fullgraph=True, backend="aot_eager")(x, s), (x, s))
    for a, b in zip(ref, got):
        torch.testing.assert_close(a, b)
