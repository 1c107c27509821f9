/*
 * Instantiates the Walsh-Hadamard kernels of wht_tmpl.h for float32, float64
 * and int64, twice on x86: once for AVX2 + FMA (function-level target
 * attributes, so the file needs no special compiler flags and the binary stays
 * portable) and once for the baseline ISA.  wht_execute dispatches through a
 * table chosen once at import by __builtin_cpu_supports("avx2").
 */
#include <stdlib.h>
#include <string.h>

#include "wht.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

size_t wht_l2_bytes = 262144;
/* the fused first sweep (in-register stages + a radix-8 across 8 vectors); 0
 * selects the unfused schedule (tests cover both; A/B timing in benchmarks) */
int wht_fuse_first8 = 1;

void wht_set_l2_bytes(size_t l2)
{
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
#endif
    return -1;
}

int wht_execute(const wht_job *job)
{
    if (job->dtype < 0 || job->dtype >= WHT_NTYPES) return -1;
    return wht_active[job->dtype](job);
}
