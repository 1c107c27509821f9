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

void wht_rademacher_i8(uint64_t seed, uint64_t stream, uint64_t i0, size_t count,
                       signed char *out)
{
    const uint64_t key = wht_mix(seed + WHT_GAMMA * (stream + 1));
    uint64_t z = key + WHT_GAMMA * (i0 + 1);
    for (size_t t = 0; t < count; t++, z += WHT_GAMMA)
        out[t] = (signed char)(1 - 2 * (int)(wht_mix(z) >> 63));
}
