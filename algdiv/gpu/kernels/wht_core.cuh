// Walsh-Hadamard building blocks shared by host and device code.
//
// Everything here is ALGDIV_HD (``__host__ __device__`` under nvcc/NVRTC, plain inline
// functions under a C++ compiler) so the host test harness (tests/gpu) runs the very same
// index, permutation, sign, conversion and butterfly code on the CPU and compares it with
// the numpy engine.  No system header is included: NVRTC compiles this without a toolkit.
#pragma once

#include "rademacher.cuh"

// Member functions: no `static` on the host (ALGDIV_HD is `static inline` there).
#ifndef ALGDIV_HDM
#  if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#    define ALGDIV_HDM __host__ __device__ __forceinline__
#  else
#    define ALGDIV_HDM inline
#  endif
#endif

#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#  define ALGDIV_DEVICE_COMPILER 1
#  define ALGDIV_CONSTANT __constant__
#else
#  define ALGDIV_CONSTANT static const
#endif

typedef unsigned int algdiv_u32;
typedef unsigned short algdiv_u16;

// Storage types for the half formats: raw IEEE binary16 / bfloat16 bits.  The kernels never
// compute in them; values are widened to float on load and rounded (to nearest, ties to
// even) on store, so no cuda_fp16.h / cuda_bf16.h is needed.
struct algdiv_half { algdiv_u16 bits; };
struct algdiv_bf16 { algdiv_u16 bits; };

// 16 bytes, the unit of vectorized global loads and stores.
struct alignas(16) algdiv_v16 { algdiv_u32 x, y, z, w; };

ALGDIV_HD algdiv_u32 algdiv_f2u(float f) { union { float f; algdiv_u32 u; } c; c.f = f; return c.u; }
ALGDIV_HD float algdiv_u2f(algdiv_u32 u) { union { float f; algdiv_u32 u; } c; c.u = u; return c.f; }

// binary16 -> float, exact (normals, subnormals, inf, nan).
ALGDIV_HD float algdiv_h2f(algdiv_u16 h) {
#if defined(__CUDA_ARCH__)
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
    return f;
#else
    algdiv_u32 sign = (algdiv_u32)(h & 0x8000u) << 16;
    algdiv_u32 exp = (h >> 10) & 0x1Fu, man = h & 0x3FFu;
    if (exp == 0x1Fu) return algdiv_u2f(sign | 0x7F800000u | (man << 13));
    if (exp == 0) {
        if (man == 0) return algdiv_u2f(sign);
        // subnormal: man * 2^-24, exact in float
        float v = (float)man * 5.9604644775390625e-08f;
        return sign ? -v : v;
    }
    return algdiv_u2f(sign | ((exp + 112u) << 23) | (man << 13));
#endif
}

// float -> binary16, round to nearest, ties to even (overflow to inf, nan kept quiet).
ALGDIV_HD algdiv_u16 algdiv_f2h(float f) {
#if defined(__CUDA_ARCH__)
    algdiv_u16 h;
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f));
    return h;
#else
    algdiv_u32 u = algdiv_f2u(f);
    algdiv_u16 sign = (algdiv_u16)((u >> 16) & 0x8000u);
    algdiv_u32 a = u & 0x7FFFFFFFu;
    if (a >= 0x7F800000u) return (algdiv_u16)(sign | 0x7C00u | (a > 0x7F800000u ? 0x200u : 0u));
    if (a >= 0x477FF000u) return (algdiv_u16)(sign | 0x7C00u);        // rounds to >= 65520
    if (a < 0x38800000u) {                                              // below 2^-14: subnormal
        if (a < 0x33000000u) return sign;                               // below 2^-25: to zero
        // value = man * 2^(e - 150) = (man >> (126 - e)) units of 2^-24, rounded
        algdiv_u32 e = a >> 23, man = (a & 0x7FFFFFu) | 0x800000u;
        algdiv_u32 sh = 126u - e;                                       // 14..24
        algdiv_u32 q = man >> sh, rem = man & ((1u << sh) - 1u), half = 1u << (sh - 1u);
        if (rem > half || (rem == half && (q & 1u))) ++q;
        return (algdiv_u16)(sign | q);
    }
    algdiv_u32 r = a + 0xC8000FFFu + ((a >> 13) & 1u);                  // rebias 127->15, round
    return (algdiv_u16)(sign | (r >> 13));
#endif
}

