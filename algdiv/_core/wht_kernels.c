/*
 * Instantiates the Walsh-Hadamard kernels of wht_tmpl.h for float32, float64
 * and int64, three times on x86: for AVX-512 (512-bit vectors) and for AVX2 +
 * FMA (function-level target attributes, so the file needs no special
 * compiler flags and the binary stays portable), and for the baseline ISA.
 * wht_execute dispatches through a table chosen once at import: the widest
 * path the CPU and OS support (wht_cpu_has_avx512, wht_cpu_has_avx2).
 */
#include <stdlib.h>
#include <string.h>
#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

#include "wht.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#endif

size_t wht_l2_bytes = 262144;
/* the fused first sweep (in-register stages + a radix-8 across 8 vectors); 0
 * selects the unfused schedule (tests cover both; A/B timing in benchmarks) */
int wht_fuse_first8 = 1;

/* Streaming stores in pass 2 only for arrays of at least this many bytes:
 * twice the L3 size, at least 48 MiB.  Below that the array stays (partly) in
 * L3 between the passes and bypassing it costs: on a Xeon with 480 MiB of L3,
 * 2^24 float32 in place took 37.4 ms with streaming stores and 24.7 ms
 * without (docs/engine.md). */
size_t wht_nt_min_bytes = (size_t)48 << 20;

void wht_set_l2_bytes(size_t l2)
{
#if defined(_SC_LEVEL3_CACHE_SIZE)
    {
        long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
        size_t m = (size_t)48 << 20;
        if (l3 > 0 && 2 * (size_t)l3 > m) m = 2 * (size_t)l3;
        wht_nt_min_bytes = m;
    }
#endif
    /* the largest power of 2 <= the L2 size, within [256 KiB, 1 MiB]; unknown
     * (0) keeps 256 KiB.  Measured on a 1 MiB-L2 core: 2^20 and 2^24 float32
     * 8-13% faster with 1 MiB blocks than with 256 KiB (docs/engine.md). */
    size_t b = 262144;
    while (b < ((size_t)1 << 20) && 2 * b <= l2) b *= 2;
    wht_l2_bytes = b;
}

typedef float wht_vf32 __attribute__((vector_size(32), aligned(4)));
typedef double wht_vf64 __attribute__((vector_size(32), aligned(8)));
typedef int64_t wht_vi64 __attribute__((vector_size(32), aligned(8)));
typedef int32_t wht_mi32 __attribute__((vector_size(32)));
typedef int64_t wht_mi64 __attribute__((vector_size(32)));

/* ---- portable path -------------------------------------------------------- */
#define ATTR
#define T float
#define VT wht_vf32
#define MT wht_mi32
#define VL 8
#define IS_INT 0
#define SFX f32_port
#include "wht_tmpl.h"
#undef T
#undef VT
#undef MT
#undef VL
#undef IS_INT
#undef SFX

#define T double
#define VT wht_vf64
#define MT wht_mi64
#define VL 4
#define IS_INT 0
#define SFX f64_port
#include "wht_tmpl.h"
#undef T
#undef VT
#undef MT
#undef VL
#undef IS_INT
#undef SFX

#define T int64_t
#define VT wht_vi64
#define MT wht_mi64
#define VL 4
#define IS_INT 1
#define SFX i64_port
#include "wht_tmpl.h"
#undef T
#undef VT
#undef MT
#undef VL
#undef IS_INT
#undef SFX
#undef ATTR

const wht_run_fn wht_run_portable[WHT_NTYPES] = {run_f32_port, run_f64_port, run_i64_port};

/* ---- AVX2 path -------------------------------------------------------------- */
#ifdef WHT_HAVE_AVX2_PATH
#define ATTR __attribute__((target("avx2,fma")))
#define T float
#define VT wht_vf32
#define MT wht_mi32
#define VL 8
#define IS_INT 0
#define SFX f32_avx2
#define SUBV(a, b) ((VT)_mm256_fnmadd_ps((__m256)(b), _mm256_set1_ps(1.0f), (__m256)(a)))
#define STNT(p, v) _mm256_stream_ps((float *)(p), (__m256)(v))
#include "wht_tmpl.h"
#undef T
#undef VT
#undef MT
#undef VL
#undef IS_INT
#undef SFX

#define T double
#define VT wht_vf64
#define MT wht_mi64
#define VL 4
#define IS_INT 0
#define SFX f64_avx2
#define SUBV(a, b) ((VT)_mm256_fnmadd_pd((__m256d)(b), _mm256_set1_pd(1.0), (__m256d)(a)))
#define STNT(p, v) _mm256_stream_pd((double *)(p), (__m256d)(v))
#include "wht_tmpl.h"
#undef T
#undef VT
#undef MT
#undef VL
#undef IS_INT
#undef SFX

#define T int64_t
#define VT wht_vi64
#define MT wht_mi64
#define VL 4
#define IS_INT 1
#define SFX i64_avx2
#define STNT(p, v) _mm256_stream_si256((__m256i *)(void *)(p), (__m256i)(v))
#include "wht_tmpl.h"
#undef T
#undef VT
#undef MT
#undef VL
#undef IS_INT
#undef SFX
#undef ATTR

