"""discover(): from an empirical covariance or samples to its matched group."""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ._automorphisms import colored_automorphisms
from .._checks import check_choice
from .._progress import Ticker, check_progress
from ..groups import PermutationGroup
from ..groups._limits import check_bytes
from ._basis_models import (basis_estimate, is_basis_model, score_basis_model, signal_basis,
                            signal_size)
from ._catalog import catalog, catalog_size, symmetric_orbitals, unordered_orbital_count
from ._coloring import coherent_closure, color_entries, default_tol
from ._gevp import sequential_gevp
from ._residual import _as_group, _orbital_mean
from ._thresholds import (BootstrapDraws, bootstrap_lr_threshold, bootstrap_threshold,
                          lr_statistic, minp_lr_test, moment_threshold, screen_bound)
from ._validate import (as_covariance, as_level, as_n_boot, as_n_samples, as_samples,
                        sample_covariance)

__all__ = ["discover", "DiscoveryResult", "CandidateScore", "TIERS", "DEFAULT_TIERS_MAX_N"]

#: tier names: A catalog scoring, B exact automorphisms, C double-commutator GEVP
TIERS = ("catalog", "exact", "gevp")
#: above this N the default tiers leave out the GEVP (its dictionary grows too fast)
DEFAULT_TIERS_MAX_N = 64
#: the parametric bootstrap is the default threshold up to this N, the moment form above
BOOTSTRAP_MAX_N = 64
N_BOOT = 1000
#: stage 2 tests a survivor against at most this many passed models (nearest first)
MAX_ALTERNATIVES = 12
#: exact covariances: relative tolerance of delta and of the colouring
EXACT_RTOL = 4.0 * np.sqrt(np.finfo(np.float64).eps)
#: noisy tier B: entries closer than this many standard errors share a colour
COLOR_GAP_SE = 1.0


@dataclass
class CandidateScore:
    """One row of the verdict table."""

    group: object
    tiers: tuple
    delta: float
    statistic: float     # the tested statistic: delta, or the likelihood ratio for "lr"
    threshold: float     # ... and its (1 - level) quantile under H0
    method: str          # "lr-bootstrap" | "delta-bootstrap" | "delta-moments" | "screen" | "exact"
    accepted: bool
    resolution: int      # orbits on unordered pairs (free parameters of an invariant R)
    versus: str = ""     # stage 2: the alternative that came nearest to rejecting G
    nested_statistic: float = float("nan")
    nested_threshold: float = float("nan")

    @property
    def name(self):
        return self.group.name

    @property
    def order(self):
        return self.group.order()


#: generic groups (from generators) above this degree get no Schreier-Sims order in the
#: verdict's ordering or table: sympy's is too slow there (a noisy tier-B colouring at
#: N = 256 gave a group whose order took minutes)
GENERIC_ORDER_MAX_N = 64


def _order_known(G):
    return G.family != "generic" or G.degree <= GENERIC_ORDER_MAX_N


def _order_key(G):
    """The order for tie-breaks, 0 where it is not computed (generic groups above 64 points)
    and for DCT groups (their order counts the extension's symmetries, not the signal's)."""
    return G.order() if _order_known(G) and not is_basis_model(G) else 0


def _order_text(G):
    return _fmt_order(G.order()) if _order_known(G) else "n/c"


def _fmt_order(k):
    """An order for the table: exact below 10^9, else d.ddde+XX (exact integer arithmetic:
    orders such as 256! overflow a float)."""
    k = int(k)
    if k < 10**9:
        return str(k)
    s = str(k)
    return f"{s[0]}.{s[1:4]}e+{len(s) - 1:02d}"


