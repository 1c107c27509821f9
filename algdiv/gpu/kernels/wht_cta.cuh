// The work of one thread block (CTA) of the FWHT kernels, written once for device and host.
//
// A CTA body is a list of *phases*.  Phase ph consists of groups(ph) independent work items;
// on the device thread t runs items t, t + blockDim.x, ... and a __syncthreads() separates
// phases; the host harness (tests/gpu) runs every item of a phase, then the next phase.  No
// two items of one phase touch the same shared-memory slot or global element, so every
// interleaving of the threads gives the result of the host's sequential run.
//
// Row kernel (algdiv_row_cta): rows of n = m * 2^k elements (m in {1, 12, 20, 28}), several
// rows per CTA when n is small.  Index bits of a length-2^k sub-row are consumed LOGE at a
// time: pass 0 loads E = 2^LOGE contiguous values per item straight from global memory
// (16-byte vector loads) and applies the low r stages in registers; pass c >= 1 gathers the
// E values that differ in bits [r + (c-1) LOGE, r + c LOGE) from shared memory, applies
// those LOGE stages and writes them back (or, in the final pass, to global memory: each warp
// still stores runs of consecutive elements).  Lengths m 2^k then get the m x m Paley mix
// per column.  Sign diagonals are applied where an element's natural index is known: D
// (pre) while loading, D2 (mid, two-block rotation) after the first transform, D_post after
// the last; the scale (norm) is fused into the global store.  Sequency/dyadic order
// permutes through shared memory on the way out (forward) or in (inverse).
#pragma once

#include "wht_core.cuh"

enum {
    ALGDIV_PH_STAGE_ITQ = 0,   // copy ITQ3_S block bytes to shared memory
    ALGDIV_PH_LOAD_PERM = 1,   // global (ordered) -> shared (natural slots)
    ALGDIV_PH_PASS = 2,        // one radix-2^LOGE pass; arg = 16 * transform + pass
    ALGDIV_PH_MIX = 3,         // Paley m-mix per column; arg = transform
    ALGDIV_PH_STORE_PERM = 4,  // shared (natural) -> global (ordered)
    ALGDIV_PH_SIGNS = 5        // generated shared diagonals -> bit masks in shared memory
};

// ITQ3_S block layout (algdiv/quant/_itq3s.py, version 2): fp16 super-scale d (2 bytes, LE),
// 8 sub-scales s in 4 bits (even index in the low nibble), then 103 bytes of base-3 digits,
// 5 per byte (digit = trit + 1, first trit in the least significant place): trits 0..255 are
// the high trits t1, 256..511 the low trits t0, q = 3 t1 + t0; value = d (2 s + 1) q.  Each
// stored block ends with the CRC-32 of those 109 bytes (checked before launch, not read here),
// so blocks are ALGDIV_ITQ_STRIDE bytes apart.
#define ALGDIV_ITQ_BLOCK 256
#define ALGDIV_ITQ_SUB 32
#define ALGDIV_ITQ_BYTES 109
#define ALGDIV_ITQ_STRIDE 113
#define ALGDIV_ITQ_QS 6

ALGDIV_HD int algdiv_itq_trit_digit(const unsigned char *blk, int t) {
    int byte = blk[ALGDIV_ITQ_QS + t / 5];
    switch (t % 5) {
        case 1: byte /= 3; break;
        case 2: byte /= 9; break;
        case 3: byte /= 27; break;
        case 4: byte /= 81; break;
        default: break;
    }
    return byte % 3;
}

// Dequantized (rotated-domain) value i of one block (its first 109 bytes).
ALGDIV_HD float algdiv_itq_value(const unsigned char *blk, int i) {
    float d = algdiv_h2f((algdiv_u16)(blk[0] | (blk[1] << 8)));
    int j = i / ALGDIV_ITQ_SUB;
    int s = (blk[2 + (j >> 1)] >> ((j & 1) * 4)) & 15;
    int q = 3 * (algdiv_itq_trit_digit(blk, i) - 1) + (algdiv_itq_trit_digit(blk, ALGDIV_ITQ_BLOCK + i) - 1);
    return d * (float)(2 * s + 1) * (float)q;
}

