r"""Trainable adapters on a frozen quantized linear layer, as torch modules.

Three adapters at the same parameter budget :math:`K = r (d_{in} + d_{out})`, each a
``torch.nn.Module`` whose forward is ``F.linear(x, W_q + ΔW, bias)`` with ``W_q`` a frozen
buffer:

* :class:`QWHALinear` (QWHA): :math:`\Delta W = s\,F A`, ``F`` sparse with ``K`` trainable
  values at fixed (row, Walsh coefficient) positions chosen by :func:`qwha_init`, ``A`` the
  orthonormal input-side Hadamard transform; ``ΔW`` is made by scattering the values into
  a ``(d_out, d_in)`` array and applying :math:`A^T` to its rows with the fast transform
  (``algdiv.transforms.ifwht``: :math:`O(d_{out} d_{in} \log d_{in})`, differentiable);
  no ``d_in x d_in`` matrix is formed;
* :class:`LoRALinear`: :math:`\Delta W = s\,B A` with ``B`` (d_out, r) and ``A`` (r, d_in);
* :class:`FourierFTLinear` (FourierFT / LoCA kind): :math:`\Delta W = s\,C_{out}^T F C_{in}`
  with ``K`` trainable values of ``F`` at fixed positions of the 2-D orthonormal DCT-II
  basis, computed with the dense ``d x d`` DCT matrices (two matrix products per step, as
  those methods do).

:func:`fit_layer_output` trains any of them to reduce the layer's output error on
calibration activations.

torch is imported when this module is (``algdiv.quant`` loads it on first use of one of
these names), so ``import algdiv`` works without torch.

References
----------
Jeon et al., QWHA, arXiv:2509.17428; Hu et al., LoRA, arXiv:2106.09685; Gao et al.,
FourierFT, arXiv:2405.03003; Du et al., LoCA, arXiv:2502.06820.
"""
from __future__ import annotations

import math
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .._progress import Ticker, check_progress
from ._qwha import QWHAAdapter
from ._rotate import HadamardRotation

__all__ = ["QWHALinear", "LoRALinear", "FourierFTLinear", "fit_layer_output", "dct_matrix"]


def _tensor(a, name, dtype, ndim=None):
    if isinstance(a, torch.Tensor):
        t = a.detach()
    else:
        arr = np.asarray(a)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"Argument {name!r} must be a real array, not dtype {arr.dtype}.")
        t = torch.from_numpy(np.ascontiguousarray(arr))
    if t.is_complex() or t.dtype == torch.bool:
        raise TypeError(f"Argument {name!r} must be a real array, not dtype {t.dtype}.")
    if ndim is not None and t.ndim != ndim:
        raise ValueError(f"Argument {name!r} must be {ndim}-D, not {t.ndim}-D with shape {tuple(t.shape)}.")
    if not bool(torch.isfinite(t).all()):
        raise ValueError(f"Argument {name!r} must be finite; it contains NaN or Inf.")
    return t.to(dtype).clone()


def _scaling(s):
    if isinstance(s, bool) or not isinstance(s, (int, float, np.floating, np.integer)) or not s > 0 \
            or not math.isfinite(s):
        raise ValueError(f"Argument 'scaling' must be a positive finite number, not {s!r}.")
    return float(s)