class DiscoveryResult:
    r"""What :func:`discover` found.

    Attributes
    ----------
    group : algdiv.groups.PermutationGroup
        The verdict: the accepted proposal of least resolution (largest order on ties).
    delta : float
        Its commutativity residual :math:`\delta_G(\hat R)`.
    alpha : float
        Energy colouring index :math:`1 - \delta_G^2`.
    alpha_scheme : float or None
        Scheme colouring index of the (noise-aware) colouring of :math:`\hat R`
        against its automorphism group (None when the exact tier did not run).
    estimate : ndarray
        The group-averaged covariance :math:`\Pi_G \hat R` (symmetry-aware estimator).
    cov : ndarray
        The covariance that was analysed (:math:`\hat R`).
    n_samples : int or None
        Degrees of freedom used for the thresholds (None: exact covariance).
    table : list of CandidateScore
        Every proposal with its score and threshold, verdict first then by resolution.
    certificate : float or None
        Tier C's :math:`\lambda_{\min}` after deflation (None when tier C did not run).
    transform : algdiv.Transform
        ``matched_transform(group, cov=estimate)``, computed on first access.
    """

    def __init__(self, group, delta, alpha, alpha_scheme, estimate, cov, n_samples, table,
                 certificate, level):
        self.group = group
        self.delta = delta
        self.alpha = alpha
        self.alpha_scheme = alpha_scheme
        self.estimate = estimate
        self.cov = cov
        self.n_samples = n_samples
        self.table = table
        self.certificate = certificate
        self.level = level

    @functools.cached_property
    def transform(self):
        from algdiv.bases import matched_transform

        return matched_transform(self.group, cov=self.estimate)

    def __repr__(self):
        return (f"DiscoveryResult(group={self.group.name}, order={_order_text(self.group)}, "
                f"delta={self.delta:.3g})")

    def __str__(self):
        n = self.cov.shape[0]
        L = "exact covariance" if self.n_samples is None else f"L = {self.n_samples} dof"
        head = (f"matched group: {self.group.name}  (order {_order_text(self.group)}, "
                f"N = {n}, {L}, level {self.level:g})\n"
                f"delta = {self.delta:.4g}   alpha = {self.alpha:.4g}   alpha_scheme = "
                + ("-" if self.alpha_scheme is None else f"{self.alpha_scheme:.4g}")
                + ("" if self.certificate is None else
                   f"   gevp lambda_min = {self.certificate:.3g}"))
        w = max(24, max(len(r.name) for r in self.table))
        lines = [head, "",
                 f"{'candidate':<{w}} {'tiers':<14} {'order':>10} {'res':>5} "
                 f"{'delta':>9} {'statistic':>10} {'threshold':>10} {'method':<15} verdict"
                f"  [stage 2: statistic / threshold vs finer model; G & H: common refinement]"]
        for r in self.table:
            mark = "accept" if r.accepted else "reject"
            if r.group is self.group:
                mark = "MATCHED"
            lines.append(
                f"{r.name:<{w}} {'+'.join(r.tiers):<14} {_order_text(r.group):>10} "
                f"{r.resolution:>5} {r.delta:>9.4g} {r.statistic:>10.4g} {r.threshold:>10.4g} "
                f"{r.method:<15} {mark}"
                + (f"  [{r.nested_statistic:.4g} / {r.nested_threshold:.4g} vs {r.versus}]"
                   if r.versus else ""))
        if any(not _order_known(r.group) for r in self.table):
            lines.append(f"(n/c: order not computed for generic groups on more than "
                         f"{GENERIC_ORDER_MAX_N} points; .group.order() computes it)")
        return "\n".join(lines)


def _refines(fine, coarse):
    """Whether the partition ``fine`` refines ``coarse`` (coarse constant on fine classes)."""
    r = int(fine.max()) + 1
    pairs = np.unique(fine.ravel().astype(np.int64) * (int(coarse.max()) + 1) + coarse.ravel())
    return pairs.size == r


def _common_refinement(a, b):
    """Labels and counts of the common refinement of two partitions of the ordered pairs."""
    _, inv, counts = np.unique(a.ravel().astype(np.int64) * (int(b.max()) + 1) + b.ravel(),
                               return_inverse=True, return_counts=True)
    return inv.reshape(a.shape), counts


