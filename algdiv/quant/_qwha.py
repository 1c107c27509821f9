"""QWHA: sparse Walsh-Hadamard adapters dW = F H^{-1} initialised to cancel quantization error."""
import numpy as np

from .._checks import check_array, check_bool, check_choice, check_int, check_real
from ._rotate import HadamardRotation, _split
from ._rtn import _as_weights, rtn


def _pair(w, w_quantized):
    a = _as_weights(w, "w")
    b = _as_weights(w_quantized, "w_quantized")
    if a.ndim != 2:
        raise ValueError(f"Argument 'w' must be a 2-D (d_out, d_in) matrix, not {a.ndim}-D.")
    if b.shape != a.shape:
        raise ValueError(f"Argument 'w_quantized' must have shape {a.shape}, not {b.shape}.")
    return a.astype(np.float64), b.astype(np.float64)


def _budget(rank, d_out, d_in):
    top = d_in * d_out // (d_in + d_out)
    rank = check_int(rank, "rank", min=1, max=max(top, 1),
                     why=f"(the budget r (d_in + d_out) must not exceed d_in d_out = {d_in * d_out})")
    k = rank * (d_in + d_out)
    if k > d_in * d_out:
        raise ValueError(f"Argument 'rank' must give a budget r (d_in + d_out) <= d_in d_out = "
                         f"{d_in * d_out}, not r = {rank} (K = {k}).")
    return k


def _error_matrix(error, name="error"):
    """A real, finite (d_out, d_in) matrix as float64."""
    e = _as_weights(error, name)
    if e.ndim != 2:
        raise ValueError(f"Argument {name!r} must be a 2-D (d_out, d_in) matrix, not {e.ndim}-D.")
    if e.size == 0:
        raise ValueError(f"Argument {name!r} must not be empty, not shape {e.shape}.")
    return e.astype(np.float64)


def _svd_rank(rank, shape):
    return check_int(rank, "rank", min=0, max=min(shape),
                     why=f"(min(d_out, d_in) of the {shape[0]} x {shape[1]} matrix)")


def _rotation(d_in, rotation):
    if rotation is None:
        return HadamardRotation(d_in, "kron" if _split(d_in) else "block")
    if not isinstance(rotation, HadamardRotation) or rotation.n != d_in:
        raise ValueError(f"Argument 'rotation' must be a HadamardRotation of length {d_in}.")
    return rotation


def _gram(calib, calib_gram, d_in, damp):
    damp = check_real(damp, "damp", min=0)
    if calib is not None and calib_gram is not None:
        raise ValueError("Give at most one of 'calib' and 'calib_gram'.")
    if calib is not None:
        x = _as_weights(calib, "calib").astype(np.float64)
        if x.ndim != 2 or x.shape[1] != d_in:
            raise ValueError(f"Argument 'calib' must have shape (T, {d_in}), not {x.shape}.")
        c = x.T @ x
    elif calib_gram is not None:
        c = _as_weights(calib_gram, "calib_gram").astype(np.float64)
        if c.shape != (d_in, d_in):
            raise ValueError(f"Argument 'calib_gram' must have shape ({d_in}, {d_in}), not {c.shape}.")
        _check_psd(c)
        c = (c + c.T) / 2
    else:
        return None
    return c + damp * np.mean(np.diag(c)) * np.eye(d_in)


#: relative tolerance of the symmetry and positive-semidefiniteness checks of ``calib_gram``
GRAM_RTOL = 1e-8


def _check_psd(c):
    """A second moment X^T X: symmetric and positive semidefinite up to rounding (GRAM_RTOL)."""
    scale = float(np.max(np.abs(c))) if c.size else 0.0
    asym = float(np.max(np.abs(c - c.T))) if c.size else 0.0
    if asym > GRAM_RTOL * scale:
        raise ValueError(f"Argument 'calib_gram' must be symmetric (a second moment X^T X): "
                         f"max|C - C^T| = {asym:.3g} > {GRAM_RTOL:g} max|C| = {GRAM_RTOL * scale:.3g}.")
    lam_min = float(np.linalg.eigvalsh((c + c.T) / 2)[0]) if c.size else 0.0
    if lam_min < -GRAM_RTOL * c.shape[0] * scale:
        raise ValueError(f"Argument 'calib_gram' must be positive semidefinite (a second moment "
                         f"X^T X), not a matrix with eigenvalue {lam_min:.3g}.")