class _FrozenBase(nn.Module):
    """``W_q`` (frozen buffer) and an optional frozen bias."""

    def __init__(self, weight_quantized, bias, dtype):
        super().__init__()
        w = _tensor(weight_quantized, "weight_quantized", dtype, ndim=2)
        self.register_buffer("weight", w)
        if bias is None:
            self.bias = None
        else:
            b = _tensor(bias, "bias", dtype, ndim=1)
            if b.shape[0] != w.shape[0]:
                raise ValueError(f"Argument 'bias' must have length d_out = {w.shape[0]}, not {b.shape[0]}.")
            self.register_buffer("bias", b)

    @property
    def d_out(self) -> int:
        return self.weight.shape[0]

    @property
    def d_in(self) -> int:
        return self.weight.shape[1]

    def delta_weight(self) -> torch.Tensor:        # pragma: no cover - abstract
        raise NotImplementedError

    def forward(self, x):
        """``x @ (W_q + ΔW)^T + bias`` over the last axis of ``x``."""
        if x.shape[-1] != self.d_in:
            raise ValueError(f"Argument 'x' must have last axis d_in = {self.d_in}, not shape {tuple(x.shape)}.")
        return F.linear(x, self.weight + self.delta_weight(), self.bias)

    def n_trainable(self) -> int:
        """Number of trainable scalars (the adapter budget)."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad)


class QWHALinear(_FrozenBase):
    r"""Frozen quantized weight plus a sparse Walsh-Hadamard adapter :math:`\Delta W = s F A`.

    Parameters
    ----------
    weight_quantized : array_like or Tensor, shape (d_out, d_in)
        The dequantized quantized weight, kept frozen (a buffer).
    indices : array_like of int, shape (2, K)
        (row, coefficient) positions of the nonzeros of ``F`` (``QWHAAdapter.indices``).
    values : array_like, shape (K,)
        Initial values, orthonormal convention (``QWHAAdapter.values``).
    rotation : HadamardRotation, optional
        The input-side transform ``A`` (default ``HadamardRotation(d_in)``, the Kronecker
        form; ``method="block"`` gives a block-diagonal FWHT).
    bias : array_like, optional
        Frozen bias.
    scaling : float, optional
        ``s``; the stored parameter is ``values / s``, so ``s`` changes only the
        effective learning rate (QWHA's and LoRA's ``alpha``), not the initial ``ΔW``.
    dtype : torch.dtype, optional

    Attributes
    ----------
    values : torch.nn.Parameter, shape (K,)
        The trainable coefficients divided by ``s``.
    rows, cols : Tensor of int64, shape (K,)
        Buffers with the positions.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from algdiv.quant import QWHALinear, qwha_init, rtn
    >>> w = np.random.default_rng(0).standard_normal((16, 32))
    >>> wq = rtn(w, 2, 16)
    >>> layer = QWHALinear.from_adapter(wq, qwha_init(w, wq, rank=2), dtype=torch.float64)
    >>> layer.n_trainable()
    96
    >>> x = torch.randn(5, 32, dtype=torch.float64)
    >>> err = lambda wt: float(torch.linalg.norm(x @ (torch.from_numpy(w) - wt).T))
    >>> err(layer.weight + layer.delta_weight()) < err(layer.weight)
    True
    """

    def __init__(self, weight_quantized, indices, values, *, rotation=None, bias=None, scaling=1.0,
                 dtype=torch.float32):
        super().__init__(weight_quantized, bias, dtype)
        d_out, d_in = self.d_out, self.d_in
        idx = np.asarray(indices.detach().cpu() if isinstance(indices, torch.Tensor) else indices)
        if idx.dtype.kind not in "iu" or idx.ndim != 2 or idx.shape[0] != 2:
            raise ValueError(f"Argument 'indices' must be a (2, K) integer array, not shape {idx.shape} "
                             f"and dtype {idx.dtype}.")
        if idx.size and (idx.min() < 0 or idx[0].max() >= d_out or idx[1].max() >= d_in):
            raise ValueError(f"Argument 'indices' must hold rows in [0, {d_out}) and columns in "
                             f"[0, {d_in}).")
        if np.unique(idx[0].astype(np.int64) * d_in + idx[1]).size != idx.shape[1]:
            raise ValueError("Argument 'indices' must not repeat a (row, column) position.")
        v = _tensor(values, "values", dtype, ndim=1)
        if v.shape[0] != idx.shape[1]:
            raise ValueError(f"Argument 'values' must have length K = {idx.shape[1]}, not {v.shape[0]}.")
        if rotation is None:
            rotation = HadamardRotation(d_in)
        if not isinstance(rotation, HadamardRotation) or rotation.n != d_in:
            raise ValueError(f"Argument 'rotation' must be a HadamardRotation of length {d_in}.")
        self.rotation = rotation
        self.scaling = _scaling(scaling)
        self.register_buffer("rows", torch.from_numpy(idx[0].astype(np.int64)))
        self.register_buffer("cols", torch.from_numpy(idx[1].astype(np.int64)))
        self.values = nn.Parameter(v / self.scaling)

    @classmethod
    def from_adapter(cls, weight_quantized, adapter: QWHAAdapter, *, bias=None, scaling=1.0,
                     dtype=torch.float32):
        """The module of a :func:`qwha_init` result (its positions, values and rotation)."""
        if not isinstance(adapter, QWHAAdapter):
            raise TypeError(f"Argument 'adapter' must be a QWHAAdapter, not {type(adapter).__name__}.")
        return cls(weight_quantized, adapter.indices, adapter.values, rotation=adapter.rotation,
                   bias=bias, scaling=scaling, dtype=dtype)

    def coefficients(self) -> torch.Tensor:
        """Dense ``s F`` (d_out, d_in), zero outside the positions (differentiable)."""
        f = self.values.new_zeros((self.d_out, self.d_in))
        return f.index_put((self.rows, self.cols), self.values * self.scaling)

    def delta_weight(self) -> torch.Tensor:
        r""":math:`\Delta W = s F A`: :math:`A^T` on each row of ``s F`` by the fast transform."""
        from ..transforms import ifwht
        f = self.coefficients()
        b = self.rotation.block
        return ifwht(f.reshape(self.d_out, self.d_in // b, b), norm="ortho").reshape(self.d_out, self.d_in)


class LoRALinear(_FrozenBase):
    r"""Frozen quantized weight plus a low-rank adapter :math:`\Delta W = s B A`.

    Parameters
    ----------
    weight_quantized : array_like or Tensor, shape (d_out, d_in)
    b, a : array_like, shapes (d_out, r) and (r, d_in)
        Initial factors (see :meth:`zero_init` and :meth:`from_delta`).
    bias, scaling, dtype
        As :class:`QWHALinear` (the parameters hold the factors divided by ``sqrt(s)``).

    Examples
    --------
    >>> import numpy as np, torch
    >>> from algdiv.quant import LoRALinear
    >>> layer = LoRALinear.zero_init(np.ones((6, 8)), rank=2, seed=0)
    >>> layer.n_trainable(), float(layer.delta_weight().detach().abs().max())
    (28, 0.0)
    """

    def __init__(self, weight_quantized, b, a, *, bias=None, scaling=1.0, dtype=torch.float32):
        super().__init__(weight_quantized, bias, dtype)
        bt = _tensor(b, "b", dtype, ndim=2)
        at = _tensor(a, "a", dtype, ndim=2)
        if bt.shape[0] != self.d_out or at.shape[1] != self.d_in or bt.shape[1] != at.shape[0]:
            raise ValueError(f"Arguments 'b' and 'a' must have shapes ({self.d_out}, r) and (r, {self.d_in}), "
                             f"not {tuple(bt.shape)} and {tuple(at.shape)}.")
        self.scaling = _scaling(scaling)
        root = math.sqrt(self.scaling)
        self.b = nn.Parameter(bt / root)
        self.a = nn.Parameter(at / root)

    @property
    def rank(self) -> int:
        return self.a.shape[0]

    @classmethod
    def zero_init(cls, weight_quantized, rank, *, seed=0, bias=None, scaling=1.0, dtype=torch.float32):
        """QLoRA's start: ``B = 0``, ``A`` Kaiming-uniform (so ``ΔW = 0``)."""
        w = _tensor(weight_quantized, "weight_quantized", dtype, ndim=2)
        g = torch.Generator().manual_seed(int(seed))
        bound = 1.0 / math.sqrt(w.shape[1])
        a = (torch.rand((int(rank), w.shape[1]), generator=g, dtype=dtype) * 2 - 1) * bound
        return cls(w, torch.zeros((w.shape[0], int(rank)), dtype=dtype), a, bias=bias, scaling=scaling,
                   dtype=dtype)

    @classmethod
    def from_delta(cls, weight_quantized, delta, rank, *, bias=None, scaling=1.0, dtype=torch.float32):
        """Factors of the best rank-``r`` approximation of a dense ``delta`` (balanced SVD split).

        With ``delta = svd_adapter(W - W_q, r)`` this is LoftQ's one-step start; with
        ``cloq_adapter(...)`` CLoQ's.
        """
        d = np.asarray(delta, dtype=np.float64)
        u, s, vt = np.linalg.svd(d, full_matrices=False)
        r = int(rank)
        root = np.sqrt(s[:r])
        return cls(weight_quantized, u[:, :r] * root, root[:, None] * vt[:r], bias=bias, scaling=scaling,
                   dtype=dtype)

    def delta_weight(self) -> torch.Tensor:
        return (self.b * self.scaling) @ self.a