def _as_tiers(tiers, n):
    if tiers is None:
        return TIERS if n <= DEFAULT_TIERS_MAX_N else ("catalog", "exact")
    if isinstance(tiers, str):
        tiers = (tiers,)
    try:
        tiers = tuple(tiers)
    except TypeError:
        raise TypeError(f"Argument 'tiers' must be a non-empty subset of {TIERS}, "
                        f"not {type(tiers).__name__}.") from None
    if not all(isinstance(t, str) for t in tiers):
        raise TypeError(f"Argument 'tiers' must be a non-empty subset of {TIERS}, not {tiers!r}.")
    bad = [t for t in tiers if t not in TIERS]
    if bad or not tiers:
        raise ValueError(f"Argument 'tiers' must be a non-empty subset of {TIERS}, not {tiers!r}.")
    return tiers


def _cost_bytes(n, n_candidates, tiers, bootstrap, n_boot, dof):
    """Peak working set of :func:`discover` (bytes), estimated before any work.

    Per proposal: its orbitals and the symmetric-orbital key (int32 each), the
    group average (float64) and the catalog's duplicate key, 24 N^2 bytes; the
    temporaries of one proposal (48 N^2); the bootstrap's B sample covariances and
    their projections (about 6 B N^2 doubles, or B L N for L < N); the moment
    threshold's orbital sums (up to 64 x N^2 doubles); the exact tier's layered
    colouring graph (checked again once its edges are known); the GEVP's
    commutators.
    """
    nn = n * n
    total = (24 * (n_candidates + 3) + 48 + 40) * nn
    if bootstrap:
        total += 8 * n_boot * (6 * nn + (min(dof, n) * n if dof is not None else 0))
    elif dof is not None:
        total += 8 * 64 * nn
    if "gevp" in tiers:
        from ._dictionary import TRANSPOSITION_MAX_N, dictionary_size

        d = dictionary_size(n, n <= TRANSPOSITION_MAX_N)
        total += 8 * (3 * d * nn + 8 * d * d)
    return total