ALGDIV_HD float algdiv_b2f(algdiv_u16 b) { return algdiv_u2f((algdiv_u32)b << 16); }

ALGDIV_HD algdiv_u16 algdiv_f2b(float f) {
    algdiv_u32 u = algdiv_f2u(f);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) return (algdiv_u16)((u >> 16) | 0x40u);   // quiet nan
    u += 0x7FFFu + ((u >> 16) & 1u);
    return (algdiv_u16)(u >> 16);
}

// Load/store conversions between the storage type T and the accumulation type A.
template <class T, class A> struct algdiv_cvt;
template <> struct algdiv_cvt<float, float> {
    static ALGDIV_HDM float load(float v) { return v; }
    static ALGDIV_HDM float store(float v) { return v; }
};
template <> struct algdiv_cvt<double, double> {
    static ALGDIV_HDM double load(double v) { return v; }
    static ALGDIV_HDM double store(double v) { return v; }
};
template <> struct algdiv_cvt<algdiv_half, float> {
    static ALGDIV_HDM float load(algdiv_half v) { return algdiv_h2f(v.bits); }
    static ALGDIV_HDM algdiv_half store(float v) { algdiv_half h; h.bits = algdiv_f2h(v); return h; }
};
template <> struct algdiv_cvt<algdiv_bf16, float> {
    static ALGDIV_HDM float load(algdiv_bf16 v) { return algdiv_b2f(v.bits); }
    static ALGDIV_HDM algdiv_bf16 store(float v) { algdiv_bf16 h; h.bits = algdiv_f2b(v); return h; }
};

// ---------------------------------------------------------------------------------------
// Shared-memory layout: one padding slot every 32 elements, so the stride-E accesses of the
// first pass and the strided ones of later passes spread over the 32 banks.
// ---------------------------------------------------------------------------------------
ALGDIV_HD int algdiv_pad(int f) { return f + (f >> 5); }
ALGDIV_HD int algdiv_padded_size(int count) { return count + (count >> 5) + 1; }

// ---------------------------------------------------------------------------------------
// Orderings.  y_order[k] = y_natural[perm(k)] with perm as in
// algdiv.transforms._hadamard.order_permutation: dyadic bitreverse(k), sequency
// bitreverse(gray(k)).  order: 0 natural, 1 sequency, 2 dyadic.
// ---------------------------------------------------------------------------------------
ALGDIV_HD algdiv_u32 algdiv_bitrev(algdiv_u32 v, int bits) {
    if (bits == 0) return 0u;
#if defined(__CUDA_ARCH__)
    return __brev(v) >> (32 - bits);
#else
    algdiv_u32 r = 0;
    for (int b = 0; b < bits; ++b) r |= ((v >> b) & 1u) << (bits - 1 - b);
    return r;
#endif
}

ALGDIV_HD algdiv_u32 algdiv_order_perm(algdiv_u32 k, int bits, int order) {
    if (order == 1) return algdiv_bitrev(k ^ (k >> 1), bits);
    if (order == 2) return algdiv_bitrev(k, bits);
    return k;
}

// ---------------------------------------------------------------------------------------
// Paley Hadamard matrices of orders 12, 20, 28, as in algdiv.transforms.paley_hadamard:
// bit b of row a is set where H[a][b] == -1 (checked against Python in tests/gpu).
// ---------------------------------------------------------------------------------------
ALGDIV_CONSTANT algdiv_u32 algdiv_h12[12] = {
    0x00000000u, 0x00000475u, 0x000008E9u, 0x000001D3u, 0x000003A5u, 0x00000749u,
    0x00000E91u, 0x00000D23u, 0x00000A47u, 0x0000048Fu, 0x0000091Du, 0x0000023Bu};
ALGDIV_CONSTANT algdiv_u32 algdiv_h20[20] = {
    0x00000000u, 0x000615E5u, 0x000C2BC9u, 0x00085793u, 0x0000AF27u, 0x00015E4Du, 0x0002BC99u,
    0x00057931u, 0x000AF261u, 0x0005E4C3u, 0x000BC985u, 0x0007930Bu, 0x000F2615u, 0x000E4C2Bu,
    0x000C9857u, 0x000930AFu, 0x0002615Fu, 0x0004C2BDu, 0x00098579u, 0x00030AF3u};