def dct_matrix(n, dtype=torch.float64) -> torch.Tensor:
    r"""The orthonormal DCT-II matrix :math:`C_{kj} = c_k \cos(\pi k (2j+1) / 2n)` (``scipy.fft.dct(norm="ortho")``).

    Examples
    --------
    >>> import torch
    >>> from algdiv.quant import dct_matrix
    >>> c = dct_matrix(6)
    >>> bool(torch.allclose(c @ c.T, torch.eye(6, dtype=torch.float64)))
    True
    """
    k = torch.arange(n, dtype=torch.float64)[:, None]
    j = torch.arange(n, dtype=torch.float64)[None, :]
    c = torch.cos(math.pi * k * (2 * j + 1) / (2 * n)) * math.sqrt(2.0 / n)
    c[0] /= math.sqrt(2.0)
    return c.to(dtype)


class FourierFTLinear(_FrozenBase):
    r"""Frozen quantized weight plus a 2-D spectral adapter :math:`\Delta W = s\,C_{out}^T F C_{in}`.

    ``F`` has ``K`` trainable values at fixed positions; :math:`C` are the orthonormal
    DCT-II matrices, applied densely (:math:`O(d_{out} d_{in} (d_{out} + d_{in}))` per step).

    Parameters
    ----------
    weight_quantized : array_like or Tensor, shape (d_out, d_in)
    indices : array_like of int, shape (2, K)
        (row frequency, column frequency) positions.
    values : array_like, shape (K,)
    bias, scaling, dtype
        As :class:`QWHALinear`.
    """

    def __init__(self, weight_quantized, indices, values, *, bias=None, scaling=1.0, dtype=torch.float32):
        super().__init__(weight_quantized, bias, dtype)
        idx = np.asarray(indices)
        if idx.dtype.kind not in "iu" or idx.ndim != 2 or idx.shape[0] != 2:
            raise ValueError(f"Argument 'indices' must be a (2, K) integer array, not shape {idx.shape}.")
        if idx.size and (idx.min() < 0 or idx[0].max() >= self.d_out or idx[1].max() >= self.d_in):
            raise ValueError(f"Argument 'indices' must hold rows in [0, {self.d_out}) and columns in "
                             f"[0, {self.d_in}).")
        v = _tensor(values, "values", dtype, ndim=1)
        if v.shape[0] != idx.shape[1]:
            raise ValueError(f"Argument 'values' must have length K = {idx.shape[1]}, not {v.shape[0]}.")
        self.scaling = _scaling(scaling)
        self.register_buffer("rows", torch.from_numpy(idx[0].astype(np.int64)))
        self.register_buffer("cols", torch.from_numpy(idx[1].astype(np.int64)))
        self.register_buffer("c_out", dct_matrix(self.d_out, dtype))
        self.register_buffer("c_in", dct_matrix(self.d_in, dtype))
        self.values = nn.Parameter(v / self.scaling)

    @classmethod
    def from_error(cls, weight_quantized, error, budget, *, positions="random", seed=0, bias=None,
                   scaling=1.0, dtype=torch.float32):
        """Positions ``"random"`` (FourierFT) or ``"topk"`` (LoCA-like oracle) of the 2-D DCT of
        ``error = W - W_q``; initial values are the error's coefficients there (the exact
        projection, the basis being orthonormal)."""
        import scipy.fft
        e = np.asarray(error, dtype=np.float64)
        if e.ndim != 2:
            raise ValueError(f"Argument 'error' must be 2-D, not {e.ndim}-D.")
        if not 0 <= int(budget) <= e.size:
            raise ValueError(f"Argument 'budget' must be in [0, {e.size}], not {budget!r}.")
        c = scipy.fft.dctn(e, type=2, norm="ortho")
        if positions == "random":
            flat = np.random.default_rng(seed).choice(e.size, size=int(budget), replace=False)
        elif positions == "topk":
            flat = np.argpartition(np.abs(c).ravel(), e.size - int(budget))[e.size - int(budget):]
        else:
            raise ValueError(f"Argument 'positions' must be 'random' or 'topk', not {positions!r}.")
        flat = np.sort(flat)
        rows, cols = np.divmod(flat, e.shape[1])
        return cls(weight_quantized, np.stack([rows, cols]), c.ravel()[flat], bias=bias, scaling=scaling,
                   dtype=dtype)

    def delta_weight(self) -> torch.Tensor:
        f = self.values.new_zeros((self.d_out, self.d_in)).index_put((self.rows, self.cols),
                                                                    self.values * self.scaling)
        return self.c_out.T @ f @ self.c_in


