// Counter-based Rademacher signs, bit-identical to algdiv.transforms.rademacher.
// All arithmetic is uint64 modulo 2^64 (splitmix64 finaliser):
//   mix(z)  = z ^= z >> 30; z *= 0xBF58476D1CE4E5B9; z ^= z >> 27; z *= 0x94D049BB133111EB; z ^ (z >> 31)
//   key     = mix(seed + GAMMA * (stream + 1)),  GAMMA = 0x9E3779B97F4A7C15
//   sign(i) = +1 if (mix(key + GAMMA * (i + 1)) >> 63) == 0 else -1   (i = flat C-order index)
// Shared by host and device code so the same source can be checked on a CPU.
#pragma once

#ifndef ALGDIV_HD
#  if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#    define ALGDIV_HD __host__ __device__ __forceinline__
#  else
#    define ALGDIV_HD static inline
#  endif
#endif

typedef unsigned long long algdiv_u64;

#define ALGDIV_GAMMA 0x9E3779B97F4A7C15ULL
#define ALGDIV_MIX_M1 0xBF58476D1CE4E5B9ULL
#define ALGDIV_MIX_M2 0x94D049BB133111EBULL

ALGDIV_HD algdiv_u64 algdiv_mix(algdiv_u64 z) {
    z = (z ^ (z >> 30)) * ALGDIV_MIX_M1;
    z = (z ^ (z >> 27)) * ALGDIV_MIX_M2;
    return z ^ (z >> 31);
}

ALGDIV_HD algdiv_u64 algdiv_key(algdiv_u64 seed, algdiv_u64 stream) {
    return algdiv_mix(seed + ALGDIV_GAMMA * (stream + 1ULL));
}

// +1 or -1 for flat index i under the given key.
ALGDIV_HD int algdiv_sign(algdiv_u64 key, algdiv_u64 i) {
    return (algdiv_mix(key + ALGDIV_GAMMA * (i + 1ULL)) >> 63) ? -1 : 1;
}
