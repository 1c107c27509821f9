

/*
 * Walsh-Hadamard kernels, written once and instantiated per element type and
 * per instruction-set path by wht_kernels.c.  Parameters (macros):
 *
 *   T      element type (float, double, int64_t)
 *   VT     GCC vector of VL elements of T, 32 bytes (AVX2, portable) or 64
 *          (AVX-512), element-aligned
 *   VL     lanes (8 for float, 4 for double and int64; twice that for AVX-512)
 *   MT     integer vector of VL lanes of T's width (shuffle masks, GCC < 12)
 *   IS_INT 1 for int64 (butterflies built from add/sub/blend, no multiply)
 *   SFX    name suffix, e.g. f32_avx2
 *   ATTR   function attributes (the target("avx2,fma") of the AVX2 path)
 *
 * The vectors are GCC vector extensions: in the AVX2 instantiation they are
 * ymm registers; in the portable one the compiler lowers them to the baseline
 * ISA (two SSE2 registers on x86-64, NEON on aarch64, scalars elsewhere).
 *
 * Schedule (n = K elements per row, c interleaved columns, L = K * c):
 *   * level 1 (L1-sized blocks of L1E elements): the first read applies the
 *     scale / sign diagonal and the in-register stages h = 1, 2, 4 (lane
 *     shuffles), then radix-8/4/2 sweeps finish every stage h < L1E;
 *   * level 2 (blocks of L2E elements): radix sweeps for L1E <= h < L2E while
 *     the block is still in L2;
 *   * above L2 (L > L2E): the stages h >= L2E run strip by strip: a strip of
 *     w columns of the (L / L2E) x L2E view is gathered into a contiguous
 *     buffer, transformed there and scattered back.  About two passes over
 *     memory in all.
 * A C-contiguous batch of rows is one long buffer: short rows are simply
 * segments inside the blocks, so there is no per-row dispatch.
 */

#define WCAT2(a, b) a##_##b
#define WCAT(a, b) WCAT2(a, b)
#define FN(name) WCAT(name, SFX)

#define LD(p) (*(const VT *)(const void *)(p))
#define ST(p, v) (*(VT *)(void *)(p) = (v))

/* WIDE (the AVX-512 path: 32 vector registers) adds radix-16 sweeps and a
 * fused first read of 16 vectors (docs/engine.md has the measurements). */
#ifndef WIDE
#define WIDE 0
#endif
#define L1E (16384 / sizeof(T))     /* level-1 block: 16 KiB */
#define L2E (wht_l2_bytes / sizeof(T))  /* level-2 block: wht_l2_bytes (256 KiB to 1 MiB) */

/* ---- in-register stages: butterflies between lanes i and i + h ---------- */
/* __builtin_shufflevector: clang, and GCC from 12; older GCC has __builtin_shuffle
 * with an integer mask vector (MT: lanes of the element's width). */
#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 12)
#define SHUF(a, b, ...) __builtin_shufflevector(a, b, __VA_ARGS__)
#else
#define SHUF(a, b, ...) __builtin_shuffle(a, b, (MT){__VA_ARGS__})
#endif

#if VL == 16
#define SWAP1(v) SHUF(v, v, 1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14)
#define SWAP2(v) SHUF(v, v, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13)
#define SWAP4(v) SHUF(v, v, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11)
#define SWAP8(v) SHUF(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7)
#define SEL1(s, d) SHUF(s, d, 0, 17, 2, 19, 4, 21, 6, 23, 8, 25, 10, 27, 12, 29, 14, 31)
#define SEL2(s, d) SHUF(s, d, 0, 1, 18, 19, 4, 5, 22, 23, 8, 9, 26, 27, 12, 13, 30, 31)
#define SEL4(s, d) SHUF(s, d, 0, 1, 2, 3, 20, 21, 22, 23, 8, 9, 10, 11, 28, 29, 30, 31)
#define SEL8(s, d) SHUF(s, d, 0, 1, 2, 3, 4, 5, 6, 7, 24, 25, 26, 27, 28, 29, 30, 31)
#define SGN1 ((VT){1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1})
#define SGN2 ((VT){1, 1, -1, -1, 1, 1, -1, -1, 1, 1, -1, -1, 1, 1, -1, -1})
#define SGN4 ((VT){1, 1, 1, 1, -1, -1, -1, -1, 1, 1, 1, 1, -1, -1, -1, -1})
#define SGN8 ((VT){1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1, -1})
#elif VL == 8
#define SWAP1(v) SHUF(v, v, 1, 0, 3, 2, 5, 4, 7, 6)
#define SWAP2(v) SHUF(v, v, 2, 3, 0, 1, 6, 7, 4, 5)
#define SWAP4(v) SHUF(v, v, 4, 5, 6, 7, 0, 1, 2, 3)
#define SEL1(s, d) SHUF(s, d, 0, 9, 2, 11, 4, 13, 6, 15)
#define SEL2(s, d) SHUF(s, d, 0, 1, 10, 11, 4, 5, 14, 15)
#define SEL4(s, d) SHUF(s, d, 0, 1, 2, 3, 12, 13, 14, 15)
#define SGN1 ((VT){1, -1, 1, -1, 1, -1, 1, -1})
#define SGN2 ((VT){1, 1, -1, -1, 1, 1, -1, -1})
#define SGN4 ((VT){1, 1, 1, 1, -1, -1, -1, -1})
#else
#define SWAP1(v) SHUF(v, v, 1, 0, 3, 2)
#define SWAP2(v) SHUF(v, v, 2, 3, 0, 1)
#define SEL1(s, d) SHUF(s, d, 0, 5, 2, 7)
#define SEL2(s, d) SHUF(s, d, 0, 1, 6, 7)
#define SGN1 ((VT){1, -1, 1, -1})
#define SGN2 ((VT){1, 1, -1, -1})
#endif

#if IS_INT
/* lane i: x_i + x_{i^h} where bit h of i is 0, x_{i^h} - x_i where it is 1 */
#define BFLY(v, b, SEL, SGN) SEL((v) + (b), (b) - (v))
#else
/* v * (+-1) + b is exact, fused or not: one FMA per stage on the AVX2 path */
#define BFLY(v, b, SEL, SGN) ((v) * SGN + (b))
#endif

static inline __attribute__((always_inline)) ATTR VT FN(reg)(VT v, const int st)
{
    if (st & 1) { VT b = SWAP1(v); v = BFLY(v, b, SEL1, SGN1); }
    if (st & 2) { VT b = SWAP2(v); v = BFLY(v, b, SEL2, SGN2); }
#if VL >= 8
    if (st & 4) { VT b = SWAP4(v); v = BFLY(v, b, SEL4, SGN4); }
#endif
#if VL >= 16
    if (st & 8) { VT b = SWAP8(v); v = BFLY(v, b, SEL8, SGN8); }
#endif
    return v;
}

#ifndef WHT_BITS64_DEFINED
#define WHT_BITS64_DEFINED
/* bits [o, o + 64) of packed sign bits (nbytes bytes, little-endian bit order: bit o is
 * bit o % 8 of byte o / 8), as bits 0 .. 63 of the result; bits past the end read as 0 */