def fit_layer_output(module, x, target, *, steps=50, lr=1e-3, batch_size=None, seed=0, progress=None):
    r"""Train ``module``'s adapter to reduce the layer's output error on calibration activations.

    Minimises the mean squared error :math:`\|\mathrm{module}(X) - Y\|^2 / (T d_{out})`
    (``Y = X W^T + b`` of the full-precision layer) with Adam.

    Parameters
    ----------
    module : QWHALinear, LoRALinear or FourierFTLinear
    x : Tensor, shape (T, d_in)
        Calibration inputs.
    target : Tensor, shape (T, d_out)
        The full-precision layer's outputs on ``x``.
    steps : int, optional
    lr : float, optional
    batch_size : int, optional
        Tokens per step (random mini-batches drawn with ``seed``); all of them by default.
    progress : callable, optional
        ``progress(done, steps, "train")``.

    Returns
    -------
    dict
        ``"loss"``: the (mini-batch) training loss at each step, then the loss on all of
        ``x`` after the last step (``steps + 1`` floats); ``"seconds"``: wall time per step.
    """
    check_progress(progress)
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"Argument 'steps' must be a non-negative int, not {steps!r}.")
    if x.ndim != 2 or target.ndim != 2 or x.shape[0] != target.shape[0]:
        raise ValueError(f"Arguments 'x' and 'target' must be (T, d_in) and (T, d_out), not "
                         f"{tuple(x.shape)} and {tuple(target.shape)}.")
    params = [p for p in module.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=lr)
    g = torch.Generator().manual_seed(int(seed))
    n = x.shape[0]
    losses, secs = [], []
    tick = Ticker(progress, int(steps), "train")
    for _ in range(int(steps)):
        t0 = time.perf_counter()
        if batch_size is None or batch_size >= n:
            xb, yb = x, target
        else:
            pick = torch.randint(0, n, (int(batch_size),), generator=g)
            xb, yb = x[pick], target[pick]
        opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(module(xb), yb)
        loss.backward()
        opt.step()
        secs.append(time.perf_counter() - t0)
        losses.append(float(loss.detach()))
        tick.step()
    with torch.no_grad():
        losses.append(float(F.mse_loss(module(x), target)))
    tick.finish()
    return {"loss": losses, "seconds": secs}