// E values of T from g[start..start+E) (those at or past `limit` read as 0), widened to A.
template <class T, class A, int E>
ALGDIV_HD void algdiv_load_chunk(const T *g, long long start, long long limit, A *v) {
    const int BYTES = E * (int)sizeof(T);
    if (BYTES % 16 == 0 && start + E <= limit &&
        (((unsigned long long)(const void *)(g + start)) & 15ull) == 0) {
        union { algdiv_v16 q[(BYTES + 15) / 16]; T t[E]; } u;
        const algdiv_v16 *src = (const algdiv_v16 *)(const void *)(g + start);
#pragma unroll
        for (int j = 0; j < BYTES / 16; ++j) u.q[j] = src[j];
#pragma unroll
        for (int e = 0; e < E; ++e) v[e] = algdiv_cvt<T, A>::load(u.t[e]);
    } else {
#pragma unroll
        for (int e = 0; e < E; ++e) v[e] = start + e < limit ? algdiv_cvt<T, A>::load(g[start + e]) : (A)0;
    }
}

// Store E values (times scale) to g[start..), skipping those at or past `limit`.
template <class T, class A, int E>
ALGDIV_HD void algdiv_store_chunk(T *g, long long start, long long limit, const A *v, A scale) {
    const int BYTES = E * (int)sizeof(T);
    if (BYTES % 16 == 0 && start + E <= limit &&
        (((unsigned long long)(const void *)(g + start)) & 15ull) == 0) {
        union { algdiv_v16 q[(BYTES + 15) / 16]; T t[E]; } u;
#pragma unroll
        for (int e = 0; e < E; ++e) u.t[e] = algdiv_cvt<T, A>::store(v[e] * scale);
        algdiv_v16 *dst = (algdiv_v16 *)(void *)(g + start);
#pragma unroll
        for (int j = 0; j < BYTES / 16; ++j) dst[j] = u.q[j];
    } else {
#pragma unroll
        for (int e = 0; e < E; ++e)
            if (start + e < limit) g[start + e] = algdiv_cvt<T, A>::store(v[e] * scale);
    }
}

// Element e of item G in a pass whose butterfly stride is s (a power of 2): the E elements
// of an item differ only in the index bits of s, 2s, .., (E/2)s.
template <int LOGE> ALGDIV_HD int algdiv_pass_index(int G, int s, int e) {
    return (G / s) * (s << LOGE) + e * s + (G % s);
}

// Number of passes and the stage count r of pass 0 for a length 2^logp.
template <int LOGE> ALGDIV_HD void algdiv_pass_split(int logp, int *npass, int *r) {
    int np = logp <= LOGE ? 1 : 1 + (logp - 1) / LOGE;    // ceil(logp / LOGE), at least 1
    *npass = np;
    *r = logp - LOGE * (np - 1);                           // 0..LOGE
}

// One pass over rows already in shared memory (no global access, no signs).
template <class A, int LOGE>
ALGDIV_HD void algdiv_smem_pass(A *sm, int G, int s, int stages) {
    A v[1 << LOGE];
#pragma unroll
    for (int e = 0; e < (1 << LOGE); ++e) v[e] = sm[algdiv_pad(algdiv_pass_index<LOGE>(G, s, e))];
    algdiv_butterflies<A, LOGE>(v, stages);
#pragma unroll
    for (int e = 0; e < (1 << LOGE); ++e) sm[algdiv_pad(algdiv_pass_index<LOGE>(G, s, e))] = v[e];
}

// Paley mix of one column held in shared memory at base, base + p, .., base + (M-1) p:
// sink.emit(a, y_a) receives each output (rows of the mix are not unrolled: small code).
template <class A, int M, class Sink>
ALGDIV_HD void algdiv_mix_smem(const A *sm, int base, int p, bool transpose, Sink &sink) {
    A z[M];
#pragma unroll
    for (int b = 0; b < M; ++b) z[b] = sm[algdiv_pad(base + b * p)];
#pragma unroll 1
    for (int a = 0; a < M; ++a) sink.emit(a, algdiv_mix_dot<A, M>(z, algdiv_hm_row(M, a, transpose)));
}