static inline uint64_t wht_bits64(const uint8_t *bits, size_t nbytes, size_t o)
{
    const size_t b = o >> 3;
    const unsigned sh = (unsigned)(o & 7);
    uint64_t word = 0;
    if (b + 8 <= nbytes) {
        memcpy(&word, bits + b, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        word = __builtin_bswap64(word);
#endif
    } else {
        for (size_t u = 0; b + u < nbytes; u++) word |= (uint64_t)bits[b + u] << (8 * u);
    }
    if (sh) {
        word >>= sh;
        if (b + 8 < nbytes) word |= (uint64_t)bits[b + 8] << (64 - sh);
    }
    return word;
}
#endif

/* v with lane i negated where bit i of word is set (v * -1, exactly): the sign bit
 * flipped for floats, (v ^ -1) + 1 for int64 */
static inline __attribute__((always_inline)) ATTR VT FN(signv)(VT v, uint64_t word)
{
#ifdef SIGNV_FAST
    return SIGNV_FAST(v, word);             /* the AVX-512 float paths: a mask register */
#else
    typedef __typeof__(((MT){0})[0]) EI;
    MT lane;
    for (int i = 0; i < VL; i++) lane[i] = (EI)i;
    const MT m = -((((MT){0} + (EI)word) >> lane) & 1);    /* -1 where negated */
#if IS_INT
    return (VT)(((MT)v ^ m) - m);
#else
    const EI sb = (EI)((uint64_t)1 << (8 * sizeof(T) - 1));
    return (VT)((MT)v ^ (m & sb));
#endif
#endif
}


/* First read of a block: dst = reg_stages(mult * src), len a multiple of VL.
 * mode 0: no multiplier, 1: scalar scale, 2: per-element mult[]. */
static inline __attribute__((always_inline)) ATTR void
FN(first_body)(T *dst, const T *src, size_t len, T scale, const T *mult,
               const int mode, const int st, const int pf)
{
    VT s = (VT){0} + scale;
    for (size_t i = 0; i < len; i += VL) {
        /* pf: the data comes from DRAM; pull the next block into L2 while this
         * one is transformed in L1 (a prefetch past the buffer is harmless) */
        if (pf && (i * sizeof(T)) % 64 == 0)
            __builtin_prefetch((const void *)((uintptr_t)(src + i) + len * sizeof(T)), 0, 2);
        VT v = LD(src + i);
        if (mode == 1) v = v * s;
        else if (mode == 2) v = v * LD(mult + i);
        ST(dst + i, FN(reg)(v, st));
    }
}

/* st: a contiguous range of the in-register stages (bits of 1, 2, 4, 8) */
#define FIRST_CASES(MODE, PF)                                                  \
    switch (st) {                                                              \
    case 0: FN(first_body)(dst, src, len, scale, mult, MODE, 0, PF); break;    \
    case 1: FN(first_body)(dst, src, len, scale, mult, MODE, 1, PF); break;    \
    case 2: FN(first_body)(dst, src, len, scale, mult, MODE, 2, PF); break;    \
    case 3: FN(first_body)(dst, src, len, scale, mult, MODE, 3, PF); break;    \
    case 4: FN(first_body)(dst, src, len, scale, mult, MODE, 4, PF); break;    \
    case 6: FN(first_body)(dst, src, len, scale, mult, MODE, 6, PF); break;    \
    case 7: FN(first_body)(dst, src, len, scale, mult, MODE, 7, PF); break;    \
    FIRST_CASES16(MODE, PF)                                                    \
    default: FN(first_body)(dst, src, len, scale, mult, MODE, st, PF); break;  \
    }
#if VL >= 16
#define FIRST_CASES16(MODE, PF)                                                \
    case 8: FN(first_body)(dst, src, len, scale, mult, MODE, 8, PF); break;    \
    case 12: FN(first_body)(dst, src, len, scale, mult, MODE, 12, PF); break;  \
    case 14: FN(first_body)(dst, src, len, scale, mult, MODE, 14, PF); break;  \
    case 15: FN(first_body)(dst, src, len, scale, mult, MODE, 15, PF); break;
#else
#define FIRST_CASES16(MODE, PF)
#endif

static ATTR void FN(first)(T *dst, const T *src, size_t len, T scale, const T *mult,
                           int mode, int st, int pf)
{
    /* st is a contiguous range of stages (1, 2, 4 in some prefix/suffix) */
    if (pf) {
        if (mode == 0) { FIRST_CASES(0, 1) }
        else if (mode == 1) { FIRST_CASES(1, 1) }
        else { FIRST_CASES(2, 1) }
    } else {
        if (mode == 0) { FIRST_CASES(0, 0) }
        else if (mode == 1) { FIRST_CASES(1, 0) }
        else { FIRST_CASES(2, 0) }
    }
}

/* ---- radix sweeps --------------------------------------------------------- */

/* a - b.  The AVX2 float instantiations define it as an FMA (a - 1 * b, exact):
 * subtractions then run on the FMA pipes and additions on the FP-add pipes,
 * which doubles the butterfly throughput on cores that split them (Zen). */
#ifndef SUBV
#define SUBV(a, b) ((a) - (b))
#endif

/* Butterflies of 2, 4 or 8 vectors held in registers (row stages 1, 2, 4 of the group). */
#define BF2(a, b) do { VT u_ = a; a = u_ + b; b = SUBV(u_, b); } while (0)
#define ROWBF(k, a0, a1, a2, a3, a4, a5, a6, a7)                                     \
    do {                                                                            \
        BF2(a0, a1);                                                                \
        if (k >= 2) { BF2(a2, a3); BF2(a0, a2); BF2(a1, a3); }                      \
        if (k >= 3) { BF2(a4, a5); BF2(a6, a7); BF2(a4, a6); BF2(a5, a7);           \
                      BF2(a0, a4); BF2(a1, a5); BF2(a2, a6); BF2(a3, a7); }          \
    } while (0)
/* 16 vectors: the radix-8 on each half, then the fourth stage across the halves
 * (the same additions in the same order as a radix-8 sweep followed by a radix-2) */
#define ROWBF16(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15)  \
    do {                                                                            \
        ROWBF(3, a0, a1, a2, a3, a4, a5, a6, a7);                                   \
        ROWBF(3, a8, a9, a10, a11, a12, a13, a14, a15);                             \
        BF2(a0, a8); BF2(a1, a9); BF2(a2, a10); BF2(a3, a11);                       \
        BF2(a4, a12); BF2(a5, a13); BF2(a6, a14); BF2(a7, a15);                     \
    } while (0)

/* mode 3 (packed signs): mult points at the block's sign bits, little-endian 64-bit words
 * (bit e of word e / 64 set where element e's sign is -1; any alignment); vector u of the
 * group at i: the scale, then the signs of elements i + u VL .. (VL divides 64) */
#ifndef WHT_WORD64_DEFINED
#define WHT_WORD64_DEFINED
static inline uint64_t wht_word64(const uint8_t *p, size_t k)
{
    uint64_t w;
    memcpy(&w, p + 8 * k, 8);
    return w;
}
#endif
#define SGNW(a, u)                                                                  \
    FN(signv)((a) * s, wht_word64(m, (i + (u) * VL) / 64) >> ((i + (u) * VL) % 64))

/* First read of a block with every in-register stage and the three vector stages
 * h = VL, 2 VL, 4 VL fused: eight consecutive vectors are loaded (and scaled),
 * transformed by lane shuffles each and by a radix-8 butterfly across them, and
 * stored once.  This saves a sweep over the L1 block (and its loop overhead):
 * short rows (256 doubles: 2 sweeps instead of 3) and the first pass of long rows
 * gain most.  len a multiple of 8 VL. */
static inline __attribute__((always_inline)) ATTR void
FN(first8_body)(T *dst, const T *src, size_t len, T scale, const T *mult,
                const int mode, const int pf)
{
    const int all = (int)VL - 1;
    VT s = (VT){0} + scale;
    for (size_t i = 0; i < len; i += 8 * VL) {
        if (pf)
            for (size_t b = 0; b < 8 * VL * sizeof(T); b += 64)
                __builtin_prefetch((const void *)((uintptr_t)(src + i) + len * sizeof(T) + b),
                                   0, 2);
        const T *p = src + i;
        VT a0 = LD(p), a1 = LD(p + VL), a2 = LD(p + 2 * VL), a3 = LD(p + 3 * VL);
        VT a4 = LD(p + 4 * VL), a5 = LD(p + 5 * VL), a6 = LD(p + 6 * VL), a7 = LD(p + 7 * VL);
        if (mode == 1) {
            a0 = a0 * s; a1 = a1 * s; a2 = a2 * s; a3 = a3 * s;
            a4 = a4 * s; a5 = a5 * s; a6 = a6 * s; a7 = a7 * s;
        } else if (mode == 2) {
            const T *m = mult + i;
            a0 = a0 * LD(m); a1 = a1 * LD(m + VL); a2 = a2 * LD(m + 2 * VL);
            a3 = a3 * LD(m + 3 * VL); a4 = a4 * LD(m + 4 * VL); a5 = a5 * LD(m + 5 * VL);
            a6 = a6 * LD(m + 6 * VL); a7 = a7 * LD(m + 7 * VL);
        }
        else if (mode == 3) {
            const uint8_t *m = (const uint8_t *)(const void *)mult;
            a0 = SGNW(a0, 0); a1 = SGNW(a1, 1); a2 = SGNW(a2, 2); a3 = SGNW(a3, 3);
            a4 = SGNW(a4, 4); a5 = SGNW(a5, 5); a6 = SGNW(a6, 6); a7 = SGNW(a7, 7);
        }
        a0 = FN(reg)(a0, all); a1 = FN(reg)(a1, all); a2 = FN(reg)(a2, all);
        a3 = FN(reg)(a3, all); a4 = FN(reg)(a4, all); a5 = FN(reg)(a5, all);
        a6 = FN(reg)(a6, all); a7 = FN(reg)(a7, all);
        ROWBF(3, a0, a1, a2, a3, a4, a5, a6, a7);
        T *o = dst + i;
        ST(o, a0); ST(o + VL, a1); ST(o + 2 * VL, a2); ST(o + 3 * VL, a3);
        ST(o + 4 * VL, a4); ST(o + 5 * VL, a5); ST(o + 6 * VL, a6); ST(o + 7 * VL, a7);
    }
}

static ATTR void FN(first8)(T *dst, const T *src, size_t len, T scale, const T *mult,
                            int mode, int pf)
{
    if (pf) {
        if (mode == 0) FN(first8_body)(dst, src, len, scale, mult, 0, 1);
        else if (mode == 1) FN(first8_body)(dst, src, len, scale, mult, 1, 1);
        else if (mode == 2) FN(first8_body)(dst, src, len, scale, mult, 2, 1);
        else FN(first8_body)(dst, src, len, scale, mult, 3, 1);
    } else {
        if (mode == 0) FN(first8_body)(dst, src, len, scale, mult, 0, 0);
        else if (mode == 1) FN(first8_body)(dst, src, len, scale, mult, 1, 0);
        else if (mode == 2) FN(first8_body)(dst, src, len, scale, mult, 2, 0);
        else FN(first8_body)(dst, src, len, scale, mult, 3, 0);
    }
}

#if WIDE
/* As first8 with sixteen vectors (four vector stages h = VL .. 8 VL): needs 16
 * live vectors plus temporaries, i.e. the 32 registers of AVX-512.  len a
 * multiple of 16 VL. */
static inline __attribute__((always_inline)) ATTR void
FN(first16_body)(T *dst, const T *src, size_t len, T scale, const T *mult,
                 const int mode, const int pf)
{
    const int all = (int)VL - 1;
    VT s = (VT){0} + scale;
    for (size_t i = 0; i < len; i += 16 * VL) {
        if (pf)
            for (size_t b = 0; b < 16 * VL * sizeof(T); b += 64)
                __builtin_prefetch((const void *)((uintptr_t)(src + i) + len * sizeof(T) + b),
                                   0, 2);
        const T *p = src + i;
        VT a0 = LD(p), a1 = LD(p + VL), a2 = LD(p + 2 * VL), a3 = LD(p + 3 * VL);
        VT a4 = LD(p + 4 * VL), a5 = LD(p + 5 * VL), a6 = LD(p + 6 * VL), a7 = LD(p + 7 * VL);
        VT a8 = LD(p + 8 * VL), a9 = LD(p + 9 * VL), a10 = LD(p + 10 * VL), a11 = LD(p + 11 * VL);
        VT a12 = LD(p + 12 * VL), a13 = LD(p + 13 * VL), a14 = LD(p + 14 * VL), a15 = LD(p + 15 * VL);
        if (mode == 1) {
            a0 = a0 * s; a1 = a1 * s; a2 = a2 * s; a3 = a3 * s;
            a4 = a4 * s; a5 = a5 * s; a6 = a6 * s; a7 = a7 * s;
            a8 = a8 * s; a9 = a9 * s; a10 = a10 * s; a11 = a11 * s;
            a12 = a12 * s; a13 = a13 * s; a14 = a14 * s; a15 = a15 * s;
        } else if (mode == 2) {
            const T *m = mult + i;
            a0 = a0 * LD(m); a1 = a1 * LD(m + VL); a2 = a2 * LD(m + 2 * VL);
            a3 = a3 * LD(m + 3 * VL); a4 = a4 * LD(m + 4 * VL); a5 = a5 * LD(m + 5 * VL);
            a6 = a6 * LD(m + 6 * VL); a7 = a7 * LD(m + 7 * VL);
            a8 = a8 * LD(m + 8 * VL); a9 = a9 * LD(m + 9 * VL); a10 = a10 * LD(m + 10 * VL);
            a11 = a11 * LD(m + 11 * VL); a12 = a12 * LD(m + 12 * VL); a13 = a13 * LD(m + 13 * VL);
            a14 = a14 * LD(m + 14 * VL); a15 = a15 * LD(m + 15 * VL);
        }
        else if (mode == 3) {
            const uint8_t *m = (const uint8_t *)(const void *)mult;
            a0 = SGNW(a0, 0); a1 = SGNW(a1, 1); a2 = SGNW(a2, 2); a3 = SGNW(a3, 3);
            a4 = SGNW(a4, 4); a5 = SGNW(a5, 5); a6 = SGNW(a6, 6); a7 = SGNW(a7, 7);
            a8 = SGNW(a8, 8); a9 = SGNW(a9, 9); a10 = SGNW(a10, 10); a11 = SGNW(a11, 11);
            a12 = SGNW(a12, 12); a13 = SGNW(a13, 13); a14 = SGNW(a14, 14); a15 = SGNW(a15, 15);
        }
        a0 = FN(reg)(a0, all); a1 = FN(reg)(a1, all); a2 = FN(reg)(a2, all);
        a3 = FN(reg)(a3, all); a4 = FN(reg)(a4, all); a5 = FN(reg)(a5, all);
        a6 = FN(reg)(a6, all); a7 = FN(reg)(a7, all); a8 = FN(reg)(a8, all);
        a9 = FN(reg)(a9, all); a10 = FN(reg)(a10, all); a11 = FN(reg)(a11, all);
        a12 = FN(reg)(a12, all); a13 = FN(reg)(a13, all); a14 = FN(reg)(a14, all);
        a15 = FN(reg)(a15, all);
        ROWBF16(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15);
        T *o = dst + i;
        ST(o, a0); ST(o + VL, a1); ST(o + 2 * VL, a2); ST(o + 3 * VL, a3);
        ST(o + 4 * VL, a4); ST(o + 5 * VL, a5); ST(o + 6 * VL, a6); ST(o + 7 * VL, a7);
        ST(o + 8 * VL, a8); ST(o + 9 * VL, a9); ST(o + 10 * VL, a10); ST(o + 11 * VL, a11);
        ST(o + 12 * VL, a12); ST(o + 13 * VL, a13); ST(o + 14 * VL, a14); ST(o + 15 * VL, a15);
    }
}

static ATTR void FN(first16)(T *dst, const T *src, size_t len, T scale, const T *mult,
                             int mode, int pf)
{
    if (pf) {
        if (mode == 0) FN(first16_body)(dst, src, len, scale, mult, 0, 1);
        else if (mode == 1) FN(first16_body)(dst, src, len, scale, mult, 1, 1);
        else if (mode == 2) FN(first16_body)(dst, src, len, scale, mult, 2, 1);
        else FN(first16_body)(dst, src, len, scale, mult, 3, 1);
    } else {
        if (mode == 0) FN(first16_body)(dst, src, len, scale, mult, 0, 0);
        else if (mode == 1) FN(first16_body)(dst, src, len, scale, mult, 1, 0);
        else if (mode == 2) FN(first16_body)(dst, src, len, scale, mult, 2, 0);
        else FN(first16_body)(dst, src, len, scale, mult, 3, 0);
    }
}
#endif

/* WHT of length R (a power of 2) down the rows of an R x w panel with leading
 * dimension ld: element (r, j) at x[r * ld + j].  Radix-8 sweeps (three
 * stages per read of the data), then one radix-4 or radix-2 sweep. */
static ATTR void FN(colwht_range)(T *x, size_t ld, size_t R, size_t w, size_t h, size_t hend)
{
    const size_t wv = w - w % VL;
    while (h < hend) {
        const size_t s = h * ld;
#if WIDE
        /* 16 rows less than 4 KiB apart: further apart they fall in one L1 set
         * (12 ways here, 8 on Zen 4) and evict each other; measured 1.5x slower
         * than radix-8 sweeps at 8 KiB strides */
        if (16 * h <= hend && s * sizeof(T) < 4096) {
            for (size_t g = 0; g < R; g += 16 * h)
                for (size_t i = g; i < g + h; i++) {
                    T *p = x + i * ld;
                    size_t j = 0;
                    for (; j < wv; j += VL) {
                        T *q = p + j;
                        VT a0 = LD(q), a1 = LD(q + s), a2 = LD(q + 2 * s), a3 = LD(q + 3 * s);
                        VT a4 = LD(q + 4 * s), a5 = LD(q + 5 * s), a6 = LD(q + 6 * s), a7 = LD(q + 7 * s);
                        VT a8 = LD(q + 8 * s), a9 = LD(q + 9 * s), a10 = LD(q + 10 * s), a11 = LD(q + 11 * s);
                        VT a12 = LD(q + 12 * s), a13 = LD(q + 13 * s), a14 = LD(q + 14 * s), a15 = LD(q + 15 * s);
                        ROWBF16(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15);
                        ST(q, a0); ST(q + s, a1); ST(q + 2 * s, a2); ST(q + 3 * s, a3);
                        ST(q + 4 * s, a4); ST(q + 5 * s, a5); ST(q + 6 * s, a6); ST(q + 7 * s, a7);
                        ST(q + 8 * s, a8); ST(q + 9 * s, a9); ST(q + 10 * s, a10); ST(q + 11 * s, a11);
                        ST(q + 12 * s, a12); ST(q + 13 * s, a13); ST(q + 14 * s, a14); ST(q + 15 * s, a15);
                    }
                }
            if (wv < w) {           /* the columns past the last vector: radix-8, radix-2 */
                FN(colwht_range)(x + wv, ld, R, w - wv, h, 8 * h);
                FN(colwht_range)(x + wv, ld, R, w - wv, 8 * h, 16 * h);
            }
            h *= 16;
        } else
#endif
        if (8 * h <= hend) {
            for (size_t g = 0; g < R; g += 8 * h)
                for (size_t i = g; i < g + h; i++) {
                    T *p = x + i * ld;
                    size_t j = 0;
                    for (; j < wv; j += VL) {
                        T *q = p + j;
                        VT a0 = LD(q), a1 = LD(q + s), a2 = LD(q + 2 * s), a3 = LD(q + 3 * s);
                        VT a4 = LD(q + 4 * s), a5 = LD(q + 5 * s), a6 = LD(q + 6 * s), a7 = LD(q + 7 * s);
                        VT b0 = a0 + a1, b1 = SUBV(a0, a1), b2 = a2 + a3, b3 = SUBV(a2, a3);
                        VT b4 = a4 + a5, b5 = SUBV(a4, a5), b6 = a6 + a7, b7 = SUBV(a6, a7);
                        VT c0 = b0 + b2, c2 = SUBV(b0, b2), c1 = b1 + b3, c3 = SUBV(b1, b3);
                        VT c4 = b4 + b6, c6 = SUBV(b4, b6), c5 = b5 + b7, c7 = SUBV(b5, b7);
                        ST(q, c0 + c4); ST(q + 4 * s, SUBV(c0, c4));
                        ST(q + s, c1 + c5); ST(q + 5 * s, SUBV(c1, c5));
                        ST(q + 2 * s, c2 + c6); ST(q + 6 * s, SUBV(c2, c6));
                        ST(q + 3 * s, c3 + c7); ST(q + 7 * s, SUBV(c3, c7));
                    }
                    for (; j < w; j++) {
                        T *q = p + j;
                        T a0 = q[0], a1 = q[s], a2 = q[2 * s], a3 = q[3 * s];
                        T a4 = q[4 * s], a5 = q[5 * s], a6 = q[6 * s], a7 = q[7 * s];
                        T b0 = a0 + a1, b1 = a0 - a1, b2 = a2 + a3, b3 = a2 - a3;
                        T b4 = a4 + a5, b5 = a4 - a5, b6 = a6 + a7, b7 = a6 - a7;
                        T c0 = b0 + b2, c2 = b0 - b2, c1 = b1 + b3, c3 = b1 - b3;
                        T c4 = b4 + b6, c6 = b4 - b6, c5 = b5 + b7, c7 = b5 - b7;
                        q[0] = c0 + c4; q[4 * s] = c0 - c4;
                        q[s] = c1 + c5; q[5 * s] = c1 - c5;
                        q[2 * s] = c2 + c6; q[6 * s] = c2 - c6;
                        q[3 * s] = c3 + c7; q[7 * s] = c3 - c7;
                    }
                }
            h *= 8;
        } else if (4 * h <= hend) {
            for (size_t g = 0; g < R; g += 4 * h)
                for (size_t i = g; i < g + h; i++) {
                    T *p = x + i * ld;
                    size_t j = 0;
                    for (; j < wv; j += VL) {
                        T *q = p + j;
                        VT a0 = LD(q), a1 = LD(q + s), a2 = LD(q + 2 * s), a3 = LD(q + 3 * s);
                        VT b0 = a0 + a1, b1 = SUBV(a0, a1), b2 = a2 + a3, b3 = SUBV(a2, a3);
                        ST(q, b0 + b2); ST(q + 2 * s, SUBV(b0, b2));
                        ST(q + s, b1 + b3); ST(q + 3 * s, SUBV(b1, b3));
                    }
                    for (; j < w; j++) {
                        T *q = p + j;
                        T a0 = q[0], a1 = q[s], a2 = q[2 * s], a3 = q[3 * s];
                        T b0 = a0 + a1, b1 = a0 - a1, b2 = a2 + a3, b3 = a2 - a3;
                        q[0] = b0 + b2; q[2 * s] = b0 - b2;
                        q[s] = b1 + b3; q[3 * s] = b1 - b3;
                    }
                }
            h *= 4;
        } else {
            for (size_t g = 0; g < R; g += 2 * h)
                for (size_t i = g; i < g + h; i++) {
                    T *p = x + i * ld;
                    size_t j = 0;
                    for (; j < wv; j += VL) {
                        VT a0 = LD(p + j), a1 = LD(p + j + s);
                        ST(p + j, a0 + a1); ST(p + j + s, SUBV(a0, a1));
                    }
                    for (; j < w; j++) {
                        T a0 = p[j], a1 = p[j + s];
                        p[j] = a0 + a1; p[j + s] = a0 - a1;
                    }
                }
            h *= 2;
        }
    }
}

static inline ATTR void FN(colwht)(T *x, size_t ld, size_t R, size_t w)
{
    FN(colwht_range)(x, ld, R, w, 1, R);
}

/* Pass 2, first read: buf rows (ld w) = the first k row stages (h = 1 .. 2^(k-1))
 * of the R x w strip of x (ld hs).  w is a multiple of VL.  k <= 3: the R rows
 * are hs apart (a multiple of 4 KiB), so more than 8 of them share L1 sets. */
static inline __attribute__((always_inline)) ATTR void
FN(gather_k)(T *buf, const T *x, size_t hs, size_t R, size_t w, const int k, const int pf)
{
    const size_t G = (size_t)1 << k;
    for (size_t g = 0; g < R; g += G) {
        const T *p = x + g * hs;
        T *o = buf + g * w;
        for (size_t j = 0; j < w; j += VL) {
            /* the next strip of these rows, into every cache level: the whole next
             * strip (R w elements, 32-64 KiB) need not fit L1, and a non-temporal
             * prefetch (L1 only) was lost before use when it did not: float64 2^24
             * in place 46 -> 34 ms on the Xeon host (docs/engine.md) */
            if (pf && (j * sizeof(T)) % 64 == 0)
                for (size_t t = 0; t < G; t++) __builtin_prefetch(p + t * hs + j + w, 0, 3);
            VT a0 = LD(p + j), a1 = LD(p + hs + j), a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            if (k >= 2) { a2 = LD(p + 2 * hs + j); a3 = LD(p + 3 * hs + j); }
            if (k >= 3) {
                a4 = LD(p + 4 * hs + j); a5 = LD(p + 5 * hs + j);
                a6 = LD(p + 6 * hs + j); a7 = LD(p + 7 * hs + j);
            }
            ROWBF(k, a0, a1, a2, a3, a4, a5, a6, a7);
            ST(o + j, a0); ST(o + w + j, a1);
            if (k >= 2) { ST(o + 2 * w + j, a2); ST(o + 3 * w + j, a3); }
            if (k >= 3) {
                ST(o + 4 * w + j, a4); ST(o + 5 * w + j, a5);
                ST(o + 6 * w + j, a6); ST(o + 7 * w + j, a7);
            }
        }
    }
}

/* Pass 2, last write: x rows = the last k row stages (h = R / 2^k .. R / 2) of buf.
 * nt: streaming stores (arrays far above L3: no read-for-ownership, no
 * eviction of the data still to be read). */
#ifndef STNT
#define STNT(p, v) ST(p, v)
#define WHT_NO_STNT 1
#endif
static inline __attribute__((always_inline)) ATTR void
FN(scatter_k)(T *x, const T *buf, size_t hs, size_t R, size_t w, const int k, const int nt)
{
    const size_t q = R >> k, bq = q * w, xq = q * hs;
    for (size_t i = 0; i < q; i++) {
        const T *p = buf + i * w;
        T *o = x + i * hs;
        for (size_t j = 0; j < w; j += VL) {
            VT a0 = LD(p + j), a1 = LD(p + bq + j), a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            if (k >= 2) { a2 = LD(p + 2 * bq + j); a3 = LD(p + 3 * bq + j); }
            if (k >= 3) {
                a4 = LD(p + 4 * bq + j); a5 = LD(p + 5 * bq + j);
                a6 = LD(p + 6 * bq + j); a7 = LD(p + 7 * bq + j);
            }
            ROWBF(k, a0, a1, a2, a3, a4, a5, a6, a7);
            if (nt) {
                STNT(o + j, a0); STNT(o + xq + j, a1);
                if (k >= 2) { STNT(o + 2 * xq + j, a2); STNT(o + 3 * xq + j, a3); }
                if (k >= 3) {
                    STNT(o + 4 * xq + j, a4); STNT(o + 5 * xq + j, a5);
                    STNT(o + 6 * xq + j, a6); STNT(o + 7 * xq + j, a7);
                }
            } else {
                ST(o + j, a0); ST(o + xq + j, a1);
                if (k >= 2) { ST(o + 2 * xq + j, a2); ST(o + 3 * xq + j, a3); }
                if (k >= 3) {
                    ST(o + 4 * xq + j, a4); ST(o + 5 * xq + j, a5);
                    ST(o + 6 * xq + j, a6); ST(o + 7 * xq + j, a7);
                }
            }
        }
    }
}


static ATTR void FN(gather_fused)(T *buf, const T *x, size_t hs, size_t R, size_t w, int pf)
{
    if (pf) FN(gather_k)(buf, x, hs, R, w, 3, 1);
    else FN(gather_k)(buf, x, hs, R, w, 3, 0);
}

static ATTR void FN(scatter_fused)(T *x, const T *buf, size_t hs, size_t R, size_t w, int k, int nt)
{
    if (nt) {
        if (k == 3) FN(scatter_k)(x, buf, hs, R, w, 3, 1);
        else if (k == 2) FN(scatter_k)(x, buf, hs, R, w, 2, 1);
        else FN(scatter_k)(x, buf, hs, R, w, 1, 1);
    } else {
        if (k == 3) FN(scatter_k)(x, buf, hs, R, w, 3, 0);
        else if (k == 2) FN(scatter_k)(x, buf, hs, R, w, 2, 0);
        else FN(scatter_k)(x, buf, hs, R, w, 1, 0);
    }
}

/* All stages h = lo, 2 lo, ..., hi (powers of 2, lo <= hi) on x[0:len], len a
 * multiple of 2 hi: each aligned group of 2 hi elements is a (2 hi / lo) x lo
 * panel transformed down its rows. */
static ATTR void FN(stages)(T *x, size_t len, size_t lo, size_t hi)
{
    if (lo > hi) return;
    const size_t g = 2 * hi;
    if (g * sizeof(T) <= 256 && lo % VL == 0) {
        /* tiny groups (e.g. float64 rows of 8 or 16): flat sweeps, no call per group */
        for (size_t h = lo; h <= hi; h *= 2)
            for (size_t s = 0; s < len; s += 2 * h)
                for (size_t i = s; i < s + h; i += VL) {
                    VT a0 = LD(x + i), a1 = LD(x + i + h);
                    ST(x + i, a0 + a1); ST(x + i + h, SUBV(a0, a1));
                }
        return;
    }
    for (size_t s = 0; s < len; s += g) FN(colwht)(x + s, lo, g / lo, lo);
}

/* ---- the per-call context ------------------------------------------------- */

typedef struct {
    const wht_job *job;
    T *dst;
    const T *src;
    size_t L;        /* transform segment K * c */
    size_t Lsig;     /* sign period m * K * c */
    size_t N;        /* all elements */
    size_t c, K;
    T scale;
    int mode;        /* 0 none, 1 scale, 2 per-element multiplier (signs) */
    const signed char *signs; /* explicit signs of D, or NULL (a chain's block j: row j of them) */
    const uint8_t *sbits;     /* or the signs packed 8 to a byte (bit set: -1), or NULL */
    uint64_t stream; /* the generator's stream (a chain's block j: the job's stream + j) */
    uint64_t key;    /* the generator's key mix(seed + GAMMA (stream + 1)) when seeded */
    const uint32_t *perm;
    /* pass 2 */
    size_t hs, R, w, strips;
    size_t shift;    /* pass 2: columns before the first 64-byte boundary of the rows (0 when
                        aligned): strip 0 is those columns, the others start on the boundary */
    size_t per_task; /* pass 2: consecutive strips per task */
    int nt;          /* pass 2 writes with streaming stores */
    int pf;          /* first reads prefetch the next block (data beyond the caches) */
    int fail;
    const T *smult;  /* NULL, or the multiplier of one sign period (Lsig), shared by its repeats */
    const void *mid; /* chain (blocks > 1): the FN(ctx) of the diagonal applied between the two
                        halves of a merged pass, NULL otherwise */
} FN(ctx);

/* mult[t] = scale * sign(index of element p0 + t along the axis): element p
 * of the buffer is column (p mod Lsig) mod c of sign index (p mod Lsig) / c. */
static ATTR void FN(gen_mult)(T *mp, size_t len, uint64_t key, uint64_t i0, T scale,
                               const char *pf)
{
    /* mp[t] = scale * sign(i0 + t): the generator inline, written as a loop the
     * compiler vectorizes (64-bit lane multiplies, then a blend of +-scale: the
     * signs are random, so a branch would mispredict half the time).  pf: NULL,
     * or data to prefetch into L2, one 64-byte line per 64 bytes of mp: the
     * loop is arithmetic that the loads of the next block can hide behind. */
#ifdef GEN_FAST
    GEN_FAST(mp, len, key, i0, scale, pf);     /* the AVX-512 path: intrinsics (wht_kernels.c) */
    return;
#endif
    const uint64_t z0 = key + WHT_GAMMA * (i0 + 1);
    const T ns = -scale;
    /* runs of 256 multipliers, their lines prefetched before each run: a prefetch
     * inside the loop would keep the compiler from vectorizing it */
    for (size_t t0 = 0; t0 < len; t0 += 256) {
        const size_t e = len - t0 < 256 ? len : t0 + 256;
        if (pf)
            for (size_t b = t0 * sizeof(T); b < e * sizeof(T); b += 64) __builtin_prefetch(pf + b, 0, 2);
        for (size_t t = t0; t < e; t++) {
            uint64_t w = z0 + WHT_GAMMA * (uint64_t)t;
            w = (w ^ (w >> 30)) * 0xBF58476D1CE4E5B9ULL;
            w = (w ^ (w >> 27)) * 0x94D049BB133111EBULL;
            mp[t] = (w >> 63) ? ns : scale;           /* the top bit of mix(z): 1 -> -1 */
        }
    }
}

static ATTR void FN(fill_mult_direct)(const FN(ctx) *C, T *mult, size_t p0, size_t len,
                                       const T *pf);

/* mult[0:len] = the multipliers of elements p0 .. p0 + len - 1; pf: NULL, or
 * len elements whose lines the generator prefetches (FN(gen_pf)) */
static ATTR void FN(fill_mult)(const FN(ctx) *C, T *mult, size_t p0, size_t len, const T *pf)
{
    if (C->smult) {
        /* one sign period, computed once per call: copy its runs */
        const size_t Lsig = C->Lsig;
        for (size_t p = p0, e = p0 + len; p < e;) {
            const size_t q = p % Lsig;
            const size_t run = e - p < Lsig - q ? e - p : Lsig - q;
            memcpy(mult + (p - p0), C->smult + q, run * sizeof(T));
            p += run;
        }
        return;
    }
    FN(fill_mult_direct)(C, mult, p0, len, pf);
}

/* Whether the block's multipliers come from the generator, which then prefetches
 * the next block instead of the first read (C->pf: the data lie beyond the
 * caches): the generator is arithmetic with no loads of its own, so the next
 * block's loads overlap it (hd(seed) at 2^24: docs/engine.md). */
static inline ATTR int FN(gen_pf)(const FN(ctx) *C)
{
    return C->pf && C->mode == 2 && C->c == 1 && !C->smult && !C->sbits && !C->signs;
}

/* mp[t] = the multiplier of sign i0 + t of the packed row bits (nbytes bytes): +-s,
 * one vector of it per VL signs */
static ATTR void FN(bits_mult)(T *mp, size_t len, const uint8_t *bits, size_t nbytes, size_t i0, T s)
{
    const VT vs = (VT){0} + s;
    size_t t = 0;
    for (; t + VL <= len; t += VL) ST(mp + t, FN(signv)(vs, wht_bits64(bits, nbytes, i0 + t)));
    for (; t < len; t++)
        mp[t] = (bits[(i0 + t) >> 3] >> ((i0 + t) & 7)) & 1 ? -s : s;
}

static ATTR void FN(fill_mult_direct)(const FN(ctx) *C, T *mult, size_t p0, size_t len,
                                       const T *pf)
{
    const wht_job *J = C->job;
    const signed char *sg = C->signs;
    const size_t c = C->c, Lsig = C->Lsig;
    if (c == 1) {
        /* one sign per element: straight runs of consecutive sign indices */
        for (size_t p = p0, e = p0 + len; p < e;) {
            const size_t q = p % Lsig;
            const size_t run = e - p < Lsig - q ? e - p : Lsig - q;
            T *mp = mult + (p - p0);
            if (C->sbits) {
                FN(bits_mult)(mp, run, C->sbits, (Lsig + 7) / 8, q, C->scale);
            } else if (sg) {
                for (size_t t = 0; t < run; t++) mp[t] = C->scale * (T)sg[q + t];
            } else {
                FN(gen_mult)(mp, run, C->key, J->sign_offset + q, C->scale,
                             pf ? (const char *)(const void *)(pf + (p - p0)) : NULL);
            }
            p += run;
        }
        return;
    }
    enum { NB = 512 };
    signed char rb[NB];
    size_t p = p0;
    const size_t e = p0 + len;
    while (p < e) {
        const size_t q = p % Lsig;
        size_t run = e - p < Lsig - q ? e - p : Lsig - q;
        const size_t i0 = q / c;
        size_t ni = (q + run - 1) / c - i0 + 1;
        if (ni > NB) { ni = NB; run = (i0 + ni) * c - q; }
        if (!sg && !C->sbits)
            wht_rademacher_i8(J->seed, C->stream, J->sign_offset + (uint64_t)i0, ni, rb);
        T *mp = mult + (p - p0);
        size_t pos = q;                       /* position inside the segment */
        for (size_t k = 0; k < ni; k++) {
            const size_t i = i0 + k;
            const T v = C->scale * (T)(C->sbits ? 1 - 2 * ((C->sbits[i >> 3] >> (i & 7)) & 1)
                                                : (sg ? sg[i] : rb[k]));
            size_t stop = (i0 + k + 1) * c;
            if (stop > q + run) stop = q + run;
            for (; pos < stop; pos++) mp[pos - q] = v;
        }
        p += run;
    }
}

/* Scalar fallback for the few elements that do not fill a vector (rows
 * shorter than a vector at the end of a buffer): stages h in [c, hmax]. */
static ATTR void FN(scalar_block)(const FN(ctx) *C, T *dst, const T *src, size_t len,
                                  size_t hmax, size_t p0, T *mult)
{
    if (C->mode == 2) {
        FN(fill_mult)(C, mult, p0, len, NULL);
        for (size_t i = 0; i < len; i++) dst[i] = src[i] * mult[i];
    } else if (C->mode == 1) {
        for (size_t i = 0; i < len; i++) dst[i] = src[i] * C->scale;
    } else if (dst != src) {
        memcpy(dst, src, len * sizeof(T));
    }
    for (size_t h = C->c; h <= hmax; h *= 2)
        for (size_t g = 0; g < len; g += 2 * h)
            for (size_t i = g; i < g + h; i++) {
                T a = dst[i], b = dst[i + h];
                dst[i] = a + b; dst[i + h] = a - b;
            }
}

/* All stages h in [c, hmax] on dst[0:len] (read from src), len a multiple of
 * VL and of 2 hmax (or of L1E when larger).  p0: offset of dst in the buffer. */
static ATTR void FN(block)(const FN(ctx) *C, T *dst, const T *src, size_t len, size_t hmax,
                           size_t p0, T *mult)
{
    const size_t c = C->c;
    if (len <= L1E) {
        const int gpf = FN(gen_pf)(C), pf = C->pf && !gpf;
        const T *next = gpf ? src + len : NULL;
        /* packed signs read in the first read itself (mode 3) where the block's bits are
         * whole 64-bit words: no row of multipliers */
        const T *words = NULL;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        if (C->mode == 2 && c == 1 && C->sbits && !C->smult && len % 64 == 0) {
            const size_t q = p0 % C->Lsig;
            if (q % 64 == 0 && q + len <= C->Lsig) words = (const T *)(const void *)(C->sbits + q / 8);
        }
#endif
        if (c == 1 && hmax >= 4 * VL && wht_fuse_first8) {
            /* the fused first reads: packed words (mode 3) or the call's own mode */
            const int mode = words ? 3 : C->mode;
            if (mode == 2) FN(fill_mult)(C, mult, p0, len, next);
            const T *m = words ? words : mult;
#if WIDE
            if (hmax >= 32 * VL) {   /* shorter rows: first8 (measured) */
                FN(first16)(dst, src, len, C->scale, m, mode, pf);
                FN(stages)(dst, len, 16 * VL, hmax);
                return;
            }
#endif
            FN(first8)(dst, src, len, C->scale, m, mode, pf);
            FN(stages)(dst, len, 8 * VL, hmax);
            return;
        }
        int st = 0;
        for (int b = 0; (size_t)1 << b < VL; b++) {
            size_t h = (size_t)1 << b;
            if (h >= c && h <= hmax) st |= 1 << b;
        }
        if (C->mode == 2) FN(fill_mult)(C, mult, p0, len, next);
        if (st || C->mode || dst != src) FN(first)(dst, src, len, C->scale, mult, C->mode, st, pf);
        FN(stages)(dst, len, c > VL ? c : VL, hmax);
        return;
    }
    const size_t sub = L1E, hsub = hmax < sub / 2 ? hmax : sub / 2;
    for (size_t off = 0; off < len; off += sub) {
        size_t l = len - off < sub ? len - off : sub;
        FN(block)(C, dst + off, src + off, l, hsub, p0 + off, mult);
    }
    FN(stages)(dst, len, c > sub ? c : sub, hmax);
}

/* y[k * c + j] = tmp[p[k] * c + j] for one segment */
static ATTR void FN(gather)(T *seg, const T *tmp, const uint32_t *p, size_t K, size_t c)
{
    if (c == 1) {
        for (size_t k = 0; k < K; k++) seg[k] = tmp[p[k]];
    } else {
        for (size_t k = 0; k < K; k++) memcpy(seg + k * c, tmp + (size_t)p[k] * c, c * sizeof(T));
    }
}

/* ---- tasks ---------------------------------------------------------------- */

/* Rows that fit L2 (L <= L2E): chunk t covers [t L2E, (t+1) L2E): every stage
 * and the order permutation while the chunk is in cache. */
static ATTR void FN(task_small)(void *vctx, size_t t)
{
    FN(ctx) *C = (FN(ctx) *)vctx;
    const size_t L = C->L;
    size_t p0 = t * L2E, len = C->N - p0 < L2E ? C->N - p0 : L2E;
    size_t big = C->perm ? L * sizeof(T) : 0;
    char *scr = (char *)wht_scratch(L1E * sizeof(T) + big);
    if (!scr) { C->fail = 1; return; }
    T *mult = (T *)scr, *tmp = (T *)(scr + L1E * sizeof(T));
    T *dst = C->dst + p0;
    const T *src = C->src + p0;
    size_t lv = len - len % VL;    /* rows shorter than VL may leave a tail */
    if (lv) FN(block)(C, dst, src, lv, L / 2, p0, mult);
    if (lv < len) FN(scalar_block)(C, dst + lv, src + lv, len - lv, L / 2, p0 + lv, mult);
    if (C->perm)
        for (size_t s = 0; s < len; s += L) {
            memcpy(tmp, dst + s, L * sizeof(T));
            FN(gather)(dst + s, tmp, C->perm, C->K, C->c);
        }
}

/* Long rows, pass 1: block t of L2E elements, stages h < min(L2E, ...) */
static ATTR void FN(task_pass1)(void *vctx, size_t t)
{
    FN(ctx) *C = (FN(ctx) *)vctx;
    T *mult = (T *)wht_scratch(L1E * sizeof(T));
    if (!mult) { C->fail = 1; return; }
    size_t p0 = t * L2E;
    FN(block)(C, C->dst + p0, C->src + p0, L2E, L2E / 2, p0, mult);
}

/* x[t] *= mult[t], t < len (a row of a strip; x need not be vector-aligned) */
static inline ATTR void FN(mul_row)(T *x, const T *mult, size_t len)
{
    size_t t = 0;
    for (; t + VL <= len; t += VL) ST(x + t, LD(x + t) * LD(mult + t));
    for (; t < len; t++) x[t] *= mult[t];
}

/* Chain, the middle of a merged [P2 D P2] on a strip buffer (rows of w elements, w a
 * multiple of VL, VL dividing 64): row r times D (the scale s, then the signs: bit t of
 * the words rw[r nw ..] set where column t's sign is -1) as it is loaded, then the first
 * radix-8 sweep (h = 1, 2, 4) of the second P2: D costs no pass of its own. */
static ATTR void FN(diag_sweep8)(T *buf, size_t w, size_t R, const uint64_t *rw, size_t nw, T s)
{
    for (size_t g = 0; g < R; g += 8) {
        T *p = buf + g * w;
        const uint64_t *m = rw + g * nw;
        for (size_t j = 0; j < w; j += VL) {
            const size_t k = j / 64, sh = j % 64;
            T *q = p + j;
            VT a0 = FN(signv)(LD(q) * s, m[k] >> sh);
            VT a1 = FN(signv)(LD(q + w) * s, m[nw + k] >> sh);
            VT a2 = FN(signv)(LD(q + 2 * w) * s, m[2 * nw + k] >> sh);
            VT a3 = FN(signv)(LD(q + 3 * w) * s, m[3 * nw + k] >> sh);
            VT a4 = FN(signv)(LD(q + 4 * w) * s, m[4 * nw + k] >> sh);
            VT a5 = FN(signv)(LD(q + 5 * w) * s, m[5 * nw + k] >> sh);
            VT a6 = FN(signv)(LD(q + 6 * w) * s, m[6 * nw + k] >> sh);
            VT a7 = FN(signv)(LD(q + 7 * w) * s, m[7 * nw + k] >> sh);
            ROWBF(3, a0, a1, a2, a3, a4, a5, a6, a7);
            ST(q, a0); ST(q + w, a1); ST(q + 2 * w, a2); ST(q + 3 * w, a3);
            ST(q + 4 * w, a4); ST(q + 5 * w, a5); ST(q + 6 * w, a6); ST(q + 7 * w, a7);
        }
    }
}

/* The sign words of diag_sweep8 for the R rows of a strip: row r holds D's signs of
 * elements p0 + r hs + [0, w), packed rows only.  0 when a row crosses the end of the
 * sign period (then the caller multiplies row by row). */
static ATTR int FN(strip_sign_words)(const FN(ctx) *D, uint64_t *rw, size_t nw, size_t R,
                                     size_t hs, size_t p0, size_t w)
{
    const size_t Lsig = D->Lsig, nbytes = (Lsig + 7) / 8;
    if (w > Lsig || hs > Lsig) return 0;
    size_t q = p0 % Lsig;
    for (size_t r = 0; r < R; r++) {
        if (q + w > Lsig) return 0;
        for (size_t k = 0; k < nw; k++) rw[r * nw + k] = wht_bits64(D->sbits, nbytes, q + 64 * k);
        q += hs;
        if (q >= Lsig) q -= Lsig;
    }
    return 1;
}

/* x[t] *= D's multiplier of sign q + t, t < len, straight from its packed sign rows
 * (c = 1, q + len <= Lsig): the scale, then the sign flipped where the bit is set. */
static inline ATTR void FN(sign_row)(const FN(ctx) *D, T *x, size_t q, size_t len)
{
    const T s = D->scale;
    const uint8_t *bits = D->sbits;
    const size_t nbytes = (D->Lsig + 7) / 8;
    size_t t = 0;
    for (; t + VL <= len; t += VL)
        ST(x + t, FN(signv)(LD(x + t) * s, wht_bits64(bits, nbytes, q + t)));
    for (; t < len; t++) {
        const size_t i = q + t;
        x[t] *= (bits[i >> 3] >> (i & 7)) & 1 ? -s : s;
    }
}

/* x[t] *= D's multiplier of element p + t of the buffer, t < len: packed rows read
 * directly, other signs through rows of multipliers (mult: scratch for min(len, L1E)) */
static ATTR void FN(mul_range)(const FN(ctx) *D, T *x, size_t p, size_t len, T *mult)
{
    for (size_t t = 0; t < len;) {
        size_t run = len - t < L1E ? len - t : L1E;
        if (D->c == 1 && D->sbits && !D->smult) {
            const size_t q = (p + t) % D->Lsig;
            if (run > D->Lsig - q) run = D->Lsig - q;
            FN(sign_row)(D, x + t, q, run);
        } else {
            FN(fill_mult)(D, mult, p + t, run, NULL);
            FN(mul_row)(x + t, mult, run);
        }
        t += run;
    }
}

/* Rows r < R of a strip of pass 2: x[r ld + t] *= D's multiplier of element p0 + r hs + t,
 * t < w (mult: scratch for w multipliers) */
static ATTR void FN(mul_diag)(const FN(ctx) *D, T *x, size_t ld, size_t R, size_t hs,
                              size_t p0, size_t w, T *mult)
{
    for (size_t r = 0; r < R; r++) FN(mul_range)(D, x + r * ld, p0 + r * hs, w, mult);
}

/* Chain, merged pass 1 [P1 D P1] of block t: the row stages, D, the row stages again,
 * while the L2 block is cached (C: no multiplier; C->mid: D with its scale) */
static ATTR void FN(task_pass1_mid)(void *vctx, size_t t)
{
    FN(ctx) *C = (FN(ctx) *)vctx;
    T *mult = (T *)wht_scratch(L1E * sizeof(T));
    if (!mult) { C->fail = 1; return; }
    const size_t p0 = t * L2E;
    T *x = C->dst + p0;
    FN(block)(C, x, x, L2E, L2E / 2, p0, mult);
    FN(block)((const FN(ctx) *)C->mid, x, x, L2E, L2E / 2, p0, mult);
}

/* Columns [*j0, *j0 + *wj) of strip j.  The columns of pass 2 are independent, so the
 * strips may start anywhere: on a 64-byte boundary of the rows (every row has the same
 * alignment, hs * sizeof(T) being a multiple of 64), so that no vector of a full strip
 * straddles two cache lines and no two strips share a line.  With shift > 0 the first
 * strip is the shift columns before the boundary and the last one is w - shift wide. */
static inline ATTR void FN(strip_cols)(const FN(ctx) *C, size_t j, size_t *j0, size_t *wj)
{
    if (!C->shift) {
        *j0 = j * C->w;
        *wj = C->w;
    } else if (j == 0) {
        *j0 = 0;
        *wj = C->shift;
    } else {
        *j0 = C->shift + (j - 1) * C->w;
        *wj = j + 1 < C->strips ? C->w : C->hs - *j0;
    }
}

/* Long rows, pass 2: strip j (columns [j0, j0 + wj)) of segment seg, the R x hs view */
static ATTR void FN(pass2_strip)(FN(ctx) *C, size_t seg, size_t j)
{
    size_t j0, w;
    FN(strip_cols)(C, j, &j0, &w);
    const size_t hs = C->hs, R = C->R;
    T *x = C->dst + seg * C->L + j0;
    /* chain: D of the merged pass [P2 D P2] (row r of the strip is element p0 + r hs) */
    const FN(ctx) *D = (const FN(ctx) *)C->mid;
    const size_t p0 = seg * C->L + j0;
    if (R <= 8 || w != C->w) {  /* few rows, or a partial strip: in place */
        FN(colwht)(x, hs, R, w);
        if (D) {
            T *mult = (T *)wht_scratch(w * sizeof(T));
            if (!mult) { C->fail = 1; return; }
            FN(mul_diag)(D, x, hs, R, hs, p0, w, mult);
            FN(colwht)(x, hs, R, w);
        }
        return;
    }
    /* chain: after the strip, w multipliers or the R (w + 63) / 64 words of signs */
    const size_t words = R * ((w + 63) / 64) * 8 / sizeof(T);
    const size_t extra = D ? (w > words ? w : words) : 0;
    T *buf = (T *)wht_scratch((R * w + extra) * sizeof(T));
    if (!buf) { C->fail = 1; return; }
    /* R > 8 rows: 3 row stages fused into the gather, up to 3 into the scatter,
     * the ones between while the strip sits in the buffer (L1/L2) */
    int r = 0;
    while (((size_t)1 << r) < R) r++;
    /* the next strip is prefetched unless it starts a new segment */
    const int pf = j0 + 2 * w <= hs;
    const int k2 = r - 3 < 3 ? r - 3 : 3;
    FN(gather_fused)(buf, x, hs, R, w, pf);
    if (D) {
        /* the rest of the first P2 and, after D, the second one up to the scatter's stages,
         * while the strip sits in the buffer */
        T *mult = buf + R * w;
        FN(colwht_range)(buf, w, R, w, 8, R);
        const size_t nw = (w + 63) / 64;
        if (D->c == 1 && !D->smult && D->sbits
            && FN(strip_sign_words)(D, (uint64_t *)(void *)mult, nw, R, hs, p0, w)) {
            FN(diag_sweep8)(buf, w, R, (const uint64_t *)(void *)mult, nw, D->scale);
            FN(colwht_range)(buf, w, R, w, 8, R >> k2);
        } else {
            FN(mul_diag)(D, buf, w, R, hs, p0, w, mult);
            FN(colwht_range)(buf, w, R, w, 1, R >> k2);
        }
    } else {
        FN(colwht_range)(buf, w, R, w, 8, R >> k2);
    }
    FN(scatter_fused)(x, buf, hs, R, w, k2, C->nt);
#ifndef WHT_NO_STNT
    if (C->nt) _mm_sfence();
#endif
}

/* Pass 2, task t: strips [t per_task, (t + 1) per_task) of all nseg * strips.
 * Runs of consecutive strips rather than one strip per task: two threads on
 * neighbouring strips write the same cache line of every row when the array
 * is not 64-byte aligned (numpy's large arrays start 16 bytes past a page), and
 * each task is one pass over the shared task counter. */
static ATTR void FN(task_pass2)(void *vctx, size_t t)
{
    FN(ctx) *C = (FN(ctx) *)vctx;
    const size_t total = C->N / C->L * C->strips;
    const size_t end = (t + 1) * C->per_task < total ? (t + 1) * C->per_task : total;
    for (size_t u = t * C->per_task; u < end; u++)
        FN(pass2_strip)(C, u / C->strips, u % C->strips);
}

/* Long rows of a batch: one whole segment per task (both passes while the
 * row is still in L2/L3, then its order permutation). */
static ATTR void FN(task_segment)(void *vctx, size_t t)
{
    FN(ctx) *C = (FN(ctx) *)vctx;
    const size_t L = C->L;
    T *mult = (T *)wht_scratch(L1E * sizeof(T));
    if (!mult) { C->fail = 1; return; }
    for (size_t b = 0; b < L; b += L2E) {
        size_t p0 = t * L + b;
        FN(block)(C, C->dst + p0, C->src + p0, L2E, L2E / 2, p0, mult);
    }
    if (C->R > 1)
        for (size_t j = 0; j < C->strips; j++) FN(pass2_strip)(C, t, j);
    if (C->perm && !C->fail) {
        T *tmp = (T *)malloc(L * sizeof(T));
        if (!tmp) { C->fail = 1; return; }
        T *seg = C->dst + t * L;
        memcpy(tmp, seg, L * sizeof(T));
        FN(gather)(seg, tmp, C->perm, C->K, C->c);
        free(tmp);
    }
}

/* Long rows: order permutation of one segment through a heap copy */
static ATTR void FN(task_order)(void *vctx, size_t t)
{
    FN(ctx) *C = (FN(ctx) *)vctx;
    T *tmp = (T *)malloc(C->L * sizeof(T));
    if (!tmp) { C->fail = 1; return; }
    T *seg = C->dst + t * C->L;
    memcpy(tmp, seg, C->L * sizeof(T));
    FN(gather)(seg, tmp, C->perm, C->K, C->c);
    free(tmp);
}

/* Columns c that are not a power of 2 (e.g. a middle axis of odd extent):
 * the first read, then radix sweeps down each (K x c) segment. */
static ATTR void FN(task_generic)(void *vctx, size_t t)
{
    FN(ctx) *C = (FN(ctx) *)vctx;
    const size_t L = C->L;
    T *dst = C->dst + t * L;
    const T *src = C->src + t * L;
    size_t big = C->perm ? L * sizeof(T) : 0;
    char *scr = (char *)wht_scratch(L1E * sizeof(T) + big);
    if (!scr) { C->fail = 1; return; }
    T *mult = (T *)scr, *tmp = (T *)(scr + L1E * sizeof(T));
    for (size_t off = 0; off < L; off += L1E) {
        size_t l = L - off < L1E ? L - off : L1E;
        if (C->mode == 2) {
            FN(fill_mult)(C, mult, t * L + off, l, NULL);
            for (size_t i = 0; i < l; i++) dst[off + i] = src[off + i] * mult[i];
        } else if (C->mode == 1) {
            for (size_t i = 0; i < l; i++) dst[off + i] = src[off + i] * C->scale;
        } else if (dst != src) {
            memcpy(dst + off, src + off, l * sizeof(T));
        }
    }
    FN(colwht)(dst, C->c, C->K, C->c);
    if (C->perm) {
        memcpy(tmp, dst, L * sizeof(T));
        FN(gather)(dst, tmp, C->perm, C->K, C->c);
    }
}

/* m x m +-1 mix of one (m, L) segment, columns [j0, j0 + MIXW) */
#define MIXW 128
typedef struct {
    T *dst;
    size_t m, L, chunks;
    const signed char *hm;
    int fail;
} FN(mixctx);

static ATTR void FN(task_mix)(void *vctx, size_t t)
{
    FN(mixctx) *M = (FN(mixctx) *)vctx;
    const size_t m = M->m, L = M->L;
    const size_t seg = t / M->chunks, j0 = (t % M->chunks) * MIXW;
    const size_t w = L - j0 < MIXW ? L - j0 : MIXW;
    const size_t wv = w - w % VL;
    T *x = M->dst + seg * m * L + j0;
    T *tmp = (T *)wht_scratch(m * MIXW * sizeof(T));
    if (!tmp) { M->fail = 1; return; }
    for (size_t a = 0; a < m; a++) {
        T *o = tmp + a * MIXW;
        const signed char *h = M->hm + a * m;
        for (size_t b = 0; b < m; b++) {
            const T *r = x + b * L;
            size_t j = 0;
            if (b == 0) {
                if (h[0] > 0) { for (; j < wv; j += VL) ST(o + j, LD(r + j)); for (; j < w; j++) o[j] = r[j]; }
                else { for (; j < wv; j += VL) ST(o + j, -LD(r + j)); for (; j < w; j++) o[j] = -r[j]; }
            } else if (h[b] > 0) {
                for (; j < wv; j += VL) ST(o + j, LD(o + j) + LD(r + j));
                for (; j < w; j++) o[j] += r[j];
            } else {
                for (; j < wv; j += VL) ST(o + j, LD(o + j) - LD(r + j));
                for (; j < w; j++) o[j] -= r[j];
            }
        }
    }
    for (size_t a = 0; a < m; a++) memcpy(x + a * L, tmp + a * MIXW, w * sizeof(T));
}

/* ---- driver ----------------------------------------------------------------- */

/* Whether segments of L elements (nseg of them) run pass 1 over the whole buffer and then
 * pass 2 (the rows are longer than a level-2 block, and not a batch of rows up to 4 MiB,
 * which run segment by segment while each is cached) */
static inline int FN(whole_buffer_passes)(size_t L, size_t nseg)
{
    return L > L2E && !(nseg >= 2 && L * sizeof(T) <= ((size_t)4 << 20));
}

/* Pass 2 over every segment: runs of consecutive strips, about 8 per thread */
static ATTR void FN(launch_pass2)(FN(ctx) *C, int nt, size_t nseg)
{
    const size_t all = nseg * C->strips;
    size_t per = all / (8 * (size_t)nt);
    if (per < 1) per = 1;
    C->per_task = per;
    wht_parallel(nt, (all + per - 1) / per, FN(task_pass2), C);
}

/* task t of the trailing diagonal's own pass: elements [t L2E, (t + 1) L2E) */
static ATTR void FN(task_trail)(void *vctx, size_t t)
{
    FN(ctx) *E = (FN(ctx) *)vctx;
    T *mult = (T *)wht_scratch(L1E * sizeof(T));
    if (!mult) { E->fail = 1; return; }
    const size_t p = t * L2E;
    FN(mul_range)(E, E->dst + p, p, E->N - p < L2E ? E->N - p : L2E, mult);
}

/* Chain, the last pass when it is a pass 1 and a trailing diagonal follows: block t's row
 * stages, then E (C->mid) on the block while it is in L2 */
static ATTR void FN(task_pass1_trail)(void *vctx, size_t t)
{
    FN(ctx) *C = (FN(ctx) *)vctx;
    T *mult = (T *)wht_scratch(L1E * sizeof(T));
    if (!mult) { C->fail = 1; return; }
    const size_t p0 = t * L2E;
    FN(block)(C, C->dst + p0, C->dst + p0, L2E, L2E / 2, p0, mult);
    FN(mul_range)((const FN(ctx) *)C->mid, C->dst + p0, p0, L2E, mult);
}

/* The context of the trailing diagonal E of job J: the row of signs after the blocks' */
static void FN(trail_ctx)(const wht_job *J, FN(ctx) *E)
{
    memset(E, 0, sizeof(*E));
    E->job = J;
    E->dst = (T *)J->dst;
    E->c = J->c;
    E->K = J->K;
    E->L = J->K * J->c;
    E->N = J->outer * J->m * E->L;
    E->Lsig = J->m * E->L;
    E->scale = 1;
    E->mode = 2;
    const size_t row = (size_t)(J->blocks > 1 ? J->blocks : 1) * J->m * J->K;
    if (J->sign_bits) E->sbits = J->sign_bits + row / 8;
    else E->signs = J->signs + row;
}

/* y *= E in a pass of its own, after the job's transform or chain */
static ATTR int FN(trail)(const wht_job *J)
{
    FN(ctx) E;
    FN(trail_ctx)(J, &E);
    if (E.N) wht_parallel(J->nthreads, (E.N + L2E - 1) / L2E, FN(task_trail), &E);
    return E.fail ? -1 : 0;
}

/* Chain of b blocks on long rows, after pass 1 of block 0 ([D_0 P1], done by the
 * caller).  H = P2 P1 = P1 P2 (the row stages of the two passes commute), so
 * the halves of neighbouring blocks meet in one pass with D_j between them:
 *   [D_0 P1] [P2 D_1 P2] [P1 D_2 P1] [P2 D_3 P2] ... then the last block's other half,
 * b + 1 passes over memory instead of 2 b. */
static ATTR int FN(chain_rest)(const FN(ctx) *C0, const wht_job *J, int nt, size_t nseg, int blocks,
                               int *trailed)
{
    FN(ctx) P = *C0, D = *C0;
    P.src = P.dst;
    P.mode = 0;
    P.scale = 1;
    D.src = D.dst;
    D.smult = NULL;   /* D_j's own signs, not the period of D_0 */
    D.mid = NULL;
    for (int j = 1; j < blocks; j++) {
        D.stream = J->stream + (uint64_t)j;
        D.key = wht_mix(J->seed + WHT_GAMMA * (D.stream + 1));
        if (J->signs) D.signs = J->signs + (size_t)j * J->m * J->K;
        if (J->sign_bits) D.sbits = J->sign_bits + (size_t)j * J->m * J->K / 8;
        P.mid = &D;
        if (j & 1) FN(launch_pass2)(&P, nt, nseg);
        else wht_parallel(nt, P.N / L2E, FN(task_pass1_mid), &P);
        if (P.fail) return -1;
    }
    P.mid = NULL;
    if (blocks & 1) {
        FN(launch_pass2)(&P, nt, nseg);
    } else if (J->trailing) {
        /* the trailing diagonal on each block of the last pass 1 while it is in L2 */
        FN(ctx) E;
        FN(trail_ctx)(J, &E);
        P.mid = &E;
        wht_parallel(nt, P.N / L2E, FN(task_pass1_trail), &P);
        *trailed = 1;
    } else {
        wht_parallel(nt, P.N / L2E, FN(task_pass1), &P);
    }
    return P.fail ? -1 : 0;
}

static ATTR int FN(run)(const wht_job *J)
{
    int trailed = 0;   /* the trailing diagonal applied inside the chain's last pass */
    FN(ctx) C;
    memset(&C, 0, sizeof(C));
    C.job = J;
    C.dst = (T *)J->dst;
    C.src = (const T *)J->src;
    C.c = J->c;
    C.K = J->K;
    C.L = J->K * J->c;
    C.N = J->outer * J->m * C.L;
    C.Lsig = J->signs_per_row ? C.N : J->m * C.L;
    C.scale = (T)J->scale;
    C.mode = (J->signs || J->sign_bits || J->seeded) ? 2 : (J->scale != 1.0 ? 1 : 0);
    C.signs = J->signs;
    C.sbits = J->sign_bits;
    C.stream = J->stream;
    C.key = wht_mix(J->seed + WHT_GAMMA * (J->stream + 1));
    if (C.N == 0) return 0;
    /* chain (blocks > 1): merged passes where the rows run pass 1 and pass 2 over the
     * whole buffer (chain_rest); everywhere else one block after the other */
    const int blocks = J->blocks > 1 ? J->blocks : 1;
    if (blocks > 1) {
        const int merged = (J->seeded || J->signs || J->sign_bits) && !J->signs_per_row && J->m == 1
                           && J->order == WHT_NATURAL && J->K >= 2 && !(J->c & (J->c - 1))
                           && FN(whole_buffer_passes)(C.L, J->outer * J->m);
        if (!merged) {
            wht_job part = *J;
            part.blocks = 1;
            part.trailing = 0;
            for (int j = 0; j < blocks; j++) {
                part.stream = J->stream + (uint64_t)j;
                if (J->signs) part.signs = J->signs + (size_t)j * J->m * J->K;
                if (J->sign_bits) part.sign_bits = J->sign_bits + (size_t)j * J->m * J->K / 8;
                if (j) part.src = J->dst;
                if (FN(run)(&part) != 0) return -1;
            }
            return J->trailing ? FN(trail)(J) : 0;
        }
    }
    C.pf = C.N * sizeof(T) >= ((size_t)8 << 20);
    if (J->order != WHT_NATURAL && J->K > 1) {
        int bits = 0;
        while (((size_t)1 << bits) < J->K) bits++;
        C.perm = wht_order_table(J->order, bits);
        if (!C.perm) return -1;
    }
    /* the same signs for every segment (D shared by the rows): compute the multiplier of
     * one period once rather than once per row (up to 1 MiB of it) */
    const int share = C.mode == 2 && C.Lsig < C.N && C.Lsig * sizeof(T) <= ((size_t)1 << 20);
    T *owned = NULL;          /* the shared period of multipliers */
    if (share) {
        owned = (T *)malloc(C.Lsig * sizeof(T));
        if (!owned) return -1;
        FN(fill_mult_direct)(&C, owned, 0, C.Lsig, NULL);
        C.smult = owned;
    }
    const int nt = J->nthreads;
    const size_t nseg = J->outer * J->m;
    const size_t c = C.c, L = C.L;

    if (c & (c - 1)) {
        /* general column count: segments one by one */
        wht_parallel(nseg >= 2 ? nt : 1, nseg, FN(task_generic), &C);
    } else if (L <= L2E) {
        size_t nch = (C.N + L2E - 1) / L2E;
        wht_parallel(nt, nch, FN(task_small), &C);
    } else {
        C.hs = c > L2E ? c : L2E;
        C.R = L / C.hs;
        size_t w;
        if (C.R <= 8) {
            w = 2048;
        } else {
            /* rows of at most 512 bytes, and a strip buffer of at most 32 KiB, which stays in
             * L1 between its sweeps: float64 2^24 in place on one thread 41-43 ms against
             * 46-48 with 64 KiB (128 rows of 64), 2^25 float32 41-42 against 44-46 ms */
            w = (32768 / sizeof(T)) / C.R;
            if (w > 512 / sizeof(T)) w = 512 / sizeof(T);
            if (w < VL) w = VL;
        }
        if (w > C.hs) w = C.hs;
        C.w = w;
        C.strips = C.hs / w;
        {   /* strips on 64-byte boundaries (strip_cols) */
            const uintptr_t a = (uintptr_t)C.dst;
            if (a % sizeof(T) == 0 && a % 64 != 0 && w * sizeof(T) >= 64) {
                C.shift = (64 - a % 64) / sizeof(T);
                C.strips += 1;
            }
        }
        /* streaming stores for arrays well above L3, when every row is 32-byte aligned */
        C.nt = C.N * sizeof(T) >= wht_nt_min_bytes && ((uintptr_t)C.dst % sizeof(VT)) == 0
               && (C.hs * sizeof(T)) % sizeof(VT) == 0 && (w * sizeof(T)) % sizeof(VT) == 0;
        if (!FN(whole_buffer_passes)(L, nseg)) {
            /* a batch of rows up to 4 MiB: row by row, each finished while cached */
            C.nt = 0;
            wht_parallel(nt, nseg, FN(task_segment), &C);
        } else {
            wht_parallel(nt, C.N / L2E, FN(task_pass1), &C);
            if (C.fail) { free(owned); return -1; }
            if (blocks > 1) {
                if (FN(chain_rest)(&C, J, nt, nseg, blocks, &trailed) != 0) { free(owned); return -1; }
            } else if (C.R > 1) {
                FN(launch_pass2)(&C, nt, nseg);
            }
            if (C.perm && !C.fail) wht_parallel(nseg >= 2 ? nt : 1, nseg, FN(task_order), &C);
        }
    }
    if (C.fail) { free(owned); return -1; }

    if (J->m > 1) {
        FN(mixctx) M;
        M.dst = C.dst;
        M.m = J->m;
        M.L = L;
        M.chunks = (L + MIXW - 1) / MIXW;
        M.hm = J->hm;
        M.fail = 0;
        wht_parallel(nt, J->outer * M.chunks, FN(task_mix), &M);
        if (M.fail) { free(owned); return -1; }
    }
    free(owned);
    return J->trailing && !trailed ? FN(trail)(J) : 0;
}

#undef MIXW
#undef GEN_FAST
#undef SGNW
#undef SIGNV_FAST
#undef SUBV
#undef STNT
#undef WHT_NO_STNT
#undef BF2
#undef ROWBF
#undef ROWBF16
#undef FIRST_CASES
#undef SHUF
#undef BFLY
#undef SWAP1
#undef SWAP2
#undef SWAP4
#undef SEL1
#undef SEL2
#undef SEL4
#undef SGN1
#undef SGN2
#undef SGN4
#undef FIRST_CASES16
#undef SGN8
#undef SEL8
#undef SWAP8
#undef L1E
#undef WIDE
#undef L2E
#undef LD
#undef ST
#undef FN
#undef WCAT
#undef WCAT2