const wht_run_fn wht_run_avx2[WHT_NTYPES] = {run_f32_avx2, run_f64_avx2, run_i64_avx2};

/* ---- AVX-512 path ------------------------------------------------------------
 * 512-bit vectors (zmm: 16 floats, 8 doubles) compiled for AVX-512F/VL/BW/DQ,
 * with the WIDE schedule: EVEX encodings reach 32 vector registers, which it
 * spends on radix-16 sweeps inside L1 blocks and on a fused first read of 16
 * vectors.  The butterflies are the same additions in the same order as on
 * the AVX2 path (every stage h = 1, 2, 4, ... applied in turn; only which of
 * them run inside a register changes), so the results are bit-identical. */
#define WHT_ATTR512 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")))

/* mp[t] = +-scale, the sign of index i0 + t of the generator (rng.c) with key
 * `key`: 8 counters per zmm, the splitmix64 finalizer's two 64-bit multiplies
 * as vpmullq, which bound the loop.  The top bit of each word becomes the sign
 * bit of +scale through one bitwise select (vpternlog), for float32 after a
 * vpermt2d has gathered the high halves of 16 words into one vector; this
 * measured 0.25 ns per float32 sign against 0.29 with the top bits moved to a
 * mask register (vpmovq2m) and a masked xor, and 0.35 for the compiler's
 * vectorization of the scalar loop (runs of 4096 signs, one thread, the Xeon
 * host of docs/engine.md).  gen_mult_*_z's pf: NULL, or the next block's data,
 * one 64-byte line of it prefetched into L2 per 64 bytes of multipliers. */
static inline WHT_ATTR512 __m512i wht_mix_top(__m512i z)
{
    const __m512i C1 = _mm512_set1_epi64((long long)0xBF58476D1CE4E5B9ULL);
    const __m512i C2 = _mm512_set1_epi64((long long)0x94D049BB133111EBULL);
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)), C1);
    return _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)), C2);  /* top bit = mix's */
}

/* the counters key + GAMMA (i + 1) of the 8 signs i = i0 .. i0 + 7 */
static inline WHT_ATTR512 __m512i wht_counters8(uint64_t key, uint64_t i0)
{
    return _mm512_add_epi64(_mm512_set1_epi64((long long)(key + WHT_GAMMA * (i0 + 1))),
                            _mm512_mullo_epi64(_mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0),
                                               _mm512_set1_epi64((long long)WHT_GAMMA)));
}

typedef float wht_zf32 __attribute__((vector_size(64), aligned(4)));
typedef double wht_zf64 __attribute__((vector_size(64), aligned(8)));
typedef int64_t wht_zi64 __attribute__((vector_size(64), aligned(8)));
typedef int32_t wht_zm32 __attribute__((vector_size(64)));
typedef int64_t wht_zm64 __attribute__((vector_size(64)));

/* v with lane i's sign flipped where bit i of word is set: one masked xor */
static inline __attribute__((always_inline)) WHT_ATTR512 wht_zf32 signv_f32_z(wht_zf32 v, uint64_t word)
{
    const __m512i sb = _mm512_set1_epi32((int)0x80000000u);
    return (wht_zf32)_mm512_mask_xor_epi32((__m512i)v, (__mmask16)word, (__m512i)v, sb);
}

static inline __attribute__((always_inline)) WHT_ATTR512 wht_zf64 signv_f64_z(wht_zf64 v, uint64_t word)
{
    const __m512i sb = _mm512_set1_epi64((long long)0x8000000000000000ULL);
    return (wht_zf64)_mm512_mask_xor_epi64((__m512i)v, (__mmask8)word, (__m512i)v, sb);
}

static WHT_ATTR512 void gen_mult_f32_z(float *mp, size_t len, uint64_t key, uint64_t i0, float scale,
                                      const char *pf)
{
    const __m512i step = _mm512_set1_epi64((long long)(WHT_GAMMA * 16));
    __m512i za = wht_counters8(key, i0), zb = wht_counters8(key, i0 + 8);
    const __m512i vs = _mm512_castps_si512(_mm512_set1_ps(scale));
    const __m512i sbit = _mm512_set1_epi32((int)0x80000000u);
    /* dword 2k + 1 (the high half of word k) of za, then of zb */
    const __m512i hi = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
    size_t t = 0;
    for (; t + 16 <= len; t += 16) {
        if (pf) _mm_prefetch(pf + t * sizeof(float), _MM_HINT_T1);
        const __m512i h = _mm512_permutex2var_epi32(wht_mix_top(za), hi, wht_mix_top(zb));
        /* vs ^ (h & sbit): imm 0x78 is A ^ (B & C) */
        _mm512_storeu_si512((void *)(mp + t), _mm512_ternarylogic_epi32(vs, h, sbit, 0x78));
        za = _mm512_add_epi64(za, step);
        zb = _mm512_add_epi64(zb, step);
    }
    for (; t < len; t++)
        mp[t] = (wht_mix(key + WHT_GAMMA * (i0 + t + 1)) >> 63) ? -scale : scale;
}