def discover(cov=None, samples=None, *, n_samples=None, candidates=None, tiers=None,
             level=0.05, rng=None, threshold="auto", test="auto", n_boot=N_BOOT,
             progress=None):
    r"""Find the matched group of a covariance, its transform and how sure that is.

    Every tier proposes groups; each proposal :math:`G` is scored by its
    commutativity residual :math:`\delta_G(\hat R) = \|\hat R - \Pi_G \hat R\|_F /
    \|\hat R\|_F` and accepted when :math:`\delta_G \le \tau_G(L)`, the (1 - level)
    quantile of :math:`\delta_G` under the hypothesis that the population covariance
    is :math:`\Pi_G \hat R` (or, where L > N and N <= 64, when the Gaussian
    likelihood ratio against the saturated model is within its critical value), and
    then against every passed finer model at once (the nested model, or the common
    refinement of both orbital partitions; min-p, jointly calibrated), each stage at
    level / 2. The verdict is the accepted proposal of least
    resolution (fewest orbits on unordered pairs, i.e. fewest free parameters;
    largest order on ties): the largest accepted group along a chain.

    Parameters
    ----------
    cov : array_like, shape (N, N), optional
        Covariance (real symmetric, not symmetrized here). Give ``n_samples`` if it
        is an estimate; without it, ``cov`` is taken as exact (noise-free) and the
        thresholds are numerical tolerances (:math:`4\sqrt{\epsilon}`).
    samples : array_like, shape (L, N), optional
        Snapshots (rows). The centred sample covariance with L - 1 degrees of
        freedom is analysed. Exactly one of ``cov`` and ``samples``.
    n_samples : int, optional
        The number of snapshots L behind ``cov`` (used as its degrees of freedom).
    candidates : sequence of algdiv.groups.PermutationGroup, optional
        Tier A candidates (default :func:`catalog` for N).
    tiers : sequence of {"catalog", "exact", "gevp"}, optional
        Default: all three for :math:`N \le 64`, ``("catalog", "exact")`` above,
        where the GEVP dictionary (O(N^2) atoms with transpositions, O(N) without)
        makes its :math:`O(d^2 N^2 + d^3)` cost dominate.
    level : float
        Per-candidate false-rejection probability (default 0.05).
    rng : seed or numpy.random.Generator, optional
        For the bootstrap draws.
    threshold : {"auto", "bootstrap", "moments"}
        Threshold method for an estimated covariance: the vectorized parametric
        bootstrap (``n_boot`` Wishart draws via the Bartlett decomposition) or the
        moment-matched scaled :math:`\chi^2` (see :func:`moment_threshold`).
        ``"auto"``: bootstrap up to N = 64, moments above. Either way, candidates
        whose :math:`\delta` exceeds the conservative bound of :func:`screen_bound`
        are rejected without computing their own threshold (method ``"screen"``).
    test : {"auto", "lr", "delta"}
        The statistic: the Gaussian likelihood ratio (``"lr"``: needs L > N and the
        bootstrap thresholds) or :math:`\delta` itself. ``"auto"``: the likelihood
        ratio where it applies and the sample covariance is positive definite.
    n_boot : int
        Bootstrap draws (default 1000), shared by all candidates. Where the bootstrap
        runs it must be at least the smallest B whose Monte Carlo test at level / 2
        can reject at all (``ceil((B + 1)(1 - level / 2)) <= B``: 39 at level 0.05);
        fewer would make every threshold infinite and accept every group.
    progress : callable, optional
        ``progress(done, total, label)`` (:mod:`algdiv._progress`) through the
        catalog, the tiers and the two test stages; anything it raises
        (``KeyboardInterrupt`` included) stops the search.

    Returns
    -------
    DiscoveryResult
        ``.group``, ``.transform``, ``.delta``, ``.alpha``, ``.alpha_scheme``,
        ``.estimate``, ``.table``; ``str(result)`` prints the verdict table.

    Raises
    ------
    ValueError
        Non-square or non-symmetric ``cov``, NaN/Inf, L < 2, N = 1, constant
        samples (zero covariance), both or neither of ``cov``/``samples``, bad
        ``tiers``/``level``/``threshold``/``test``, ``n_boot`` below the minimum
        of the level.
    TypeError
        Non-numeric or complex data, a non-integer ``n_samples``/``n_boot``,
        candidates that are not permutation groups, a non-callable ``progress``.
    SizeLimitError
        The estimated working set passes :data:`algdiv.groups.MEMORY_LIMIT`
        (e.g. N in the thousands with the full catalog); raised before any work.

    Notes
    -----
    Tiers. A (``"catalog"``): the catalog groups. B (``"exact"``): the exact
    automorphism group of the colouring of :math:`\hat R` (entries equal within the
    tolerance: :math:`4\sqrt{\epsilon}\max|R|` for an exact covariance, one
    standard error :math:`\sqrt{(R_{ii}R_{jj} + R_{ij}^2)/L}` for an estimate),
    computed by BLISS (python-igraph) or a built-in refinement search. C
    (``"gevp"``): generators from the sequential double-commutator eigenproblem,
    rounded to permutations, closed into a group.

    The group-averaged covariance :math:`\Pi_G \hat R` satisfies, for a
    G-invariant population covariance, :math:`\|\Pi_G\hat R - R\|_F^2 = \|\hat R -
    R\|_F^2 - \|\hat R - \Pi_G \hat R\|_F^2`: it is never worse than the sample
    covariance.

    References
    ----------
    M. A. Thornton, "Unification of signal transform theory", arXiv:2605.11589;
    "Polynomial-time optimal group selection via the double-commutator eigenvalue
    problem", arXiv:2605.00834 (2026).

    Examples
    --------
    >>> import numpy as np
    >>> import algdiv
    >>> i = np.arange(16)
    >>> R = 0.8 ** np.minimum((i[:, None] - i) % 16, (i - i[:, None]) % 16)
    >>> res = algdiv.discover(R)
    >>> res.group.name, res.group.order()
    ('dihedral(16)', 32)
    >>> X = np.random.default_rng(0).multivariate_normal(np.zeros(16), R, size=3000)
    >>> algdiv.discover(samples=X, rng=1).group.name
    'dihedral(16)'
    """
    if (cov is None) == (samples is None):
        raise ValueError("Give exactly one of 'cov' (N x N) and 'samples' (L x N).")
    if samples is not None:
        if n_samples is not None:
            raise ValueError(
                "Argument 'n_samples' is only for 'cov'; with 'samples' L is their row count.")
        R, dof = sample_covariance(as_samples(samples))
    else:
        R = as_covariance(cov)
        dof = as_n_samples(n_samples)
    level = as_level(level)
    n = R.shape[0]
    tiers = _as_tiers(tiers, n)
    threshold = check_choice(threshold, "threshold", ("auto", "bootstrap", "moments"))
    if threshold == "auto":
        threshold = "bootstrap" if n <= BOOTSTRAP_MAX_N else "moments"
    test = check_choice(test, "test", ("auto", "lr", "delta"))
    n_boot = as_n_boot(n_boot, level, used=dof is not None and threshold == "bootstrap")
    check_progress(progress)
    if candidates is not None:
        if isinstance(candidates, PermutationGroup):
            raise TypeError("Argument 'candidates' must be a sequence of PermutationGroups, "
                            "not one group; wrap it in a list.")
        candidates = [G if is_basis_model(G) and signal_size(G) == n
                      else _as_group(G, n, f"candidates[{i}]") for i, G in enumerate(candidates)]
    n_cand = (catalog_size(n) if candidates is None else len(candidates)) \
        if "catalog" in tiers else 0
    check_bytes(_cost_bytes(n, n_cand, tiers, threshold == "bootstrap" and dof is not None,
                            n_boot, dof),
                f"discover on N = {n} ({n_cand} catalog candidates, tiers {'+'.join(tiers)})")
    ticker = Ticker(progress, n_cand + len(tiers) + 2, "candidates")
    if test == "lr" and (threshold != "bootstrap" or dof is None or dof <= n):
        raise ValueError(
            "Argument test='lr' needs an estimated covariance with more degrees of freedom "
            f"than N = {n} (got {dof}) and threshold='bootstrap'.")
    rng = np.random.default_rng(rng)
    from algdiv.groups import from_generators

    proposals = {}   # symmetric-orbital key -> [group, tiers]

    def propose(G, tier):
        key = (("basis", G.name) if is_basis_model(G)
               else symmetric_orbitals(G.orbitals()).tobytes())
        if key in proposals:
            entry = proposals[key]
            if tier not in entry[1]:
                entry[1].append(tier)
            # Equal orbitals mean equal invariant matrices, so either group gives the
            # same estimate and transform. Prefer a named family (closed-form order,
            # structured plan); compare orders only between named families, since a
            # generic group's order needs Schreier-Sims, which is slow at large N.
            old_generic = entry[0].family == "generic"
            new_generic = G.family == "generic"
            if old_generic and not new_generic:
                entry[0] = G
            elif not old_generic and not new_generic and G.order() > entry[0].order():
                entry[0] = G
        else:
            proposals[key] = [G, [tier]]

    # the trivial group (the sample covariance itself, the KLT) is always a
    # proposal, and always accepted: the verdict exists whatever the tiers say
    from algdiv.groups import trivial

    propose(trivial(n), "base")
    if "catalog" in tiers:
        if candidates is None:
            cands = catalog(n, progress=lambda d, t, s: ticker.step(0 if d == 0 else 1))
        else:
            cands = candidates
            ticker.step(len(cands))
        for G in cands:
            propose(G, "catalog")
    nR2 = float(np.sum(R * R))
    nR = np.sqrt(nR2)
    alpha_scheme = None
    if "exact" in tiers:
        if dof is None:
            tol = default_tol(R)
        else:
            d = np.diag(R)
            tol = COLOR_GAP_SE * np.sqrt((np.abs(np.outer(d, d)) + R * R) / dof)
            tol = np.maximum(tol, np.finfo(np.float64).tiny)   # constant columns: tol 0
        ticker.step(label="exact tier")
        colors = color_entries(R, tol)
        gens = colored_automorphisms(colors)
        aut = from_generators(np.asarray(gens, dtype=np.intp).reshape(-1, n), n,
                              name="aut(colouring)")
        propose(aut, "exact")
        alpha_scheme = float((int(coherent_closure(colors).max()) + 1) / aut.n_orbitals())
    certificate = None
    if "gevp" in tiers:
        if dof is None:
            lam_tol, gen_tol = EXACT_RTOL ** 2, EXACT_RTOL
        else:
            noise2 = (float(np.trace(R)) ** 2 + nR2) / dof   # E ||R_hat - R||_F^2
            lam_tol = 6.0 * noise2 / (n * nR2)
            gen_tol = 1.5 * np.sqrt(2.0 * noise2) / nR
        ticker.step(label="gevp tier")
        seq = sequential_gevp(R, tol=lam_tol, gen_tol=gen_tol, redundant="orbitals")
        certificate = seq.certificate
        propose(from_generators(seq.generators.reshape(-1, n), n, name="gevp"), "gevp")

    # --- score every proposal -------------------------------------------------------
    # Stage 1 tests each proposal G against the saturated model; stage 2 tests each
    # survivor, from fine to coarse, against the current verdict B (the passed model of
    # least resolution so far): nested in B when B's orbitals refine G's, else against
    # the common refinement of both (see below). The omnibus test alone has little
    # power against a wrong group that merges only a few orbitals of the true one.
    # Each stage runs at level / 2, so a true G is falsely rejected with
    # probability <= level. The screen runs at level / 100.
    bound = None if dof is None else screen_bound(R, dof, level / 100)
    if test == "auto":
        test = ("lr" if dof is not None and threshold == "bootstrap" and dof > n
                and np.linalg.eigvalsh(R)[0] > 0 else "delta")
    state = {"draws": None}

    def run_test(G, S, labels, counts, delta, finer, alt):
        """(statistic, threshold, method) of G against the saturated model or ``finer``."""
        if dof is None:
            return delta, EXACT_RTOL, "exact"
        if threshold == "bootstrap":
            if state["draws"] is None:
                state["draws"] = BootstrapDraws(n, dof, n_boot, rng)
            if test == "lr":
                return (lr_statistic(alt, S, dof),
                        bootstrap_lr_threshold(labels, counts, state["draws"], level / 2, finer),
                        "lr-bootstrap")
            stat = float(np.linalg.norm(alt - S) / nR)
            return (stat, bootstrap_threshold(S, labels, counts, state["draws"], level / 2,
                                              finer), "delta-bootstrap")
        stat = float(np.linalg.norm(alt - S) / nR)
        return (stat, moment_threshold(S, labels, counts, dof, level / 2, nR, rng,
                                       finer=finer), "delta-moments")

    def shared_draws():
        if state["draws"] is None:
            state["draws"] = BootstrapDraws(n, dof, int(n_boot), rng)
        return state["draws"]

    rows, info = [], []
    # from here: one step per proposal in stage 1 and (at most) one in stage 2
    ticker.total = ticker.done + 2 * len(proposals)
    ticker.step(0, label="stage 1")
    for G, tier_list in proposals.values():
        ticker.step(label="stage 1")
        Q = signal_basis(G)
        if Q is not None:
            # a DCT group or a product of them: the covariances diagonal in its basis
            # (see _basis_models); stage 1 only, at level / 2 like every other test
            delta, stat, tau, method, _S = score_basis_model(
                Q, R, dof, test=test, threshold=threshold, level=level / 2, bound=bound,
                draws=shared_draws, rng=rng)
            rows.append(CandidateScore(G, tuple(tier_list), delta, stat, tau, method, stat <= tau,
                                       Q.shape[1]))
            info.append(None)
            continue
        labels = G.orbitals()
        counts = np.bincount(labels.ravel())
        S = _orbital_mean(labels, counts, R)
        delta = float(np.linalg.norm(R - S) / nR)
        if G.generators.shape[0] == 0:
            stat, tau, method = 0.0, 0.0, "trivial"
        elif dof is not None and delta > bound:
            stat, tau, method = delta, bound, "screen"
        else:
            stat, tau, method = run_test(G, S, labels, counts, delta, None, R)
        rows.append(CandidateScore(G, tuple(tier_list), delta, stat, tau, method, stat <= tau,
                                   unordered_orbital_count(labels)))
        info.append((labels, counts, S, symmetric_orbitals(labels)))
    if dof is not None:
        # fine to coarse, so that the finer models a test leans on have passed both stages
        survivors = sorted((k for k, r in enumerate(rows) if r.accepted and info[k] is not None),
                           key=lambda k: (-rows[k].resolution, _order_key(rows[k].group)))
        passed = []
        for k in survivors:
            ticker.step(label="stage 2")
            r = rows[k]
            # Stage 2: G against the passed models above it (finer, other than the
            # saturated model that stage 1 covered). Each alternative is the common
            # refinement of G's orbitals and a passed model's (that model itself when
            # its orbitals refine G's): a linear covariance model containing Comm(G),
            # with a few degrees of freedom instead of the saturated model's N(N+1)/2,
            # so it sees what the omnibus test misses, a wrong group that averages
            # together orbitals of the true one, nested in it or not. With the LR test
            # all alternatives are tested at once (min-p, calibrated jointly), so a true
            # G is rejected with probability level / 2 however many passed, and a wrong
            # coarse group cannot slip through by being compared only with another
            # wrong group that passed before it.
            above = [j for j in passed if rows[j].resolution > r.resolution
                     and rows[j].group.generators.shape[0]]
            if r.group.generators.shape[0] and above:
                labels, counts, S, _ = info[k]
                stat = tau = float("inf")
                if test == "lr":
                    # the nearest MAX_ALTERNATIVES by resolution, one per distinct partition
                    above.sort(key=lambda j: (rows[j].resolution, -_order_key(rows[j].group)))
                    alts, names, seen = [], [], set()
                    for j in above:
                        nested = _refines(info[j][3], info[k][3])
                        plab, pcnt = ((info[j][0], info[j][1]) if nested
                                      else _common_refinement(labels, info[j][0]))
                        key = symmetric_orbitals(plab).tobytes()
                        if key not in seen:
                            seen.add(key)
                            alts.append((plab, pcnt))
                            names.append(rows[j].name if nested
                                         else f"{r.name} & {rows[j].name}")
                        if len(alts) == MAX_ALTERNATIVES:
                            break
                    if state["draws"] is None:
                        state["draws"] = BootstrapDraws(n, dof, n_boot, rng)
                    out = minp_lr_test(R, S, labels, counts, alts, state["draws"], level / 2)
                    if out is not None:
                        jb, stat, tau = out
                        r.versus = names[jb] + (f" (min-p of {len(alts)})" if len(alts) > 1
                                                else "")
                else:
                    # the delta test has no calibrated pattern form (moments need a group):
                    # the nearest passed model whose orbitals refine G's
                    finer = [i for i in above if _refines(info[i][3], info[k][3])]
                    if finer:
                        j = min(finer, key=lambda i: (rows[i].resolution,
                                                      -_order_key(rows[i].group)))
                        stat, tau, _m = run_test(r.group, S, labels, counts, r.delta,
                                                 (info[j][0], info[j][1]), info[j][2])
                        r.versus = rows[j].name
                if r.versus:
                    r.nested_statistic, r.nested_threshold = stat, tau
                    r.accepted = stat <= tau
            if r.accepted:
                passed.append(k)
    ticker.finish()
    accepted = [r for r in rows if r.accepted]
    best = min(accepted, key=lambda r: (r.resolution, -_order_key(r.group)))
    rows.sort(key=lambda r: (r is not best, not r.accepted, r.resolution, -_order_key(r.group)))
    G = best.group
    if is_basis_model(G):
        estimate = basis_estimate(signal_basis(G), R)
    else:
        estimate = _orbital_mean(G.orbitals(), np.bincount(G.orbitals().ravel()), R)
    return DiscoveryResult(G, best.delta, 1.0 - best.delta ** 2, alpha_scheme, estimate, R, dof,
                           rows, certificate, level)