// Diagonal entries of the K block-local elements f0, f0 + stride, .. for arrays, per-row
// generation and the multi-pass sub-rows (logical row = row / sub_per_row), written to dv.
// A rolled loop into a small local array: unrolled, this code (splitmix64, 64-bit
// division) made the kernels several times larger and slower to compile, and as a call it
// cost spills around the call site.  The bit-mask path (shared signs) never comes here.
template <class A, int K>
ALGDIV_HD void algdiv_diag_chunk(int mode, const A *ptr, algdiv_u64 key, algdiv_u64 offset, long long row0,
                                 int f0, int stride, int n, int sub_per_row, A *dv) {
    algdiv_diag<A> d;
    d.mode = mode;
    d.ptr = ptr;
    d.key = key;
    d.offset = offset;
#pragma unroll 1
    for (int k = 0; k < K; ++k) {
        const int f = f0 + k * stride;
        const int i = f % n;
        const long long grow = row0 + f / n;
        if (sub_per_row == 1) {
            dv[k] = d.at((algdiv_u64)grow, (algdiv_u64)n, (algdiv_u64)i);
        } else {
            const long long lrow = grow / sub_per_row;
            const long long li = (grow % sub_per_row) * n + i;
            dv[k] = d.at((algdiv_u64)lrow, (algdiv_u64)n * (algdiv_u64)sub_per_row, (algdiv_u64)li);
        }
    }
}