static WHT_ATTR512 void gen_mult_f64_z(double *mp, size_t len, uint64_t key, uint64_t i0, double scale,
                                      const char *pf)
{
    const __m512i step = _mm512_set1_epi64((long long)(WHT_GAMMA * 8));
    __m512i z = wht_counters8(key, i0);
    const __m512i vs = _mm512_castpd_si512(_mm512_set1_pd(scale));
    const __m512i sbit = _mm512_set1_epi64((long long)0x8000000000000000ULL);
    size_t t = 0;
    for (; t + 8 <= len; t += 8) {
        if (pf) _mm_prefetch(pf + t * sizeof(double), _MM_HINT_T1);
        _mm512_storeu_si512((void *)(mp + t), _mm512_ternarylogic_epi64(vs, wht_mix_top(z), sbit, 0x78));
        z = _mm512_add_epi64(z, step);
    }
    for (; t < len; t++)
        mp[t] = (wht_mix(key + WHT_GAMMA * (i0 + t + 1)) >> 63) ? -scale : scale;
}

#define ATTR WHT_ATTR512
#define WIDE 1
#define T float
#define VT wht_zf32
#define MT wht_zm32
#define VL 16
#define IS_INT 0
#define SFX f32_avx512
#define GEN_FAST gen_mult_f32_z
#define SIGNV_FAST signv_f32_z
#define SUBV(a, b) ((VT)_mm512_fnmadd_ps((__m512)(b), _mm512_set1_ps(1.0f), (__m512)(a)))
#define STNT(p, v) _mm512_stream_ps((float *)(p), (__m512)(v))
#include "wht_tmpl.h"
#undef T
#undef VT
#undef MT
#undef VL
#undef IS_INT
#undef SFX

#define WIDE 1
#define T double
#define VT wht_zf64
#define MT wht_zm64
#define VL 8
#define IS_INT 0
#define SFX f64_avx512
#define GEN_FAST gen_mult_f64_z
#define SIGNV_FAST signv_f64_z
#define SUBV(a, b) ((VT)_mm512_fnmadd_pd((__m512d)(b), _mm512_set1_pd(1.0), (__m512d)(a)))
#define STNT(p, v) _mm512_stream_pd((double *)(p), (__m512d)(v))
#include "wht_tmpl.h"
#undef T
#undef VT
#undef MT
#undef VL
#undef IS_INT
#undef SFX

#define WIDE 1
#define T int64_t
#define VT wht_zi64
#define MT wht_zm64
#define VL 8
#define IS_INT 1
#define SFX i64_avx512
#define STNT(p, v) _mm512_stream_si512((void *)(p), (__m512i)(v))
#include "wht_tmpl.h"
#undef T
#undef VT
#undef MT
#undef VL
#undef IS_INT
#undef SFX
#undef ATTR

const wht_run_fn wht_run_avx512[WHT_NTYPES] = {run_f32_avx512, run_f64_avx512, run_i64_avx512};
#endif

/* ---- dispatch ----------------------------------------------------------------- */

int wht_cpu_has_avx2(void)
{
#ifdef WHT_HAVE_AVX2_PATH
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

/* AVX-512F/VL/BW/DQ usable: the CPU has them (CPUID leaf 7) and the OS saves
 * their state (OSXSAVE, then XCR0 bits 1-2: SSE/AVX, bits 5-7: opmask, the
 * upper halves of zmm0-15 and zmm16-31).  A kernel or hypervisor may leave
 * the state off on a CPU that has the instructions. */
int wht_cpu_has_avx512(void)
{
#if defined(__x86_64__) || defined(__i386__)
    unsigned int a, b, c, d;
    if (!wht_cpu_has_avx2()) return 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (!(c & (1u << 27))) return 0;                  /* OSXSAVE: xgetbv allowed */
    unsigned int lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    if ((lo & 0xE6u) != 0xE6u) return 0;               /* XCR0 bits 1, 2, 5, 6, 7 */
    if (__get_cpuid_max(0, NULL) < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    const unsigned int need = (1u << 16) | (1u << 17) | (1u << 30) | (1u << 31);  /* F DQ BW VL */
    return (b & need) == need;
#else
    return 0;
#endif
}

static const wht_run_fn *wht_active = wht_run_portable;
static int wht_path = WHT_PATH_PORTABLE;

int wht_get_path(void) { return wht_path; }

int wht_set_path(int path)
{
    if (path == WHT_PATH_PORTABLE) {
        wht_active = wht_run_portable;
        wht_path = path;
        return 0;
    }
#ifdef WHT_HAVE_AVX2_PATH
    if (path == WHT_PATH_AVX2 && wht_cpu_has_avx2()) {
        wht_active = wht_run_avx2;
        wht_path = path;
        return 0;
    }
    if (path == WHT_PATH_AVX512 && wht_cpu_has_avx512()) {
        wht_active = wht_run_avx512;
        wht_path = path;
        return 0;
    }
#endif
    return -1;
}

int wht_execute(const wht_job *job)
{
    if (job->dtype < 0 || job->dtype >= WHT_NTYPES) return -1;
    return wht_active[job->dtype](job);
}
