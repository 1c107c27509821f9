/*
 * algdiv C core: fast Walsh-Hadamard transforms (shared declarations).
 *
 * One transform call is described by a wht_job: a C-contiguous buffer of
 * `outer` segments, each of shape (m, K, c) in elements of the real type
 * (complex input arrives as c doubled: re/im pairs are two independent real
 * columns, since the WHT matrix is real).  The transform along the K axis is
 * the Sylvester FWHT of length K = 2^k; for m in {12, 20, 28} it is followed
 * by the m x m +-1 mix H_m (y = (H_m kron H_K) x).  The scale and the sign
 * diagonal D (hd) are applied when the data is first read, the order
 * permutation when it is last written.
 */
#ifndef ALGDIV_WHT_H
#define ALGDIV_WHT_H

#include <stddef.h>
#include <stdint.h>

enum { WHT_F32 = 0, WHT_F64 = 1, WHT_I64 = 2, WHT_NTYPES = 3 };
enum { WHT_NATURAL = 0, WHT_SEQUENCY = 1, WHT_DYADIC = 2 };
enum { WHT_PATH_PORTABLE = 0, WHT_PATH_AVX2 = 1, WHT_PATH_AVX512 = 2 };

typedef struct {
    int dtype;               /* WHT_F32 / WHT_F64 / WHT_I64 */
    void *dst;               /* C-contiguous output, outer * m * K * c elements */
    const void *src;         /* C-contiguous input of the same layout, or == dst */
    size_t outer, m, K, c;   /* segment = (m, K, c); K a power of 2; m in {1,12,20,28} */
    double scale;            /* applied on the first read (1.0: none); 1.0 for int64 */
    int order;               /* WHT_NATURAL / WHT_SEQUENCY / WHT_DYADIC (m == 1 only) */
    const uint8_t *sign_bits;  /* NULL, or the signs of D packed 8 to a byte, little-endian bit
                                  order, bit set: -1 (m*K/8 bytes, b rows of them for a chain;
                                  one D for every segment); read in place of signs and seed */
    const signed char *signs;  /* NULL or the +-1 signs of D (hd): m*K of them, or */
    int signs_per_row;       /* with 1 here, outer*m*K (one row of signs per segment) */
    int seeded;              /* 1: signs from the counter-based generator (seed, stream),
                                sign index = position along the axis (+ row * m*K per row) */
    uint64_t seed, stream;
    uint64_t sign_offset;    /* added to every generated sign index (a chunk's first row * n) */
    const signed char *hm;   /* m*m row-major +-1 matrix (m > 1), NULL otherwise */
    int nthreads;            /* >= 1 */
    int blocks;              /* 0 or 1: one transform.  b > 1: the chain
                                y = (H D_{b-1}) ... (H D_0) x, each factor scaled by `scale`
                                (the randomized Hadamard rotation); D_j is row j of
                                `sign_bits` or of `signs` (b rows, one D for every segment;
                                not signs_per_row), or generated from stream + j when seeded */
    int trailing;            /* 1: then y *= E, unscaled, E the row of `sign_bits` or `signs`
                                after the blocks' (row max(b, 1)); an inverse rotation's last
                                diagonal */
} wht_job;

/* Run a job with the active path; 0 on success, -1 when out of memory. */
int wht_execute(const wht_job *job);

/* Path selection (chosen once at import; tests may switch it). */
int wht_cpu_has_avx2(void);
int wht_cpu_has_avx512(void);   /* AVX-512F/VL/BW/DQ with the OS's ZMM/opmask state on */
int wht_get_path(void);
int wht_set_path(int path);   /* returns 0, or -1 when the path is unavailable */

/* Per-path entry points (defined in wht_kernels.c). */
typedef int (*wht_run_fn)(const wht_job *job);
extern const wht_run_fn wht_run_portable[WHT_NTYPES];
#if defined(__x86_64__) || defined(__i386__)
#define WHT_HAVE_AVX2_PATH 1
extern const wht_run_fn wht_run_avx2[WHT_NTYPES];
extern const wht_run_fn wht_run_avx512[WHT_NTYPES];
#endif

/* Thread pool (pool.c): run fn(ctx, task, tid) for task in [0, ntasks) on up
 * to nthreads threads (the caller is one of them).  Serial when nthreads <= 1,
 * when ntasks <= 1, or when another call holds the pool. */
typedef void (*wht_task_fn)(void *ctx, size_t task);
void wht_parallel(int nthreads, size_t ntasks, wht_task_fn fn, void *ctx);
int wht_cpu_count(void);

/* Bytes of the level-2 blocks (a power of 2, 256 KiB .. 1 MiB): set once at
 * import from the L2 size of the CPU (wht_kernels.c). */
extern size_t wht_l2_bytes;
extern int wht_fuse_first8;
extern size_t wht_nt_min_bytes;   /* streaming stores from this array size on (wht_set_l2_bytes) */
void wht_set_l2_bytes(size_t l2_cache_bytes);

/* Per-thread scratch memory, 64-byte aligned, grown on demand and freed when
 * the thread exits (pool.c).  NULL when out of memory. */
void *wht_scratch(size_t bytes);

/* Order permutation p (y_order[k] = y_natural[p[k]]) for n = 2^bits, cached
 * for the life of the process; NULL when out of memory. */
const uint32_t *wht_order_table(int order, int bits);

/* The counter-based generator's constants (rng.c, docs/transforms.md). */
#define WHT_GAMMA 0x9E3779B97F4A7C15ULL

static inline uint64_t wht_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Counter-based Rademacher signs (rng.c): out[t] = sign of index i0 + t of the
 * stream (seed, stream), as +1 / -1, exactly as algdiv.transforms.rademacher. */
void wht_rademacher_i8(uint64_t seed, uint64_t stream, uint64_t i0, size_t count,
                       signed char *out);

#endif