template <class T, class A, int LOGE> struct algdiv_row_cta {
    enum { E = 1 << LOGE };
    // launch-wide arguments
    const T *in;
    T *out;
    const unsigned char *itq;       // ITQ3_S blocks (then `in` is unused), or 0
    long long rows;                 // rows of length n in the array
    long long valid;                // elements of `out` that exist (rows * n, or the ITQ3 size)
    int n, logp, p, m;
    int rows_per_cta, order, inverse, ntrans, sub_per_row;
    A scale;
    algdiv_diag<A> pre, mid, post;
    // schedule (the same for every block)
    int npass, r, nph;
    // this block
    long long row0;
    int nrows;
    A *sm;
    algdiv_u32 *sgn;                // sign bit masks, nsig x sgn_words words
    unsigned char *smb;
    // generated diagonals shared by all rows (mode 3, single kernel) are made once per
    // block as bit masks (n / 32 words each), not once per element and row
    int nsig, sgn_words, slot_pre, slot_mid, slot_post;

    ALGDIV_HDM int sign_slot(const algdiv_diag<A> &d) {
        return (d.mode == 3 && sub_per_row == 1) ? nsig++ : -1;
    }

    ALGDIV_HDM void schedule() {
        p = 1 << logp;
        n = m * p;
        algdiv_pass_split<LOGE>(logp, &npass, &r);
        nsig = 0;
        sgn_words = (n + 31) >> 5;
        slot_pre = sign_slot(pre);
        slot_mid = ntrans == 2 ? sign_slot(mid) : -1;
        slot_post = sign_slot(post);
        nph = (nsig ? 1 : 0) + (itq ? 1 : 0) + (order != 0 ? 1 : 0) + ntrans * (npass + (m > 1 ? 1 : 0));
    }

    // Kind and argument of phase ph (computed, not stored: no per-thread arrays):
    // [signs] [stage ITQ] [load perm (inverse)] {passes 0..npass-1 [mix]} x ntrans [store perm].
    ALGDIV_HDM int phase(int ph, int *arg) const {
        *arg = 0;
        if (nsig) {
            if (ph == 0) return ALGDIV_PH_SIGNS;
            --ph;
        }
        if (itq) {
            if (ph == 0) return ALGDIV_PH_STAGE_ITQ;
            --ph;
        }
        if (inverse && order != 0) {
            if (ph == 0) return ALGDIV_PH_LOAD_PERM;
            --ph;
        }
        const int per = npass + (m > 1 ? 1 : 0);
        if (ph < ntrans * per) {
            const int t = ph / per, c = ph % per;
            if (c < npass) { *arg = 16 * t + c; return ALGDIV_PH_PASS; }
            *arg = t;
            return ALGDIV_PH_MIX;
        }
        return ALGDIV_PH_STORE_PERM;
    }

    // Shared memory (bytes) one block needs: 0 when the single phase works in registers.
    // Layout: [values, padded, in A][sign masks][ITQ3_S bytes], each part 16-byte aligned.
    ALGDIV_HDM long long values_bytes() const {
        return (((long long)algdiv_padded_size(rows_per_cta * n) * (long long)sizeof(A)) + 15) & ~15ll;
    }
    ALGDIV_HDM long long signs_bytes() const { return ((long long)nsig * sgn_words * 4 + 15) & ~15ll; }
    ALGDIV_HDM long long smem_bytes() const {
        if (nph == 1) return 0;
        return values_bytes() + signs_bytes() + (itq ? (long long)rows_per_cta * ALGDIV_ITQ_STRIDE : 0);
    }

    ALGDIV_HDM void begin_block(long long block, void *shared) {
        row0 = block * rows_per_cta;
        long long left = rows - row0;
        nrows = left < rows_per_cta ? (int)left : rows_per_cta;
        sm = (A *)shared;
        sgn = (algdiv_u32 *)(void *)((unsigned char *)shared + values_bytes());
        smb = (unsigned char *)shared + values_bytes() + signs_bytes();
    }

    ALGDIV_HDM int groups(int ph) const {
        int a;
        switch (phase(ph, &a)) {
            case ALGDIV_PH_SIGNS: return nsig * sgn_words;
            case ALGDIV_PH_STAGE_ITQ: return rows_per_cta * ALGDIV_ITQ_STRIDE;
            case ALGDIV_PH_MIX: return rows_per_cta * p;
            default: return rows_per_cta * n / E;
        }
    }

    // v[k] *= D[f0 + k stride] for the diagonal d (bit mask `slot` when it has one).
    template <int K>
    ALGDIV_HDM void apply_diag(const algdiv_diag<A> &d, int slot, int f0, int stride, A *v) const {
        if (slot >= 0) {
            const algdiv_u32 *bits = sgn + slot * sgn_words;
#pragma unroll
            for (int k = 0; k < K; ++k) {
                const int f = f0 + k * stride, i = m == 1 ? (f & (n - 1)) : f % n;
                if ((bits[i >> 5] >> (i & 31)) & 1u) v[k] = -v[k];
            }
        } else {
            A dv[K];
            algdiv_diag_chunk<A, K>(d.mode, d.ptr, d.key, d.offset, row0, f0, stride, n, sub_per_row, dv);
#pragma unroll
            for (int k = 0; k < K; ++k) v[k] *= dv[k];
        }
    }

    ALGDIV_HDM long long limit() const {      // global elements this block may write
        long long base = row0 * n, lim = base + (long long)nrows * n;
        return lim < valid ? lim : valid;
    }

    // Output a of the Paley mix of column rb (block-local index of its element 0): the
    // diagonals, then shared memory, or scaled to global memory in the final phase.  The
    // inputs were read before the first emit, so writing in place is safe.
    struct mix_sink {
        algdiv_row_cta *cta;
        int t, rb;
        bool final_phase;
        ALGDIV_HDM void emit(int a, A val) {
            const int f = rb + a * cta->p;
            if (t == 0 && cta->ntrans == 2 && cta->mid.mode)
                cta->template apply_diag<1>(cta->mid, cta->slot_mid, f, 1, &val);
            if (t == cta->ntrans - 1 && cta->post.mode)
                cta->template apply_diag<1>(cta->post, cta->slot_post, f, 1, &val);
            if (final_phase) {
                const long long g = cta->row0 * cta->n + f;
                if (g < cta->limit()) cta->out[g] = algdiv_cvt<T, A>::store(val * cta->scale);
            } else {
                cta->sm[algdiv_pad(f)] = val;
            }
        }
    };

    ALGDIV_HDM void run(int ph, int G) {
        const bool final_phase = ph == nph - 1;
        const long long base = row0 * n;
        int parg;
        const int k = phase(ph, &parg);
        if (k == ALGDIV_PH_SIGNS) {                // word w of mask `slot`: signs 32 w .. 32 w + 31
            const int slot = G / sgn_words, w = G % sgn_words;
            const algdiv_diag<A> &d = slot == slot_pre ? pre : (slot == slot_mid ? mid : post);
            algdiv_u32 bits = 0;
#pragma unroll 4
            for (int b = 0; b < 32; ++b) {
                const int i = 32 * w + b;
                if (i < n && algdiv_sign(d.key, d.offset + (algdiv_u64)i) < 0) bits |= 1u << b;
            }
            sgn[G] = bits;
            return;
        }
        if (k == ALGDIV_PH_STAGE_ITQ) {
            if (G < nrows * ALGDIV_ITQ_STRIDE) smb[G] = itq[row0 * ALGDIV_ITQ_STRIDE + G];
            return;
        }
        if (k == ALGDIV_PH_LOAD_PERM) {            // y_nat[perm(k)] = y_ord[k]
            A v[E];
            algdiv_load_chunk<T, A, E>(in, base + (long long)G * E, base + (long long)nrows * n, v);
#pragma unroll
            for (int e = 0; e < E; ++e) {
                int f = G * E + e, kk = f % n;
                sm[algdiv_pad(f - kk + (int)algdiv_order_perm((algdiv_u32)kk, logp, order))] = v[e];
            }
            return;
        }
        if (k == ALGDIV_PH_STORE_PERM) {           // y_ord[k] = y_nat[perm(k)]
            A v[E];
#pragma unroll
            for (int e = 0; e < E; ++e) {
                int f = G * E + e, kk = f % n;
                v[e] = sm[algdiv_pad(f - kk + (int)algdiv_order_perm((algdiv_u32)kk, logp, order))];
            }
            algdiv_store_chunk<T, A, E>(out, base + (long long)G * E, limit(), v, scale);
            return;
        }
        if (k == ALGDIV_PH_MIX) {
            mix_sink sink;
            sink.cta = this;
            sink.t = parg;
            sink.rb = (G / p) * n + G % p;
            sink.final_phase = final_phase;
            switch (m) {
                case 12: algdiv_mix_smem<A, 12>(sm, sink.rb, p, inverse != 0, sink); break;
                case 20: algdiv_mix_smem<A, 20>(sm, sink.rb, p, inverse != 0, sink); break;
                default: algdiv_mix_smem<A, 28>(sm, sink.rb, p, inverse != 0, sink); break;
            }
            return;
        }
        // ALGDIV_PH_PASS
        const int t = parg >> 4, c = parg & 15;
        const int s = c == 0 ? 1 : 1 << (r + (c - 1) * LOGE);
        const int stages = c == 0 ? r : LOGE;
        A v[E];
        if (t == 0 && c == 0 && itq) {
#pragma unroll
            for (int e = 0; e < E; ++e) {
                int f = G * E + e, lr = f / ALGDIV_ITQ_BLOCK;
                v[e] = lr < nrows ? (A)algdiv_itq_value(smb + lr * ALGDIV_ITQ_STRIDE, f % ALGDIV_ITQ_BLOCK) : (A)0;
            }
        } else if (t == 0 && c == 0 && !(inverse && order != 0)) {
            algdiv_load_chunk<T, A, E>(in, base + (long long)G * E, base + (long long)nrows * n, v);
        } else {
#pragma unroll
            for (int e = 0; e < E; ++e) v[e] = sm[algdiv_pad(algdiv_pass_index<LOGE>(G, s, e))];
        }
        if (t == 0 && c == 0 && pre.mode) apply_diag<E>(pre, slot_pre, G * E, 1, v);
        algdiv_butterflies<A, LOGE>(v, stages);
        if (c == npass - 1 && m == 1) {
            const int f0 = algdiv_pass_index<LOGE>(G, s, 0);     // element e is f0 + e s
            if (t == 0 && ntrans == 2 && mid.mode) apply_diag<E>(mid, slot_mid, f0, s, v);
            if (t == ntrans - 1 && post.mode) apply_diag<E>(post, slot_post, f0, s, v);
        }
        if (!final_phase) {
#pragma unroll
            for (int e = 0; e < E; ++e) sm[algdiv_pad(algdiv_pass_index<LOGE>(G, s, e))] = v[e];
        } else if (s == 1) {
            algdiv_store_chunk<T, A, E>(out, base + (long long)G * E, limit(), v, scale);
        } else {
            const long long lim = limit();
#pragma unroll
            for (int e = 0; e < E; ++e) {
                long long g = base + algdiv_pass_index<LOGE>(G, s, e);
                if (g < lim) out[g] = algdiv_cvt<T, A>::store(v[e] * scale);
            }
        }
    }
};