def ada_alloc(rho, budget, cap):
    """AdaAlloc: split ``budget`` over rows in proportion to ``rho``, each row capped at ``cap``.

    ``k_i = floor(rho_i / sum(rho) * budget)``, capped; the excess and the
    remainder go evenly to uncapped rows, then +1 each to the smallest.

    Examples
    --------
    >>> from algdiv.quant import ada_alloc
    >>> ada_alloc([1.0, 1.0, 6.0], 10, 5).tolist()
    [3, 2, 5]
    """
    rho = check_array(rho, "rho", ndim=1, dtype_kind="biuf", finite=True).astype(np.float64)
    if rho.size == 0:
        raise ValueError("Argument 'rho' must hold at least one row weight, not 0.")
    if np.any(rho < 0):
        raise ValueError(f"Argument 'rho' must be >= 0 (row weights), not min {rho.min():.6g}.")
    cap = check_int(cap, "cap", min=0)
    budget = check_int(budget, "budget", min=0, max=min(cap * rho.size, 2 ** 53),
                       why=f"({rho.size} rows x cap {cap}, at most 2**53)")
    cap = min(cap, budget)          # no row can take more than the whole budget
    tot = rho.sum()
    share = rho / tot if tot > 0 else np.full(rho.size, 1.0 / rho.size)
    k = np.minimum(np.floor(share * budget).astype(np.int64), cap)
    while k.sum() < budget:
        free = np.flatnonzero(k < cap)
        need = budget - int(k.sum())
        if need >= free.size:
            k[free] = np.minimum(k[free] + need // free.size, cap)
        else:
            order = free[np.argsort(k[free], kind="stable")]
            k[order[:need]] += 1
    return k


class QWHAAdapter:
    r"""Sparse Walsh-Hadamard adapter :math:`\Delta W = F A` along the input side.

    Attributes
    ----------
    indices : ndarray of int32, shape (2, K)
        (row, transform-coefficient) positions of the nonzeros of F.
    values : ndarray of float64, shape (K,)
        The nonzeros, in the orthonormal convention (``A`` orthonormal, so
        :math:`\Delta W = F A` with :math:`A^{-1} = A^T`; the paper's
        unnormalised :math:`F H^{-1}` differs by the factor :math:`\sqrt{d_{in}}`).
    shape : tuple
        (d_out, d_in).
    rotation : HadamardRotation
        The transform along the input axis.
    """

    def __init__(self, indices, values, shape, rotation):
        shape = tuple(check_int(n, "shape", min=1) for n in shape)
        if len(shape) != 2:
            raise ValueError(f"Argument 'shape' must be (d_out, d_in), not {shape}.")
        if not isinstance(rotation, HadamardRotation) or rotation.n != shape[1]:
            raise TypeError(f"Argument 'rotation' must be a HadamardRotation of length d_in = {shape[1]}, "
                            f"not {rotation!r}.")
        values = check_array(values, "values", ndim=1, dtype_kind="iuf", finite=True)
        indices = check_array(indices, "indices", shape=(2, values.size), dtype_kind="iu")
        if indices.size and (indices.min() < 0 or np.any(indices.max(axis=1) >= np.array(shape))):
            raise ValueError(f"Argument 'indices' must hold (row, coefficient) pairs inside {shape}.")
        self.indices = indices.astype(np.int32)
        self.values = values.astype(np.float64)
        self.shape = shape
        self.rotation = rotation

    @property
    def budget(self):
        return self.values.size

    def coefficients(self):
        """Dense F (d_out, d_in), zero outside ``indices``."""
        f = np.zeros(self.shape)
        f[self.indices[0], self.indices[1]] = self.values
        return f

    def delta(self):
        """The dense :math:`\\Delta W` (d_out, d_in): inverse transform of F along the input axis."""
        return self.rotation.inverse(self.coefficients(), axis=1)

    def __repr__(self):
        return f"QWHAAdapter(shape={self.shape}, budget={self.budget}, rotation={self.rotation!r})"


def qwha_init(w, w_quantized, rank, calib=None, calib_gram=None, *, alpha=1.0, select="score",
              refine=True, allocation="ada", rotation=None, damp=1e-4):
    r"""Initialise a QWHA adapter that cancels the quantization error :math:`E = W - Q(W)`.

    Parameters
    ----------
    w, w_quantized : array_like, shape (d_out, d_in)
        Full-precision and (dequantized) quantized weights.
    rank : int
        LoRA-equivalent rank; the budget is :math:`K = r (d_{in} + d_{out})`
        coefficients (must not exceed :math:`d_{in} d_{out}`).
    calib : array_like, shape (T, d_in), optional
        Calibration activations (rows are tokens).
    calib_gram : array_like, shape (d_in, d_in), optional
        Or their second moment :math:`X^T X` directly.
    alpha : float, optional
        AdaAlloc exponent: row budgets proportional to :math:`\|c^*_i\|^\alpha`.
    select : {"score", "magnitude"}, optional
        Coefficient selection within a row: the data-aware score
        :math:`G_{jj} c^{*2}_{ij}` (default) or :math:`c^{*2}_{ij}`.
    refine : bool, optional
        Least-squares value refinement under the calibration second moment
        (no effect without calibration data: the basis is orthonormal).
    allocation : {"ada", "global"}, optional
        ``"ada"``: AdaAlloc channel-wise budgets (every row gets at least one
        coefficient when K >= d_out).  ``"global"``: the K largest scores
        over the whole matrix (the data-free optimum, "WHT top-K").
    rotation : HadamardRotation, optional
        Input-side transform (default Kronecker ``H_m (x) H_{2^k}``).
    damp : float, optional
        Ridge :math:`\lambda\,\mathrm{mean\,diag}(C)` added to :math:`C = X^T X`.

    Returns
    -------
    QWHAAdapter

    Notes
    -----
    With :math:`A` the orthonormal transform and :math:`c^*_i = A e_i`, the
    adapter row is :math:`\Delta w_i = A^T_S c_S`.  With
    :math:`G = A C A^T` and :math:`P = A C E^T`, the refined values minimise
    :math:`\|X(e_i - A_S^T c)\|^2`:

    .. math:: c_S = G_{SS}^{-1} P_{S,i}.

    Cost: two fast transforms of the d_in x d_in matrix C (for G), the
    row-wise transform of E, and per row one :math:`k_i \times d_{in}` product
    and one :math:`k_i \times k_i` solve; no dense d_in^2 d_out product.

    References
    ----------
    Jeon et al., QWHA: Quantization-Aware Walsh-Hadamard Adaptation,
    arXiv:2509.17428 (ICLR 2026).

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.quant import qwha_init, rtn
    >>> w = np.random.default_rng(0).standard_normal((16, 32))
    >>> wq = rtn(w, 2, 16)
    >>> ad = qwha_init(w, wq, rank=2)
    >>> ad.budget, ad.delta().shape
    (96, (16, 32))
    >>> bool(np.linalg.norm(w - wq - ad.delta()) < np.linalg.norm(w - wq))
    True
    """
    a, b = _pair(w, w_quantized)
    d_out, d_in = a.shape
    k_tot = _budget(rank, d_out, d_in)
    alpha = check_real(alpha, "alpha", min=0)
    select = check_choice(select, "select", ("score", "magnitude"))
    refine = check_bool(refine, "refine")
    allocation = check_choice(allocation, "allocation", ("ada", "global"))
    rot = _rotation(d_in, rotation)
    e = a - b
    cstar = rot.forward(e, axis=1)                      # c*_i = A e_i, row-wise
    c = _gram(calib, calib_gram, d_in, damp)
    if c is not None:
        g = rot.forward(rot.forward(c, axis=0), axis=1)  # A C A^T by two fast transforms
        gdiag = np.diag(g).copy()
    else:
        g, gdiag = None, np.ones(d_in)
    score = cstar ** 2 * (gdiag if select == "score" else 1.0)
    if allocation == "global":
        flat = np.argpartition(score.ravel(), -k_tot)[-k_tot:]
        rows, cols = np.divmod(flat, d_in)
        order = np.lexsort((cols, rows))
        rows, cols = rows[order], cols[order]
    else:
        norms = np.linalg.norm(cstar, axis=1)
        top = norms.max()
        # (||c*_i|| / max)^alpha: the same proportions as ||c*_i||^alpha, never overflowing
        k = ada_alloc((norms / top) ** alpha if top > 0 else np.ones(d_out), k_tot, d_in)
        rows = np.repeat(np.arange(d_out), k)
        cols = np.empty(k_tot, dtype=np.int64)
        pos = 0
        for i in range(d_out):
            if k[i]:
                sel = np.argpartition(score[i], -k[i])[-k[i]:]
                cols[pos:pos + k[i]] = np.sort(sel)
                pos += k[i]
    values = cstar[rows, cols].copy()
    if g is not None and refine:
        # P = A C E^T = G (A E^T); only the rows S of column i are needed: G[S] c*_i,
        # K d_in work instead of the d_in^2 d_out dense product.
        starts = np.searchsorted(rows, np.arange(d_out + 1))
        for i in range(d_out):
            s0, s1 = starts[i], starts[i + 1]
            if s1 > s0:
                s = cols[s0:s1]
                gs = g[s]
                values[s0:s1] = np.linalg.solve(gs[:, s], gs @ cstar[i])
    return QWHAAdapter(np.stack([rows, cols]), values, (d_out, d_in), rot)


# ------------------------------------------------------------------ baselines

def svd_adapter(error, rank):
    """Rank-r truncated SVD of the quantization error (LoftQ with one iteration)."""
    e = _error_matrix(error)
    rank = _svd_rank(rank, e.shape)
    u, s, vt = np.linalg.svd(e, full_matrices=False)
    return (u[:, :rank] * s[:rank]) @ vt[:rank]


def loftq(w, bits, group_size, rank, iters=5, symmetric=False):
    r"""LoftQ alternation: :math:`Q_t = Q(W - L_{t-1})`, :math:`L_t = \mathrm{SVD}_r(W - Q_t)`.

    Returns ``(w_quantized, low_rank)`` (both dense).  Li et al., arXiv:2310.08659.
    """
    a = _error_matrix(w, "w")
    rank = _svd_rank(rank, a.shape)
    iters = check_int(iters, "iters", min=1, max=1000)
    rtn(a[:1], bits, group_size, symmetric=symmetric)        # bits, group_size, symmetric checked once
    low = np.zeros_like(a)
    for _ in range(iters):
        q = rtn(a - low, bits, group_size, symmetric=symmetric)
        low = svd_adapter(a - q, rank)
    return q, low


def cloq_adapter(error, rank, calib_gram, damp=1e-4):
    r"""CLoQ calibrated low rank: :math:`\Delta W^T = R^{-1}[R E^T]_r` with :math:`R^T R = C`.

    Deng et al., arXiv:2501.18475.
    """
    e = _error_matrix(error)
    rank = _svd_rank(rank, e.shape)
    if calib_gram is None:
        raise TypeError("Argument 'calib_gram' must be a (d_in, d_in) second moment X^T X, not None.")
    c = _gram(None, calib_gram, e.shape[1], damp)
    lam, v = np.linalg.eigh(c)
    lam = np.maximum(lam, lam.max() * 1e-14)
    r_mat = np.sqrt(lam)[:, None] * v.T
    r_inv = v / np.sqrt(lam)
    m = svd_adapter(r_mat @ e.T, rank)
    return (r_inv @ m).T


def random_position_adapter(error, budget, rng, rotation=None):
    """Exact projection of the error onto ``budget`` random Walsh positions (FourierFT-style init)."""
    e = _error_matrix(error)
    budget = check_int(budget, "budget", min=0, max=e.size, why="(the number of entries of 'error')")
    rot = _rotation(e.shape[1], rotation)
    cstar = rot.forward(e, axis=1)
    pick = np.random.default_rng(rng).choice(e.size, size=budget, replace=False)
    f = np.zeros(e.size)
    f[pick] = cstar.ravel()[pick]
    return rot.inverse(f.reshape(e.shape), axis=1)


def _dht2(x):
    f = np.fft.fft2(x) / np.sqrt(x.size)
    return f.real - f.imag


def spectral_topk_adapter(error, budget, kind="dct"):
    r"""Oracle 2-D top-K adapter in an orthonormal 2-D basis: DCT-II (LoCA-like) or Hartley (SSH-like).

    Keeps the ``budget`` largest coefficients of the 2-D transform of the
    error and transforms back; the optimum for that basis (Parseval).  The
    Hartley transform :math:`\mathrm{Re}\,F - \mathrm{Im}\,F`,
    :math:`F = \mathrm{fft2}/\sqrt{mn}`, is its own inverse.

    Examples
    --------
    >>> import numpy as np
    >>> from algdiv.quant import spectral_topk_adapter
    >>> e = np.random.default_rng(0).standard_normal((8, 8))
    >>> bool(np.allclose(spectral_topk_adapter(e, 64, "dht"), e))
    True
    """
    import scipy.fft
    e = _error_matrix(error)
    kind = check_choice(kind, "kind", ("dct", "dht"))
    budget = check_int(budget, "budget", min=0, max=e.size, why="(the number of entries of 'error')")
    if kind == "dct":
        c = scipy.fft.dctn(e, type=2, norm="ortho")
    elif kind == "dht":
        c = _dht2(e)
    else:  # pragma: no cover - kind checked above
        raise AssertionError(kind)
    keep = np.zeros(e.size, dtype=bool)
    keep[np.argpartition(np.abs(c).ravel(), e.size - budget)[e.size - budget:]] = True
    c = np.where(keep.reshape(e.shape), c, 0.0)
    return scipy.fft.idctn(c, type=2, norm="ortho") if kind == "dct" else _dht2(c)