ALGDIV_CONSTANT algdiv_u32 algdiv_h28[28] = {
    0x00000002u, 0x0AAAAAABu, 0x030FF0C8u, 0x09A55A6Eu, 0x0C3FC320u, 0x069569BAu, 0x00FF0C8Cu,
    0x0A55A6E6u, 0x03FC3230u, 0x09569B9Au, 0x0FF0C8C0u, 0x055A6E6Au, 0x0FC3230Cu, 0x0569B9A6u,
    0x0F0C8C3Cu, 0x05A6E696u, 0x0C3230FCu, 0x069B9A56u, 0x00C8C3FCu, 0x0A6E6956u, 0x03230FF0u,
    0x09B9A55Au, 0x0C8C3FC0u, 0x06E6956Au, 0x0230FF0Cu, 0x0B9A55A6u, 0x08C3FC30u, 0x0E69569Au};

// The transposes (rows of H_m^T), for the inverse transform; H_28 is symmetric.
ALGDIV_CONSTANT algdiv_u32 algdiv_h12t[12] = {
    0x00000FFEu, 0x00000B88u, 0x00000712u, 0x00000E24u, 0x00000C4Au, 0x00000896u,
    0x0000012Eu, 0x0000025Cu, 0x000004B8u, 0x00000970u, 0x000002E2u, 0x000005C4u};
ALGDIV_CONSTANT algdiv_u32 algdiv_h20t[20] = {
    0x000FFFFEu, 0x0009EA18u, 0x0003D432u, 0x0007A864u, 0x000F50C8u, 0x000EA192u, 0x000D4326u,
    0x000A864Eu, 0x00050C9Eu, 0x000A193Cu, 0x0004327Au, 0x000864F4u, 0x0000C9EAu, 0x000193D4u,
    0x000327A8u, 0x00064F50u, 0x000C9EA0u, 0x00093D42u, 0x00027A86u, 0x0004F50Cu};

// Row a of H_m (of H_m^T when transpose) as a mask: bit b set where the entry is -1.
ALGDIV_HD algdiv_u32 algdiv_hm_row(int m, int a, bool transpose) {
    if (m == 12) return transpose ? algdiv_h12t[a] : algdiv_h12[a];
    if (m == 20) return transpose ? algdiv_h20t[a] : algdiv_h20[a];
    return algdiv_h28[a];
}

// ---------------------------------------------------------------------------------------
// Diagonals D applied at a natural element index.  mode: 0 none, 1 a vector ptr[i] shared by
// all rows, 2 a full array ptr[row * n + i], 3 generated, shared: sign(key, offset + i),
// 4 generated, per row: sign(key, offset + row * n + i)  (algdiv.transforms.hd's seed=,
// per_row=, offset= semantics; all index arithmetic mod 2^64 as in the CPU generator).
// ---------------------------------------------------------------------------------------
template <class A> struct algdiv_diag {
    int mode;
    const A *ptr;
    algdiv_u64 key, offset;
    ALGDIV_HDM A at(algdiv_u64 row, algdiv_u64 n, algdiv_u64 i) const {
        switch (mode) {
            case 1: return ptr[i];
            case 2: return ptr[row * n + i];
            case 3: return (A)algdiv_sign(key, offset + i);
            case 4: return (A)algdiv_sign(key, offset + row * n + i);
            default: return (A)1;
        }
    }
};

// ---------------------------------------------------------------------------------------
// In-register butterflies.  v holds E = 2^LOGE values; the first `stages` radix-2 stages
// (strides 1, 2, .., 2^(stages-1) inside v) are applied, unnormalised:
// (a, b) -> (a + b, a - b).
// ---------------------------------------------------------------------------------------
template <class A, int LOGE> ALGDIV_HD void algdiv_butterflies(A *v, int stages) {
#pragma unroll
    for (int s = 0; s < LOGE; ++s) {
        if (s < stages) {
            const int h = 1 << s;
#pragma unroll
            for (int j = 0; j < (1 << LOGE); ++j) {
                if ((j & h) == 0) {
                    A a = v[j], b = v[j + h];
                    v[j] = a + b;
                    v[j + h] = a - b;
                }
            }
        }
    }
}

// One output of the m x m Paley mix: sum_b (+-1) z[b] with the signs of one mask row.
template <class A, int M> ALGDIV_HD A algdiv_mix_dot(const A *z, algdiv_u32 mask) {
    A acc = (A)0;
#pragma unroll
    for (int b = 0; b < M; ++b) acc += ((mask >> b) & 1u) ? -z[b] : z[b];
    return acc;
}