// Column kernel of the multi-pass path: an array viewed as (outer, L, S) C-contiguous; the
// transform (H_L for L = 2^logl, or the Paley mix H_m when logl < 0 and L = m) runs along the
// middle axis.  A block takes W consecutive inner positions of one outer index: it loads the
// L x W tile (each warp reads runs of W consecutive elements), transposes it into shared
// memory as W rows of length L, transforms them with the row passes, and stores it back.
template <class T, class A, int LOGE> struct algdiv_col_cta {
    enum { E = 1 << LOGE };
    const T *in;
    T *out;
    long long outer, S;
    int L, logl, W, inverse;
    A scale;
    int npass, r, nph;
    long long o, w0;
    A *sm;

    struct col_sink {
        A *sm;
        int base;
        ALGDIV_HDM void emit(int a, A val) { sm[algdiv_pad(base + a)] = val; }
    };

    ALGDIV_HDM void schedule() {
        if (logl >= 0) {
            L = 1 << logl;
            algdiv_pass_split<LOGE>(logl, &npass, &r);
            nph = 2 + npass;
        } else {
            npass = 0;
            r = 0;
            nph = 3;
        }
    }
    ALGDIV_HDM long long smem_bytes() const {
        return (((long long)algdiv_padded_size(W * L) * (long long)sizeof(A)) + 15) & ~15ll;
    }
    ALGDIV_HDM long long blocks() const { return outer * (S / W); }
    ALGDIV_HDM void begin_block(long long block, void *shared) {
        long long tiles = S / W;
        o = block / tiles;
        w0 = (block % tiles) * W;
        sm = (A *)shared;
    }
    ALGDIV_HDM int groups(int ph) const {
        if (ph == 0 || ph == nph - 1) return W * L;
        return npass ? W * L / E : W;
    }
    ALGDIV_HDM void run(int ph, int G) {
        if (ph == 0 || ph == nph - 1) {
            int l = G / W, w = G % W;
            long long g = (o * L + l) * S + w0 + w;
            if (ph == 0) sm[algdiv_pad(w * L + l)] = algdiv_cvt<T, A>::load(in[g]);
            else out[g] = algdiv_cvt<T, A>::store(sm[algdiv_pad(w * L + l)] * scale);
            return;
        }
        if (npass) {
            int c = ph - 1;
            algdiv_smem_pass<A, LOGE>(sm, G, c == 0 ? 1 : 1 << (r + (c - 1) * LOGE), c == 0 ? r : LOGE);
            return;
        }
        col_sink sink;
        sink.sm = sm;
        sink.base = G * L;
        switch (L) {
            case 12: algdiv_mix_smem<A, 12>(sm, G * L, 1, inverse != 0, sink); break;
            case 20: algdiv_mix_smem<A, 20>(sm, G * L, 1, inverse != 0, sink); break;
            default: algdiv_mix_smem<A, 28>(sm, G * L, 1, inverse != 0, sink); break;
        }
    }
};
