/*
 * The counter-based Rademacher generator of algdiv.transforms.rademacher
 * (docs/transforms.md), in uint64 arithmetic mod 2^64:
 *
 *   mix(z)  = splitmix64 finalizer
 *   key     = mix(seed + GAMMA (stream + 1))
 *   word(i) = mix(key + GAMMA (i + 1))
 *   sign(i) = +1 if the top bit of word(i) is 0, else -1
 *
 * Each sign depends on (seed, stream, i) alone, so the CPU kernels, the GPU
 * kernels and every dask chunk agree bit for bit.
 */
#include "wht.h"

#define WHT_GAMMA 0x9E3779B97F4A7C15ULL

static inline uint64_t wht_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void wht_rademacher_i8(uint64_t seed, uint64_t stream, uint64_t i0, size_t count,
                       signed char *out)
{
    const uint64_t key = wht_mix(seed + WHT_GAMMA * (stream + 1));
    uint64_t z = key + WHT_GAMMA * (i0 + 1);
    for (size_t t = 0; t < count; t++, z += WHT_GAMMA)
        out[t] = (signed char)(1 - 2 * (int)(wht_mix(z) >> 63));
}
