// algdiv's CUDA kernels for the Walsh-Hadamard family (compiled by CuPy's NVRTC at run time,
// and by nvcc for sm_80/sm_90 in the tests).  The per-block work lives in wht_cta.cuh
// (host-checkable); these __global__ functions only map threads to its work items.
//
// Template arguments: T the storage type (algdiv_half, algdiv_bf16, float, double), A the
// accumulation type (float for the first three, double for double), LOGE log2 of the values
// one thread holds in registers per work item.  Instantiated by name (RawModule
// name_expressions) from algdiv/gpu/_kernels.py, which also lists them for the compile test.
#include "wht_cta.cuh"

extern __shared__ algdiv_v16 algdiv_dynamic_smem[];

template <class CTA> __device__ __forceinline__ void algdiv_run_phases(CTA &cta) {
    for (int ph = 0; ph < cta.nph; ++ph) {
        const int count = cta.groups(ph);
        for (int G = threadIdx.x; G < count; G += blockDim.x) cta.run(ph, G);
        if (ph + 1 < cta.nph) __syncthreads();
    }
}

template <class A> __device__ __forceinline__ algdiv_diag<A> algdiv_make_diag(int mode, const A *ptr,
                                                                          algdiv_u64 key, algdiv_u64 offset) {
    algdiv_diag<A> d;
    d.mode = mode;
    d.ptr = ptr;
    d.key = key;
    d.offset = offset;
    return d;
}

// Batched FWHT of `rows` rows of length m * 2^logp (see algdiv_row_cta).  `itq` non-null:
// decode ITQ3_S blocks instead of reading `in` (then n must be 256 and m 1).  `in` may be
// `out` (in place: a block reads all its rows before it writes any), so no __restrict__.
#define ALGDIV_ROWS_MAX_THREADS 512     // algdiv/gpu/_plan.py ROWS_MAX_THREADS

template <class T, class A, int LOGE>
__global__ void __launch_bounds__(ALGDIV_ROWS_MAX_THREADS)
algdiv_wht_rows(const T *in, T *out, const unsigned char *__restrict__ itq, long long rows, long long valid,
                int logp, int m, int rows_per_cta, int order, int inverse, int ntrans, int sub_per_row,
                A scale, int pre_mode, const A *pre_ptr, algdiv_u64 pre_key, algdiv_u64 pre_off,
                int mid_mode, const A *mid_ptr, algdiv_u64 mid_key, algdiv_u64 mid_off,
                int post_mode, const A *post_ptr, algdiv_u64 post_key, algdiv_u64 post_off) {
    algdiv_row_cta<T, A, LOGE> cta;
    cta.in = in;
    cta.out = out;
    cta.itq = itq;
    cta.rows = rows;
    cta.valid = valid;
    cta.logp = logp;
    cta.m = m;
    cta.rows_per_cta = rows_per_cta;
    cta.order = order;
    cta.inverse = inverse;
    cta.ntrans = ntrans;
    cta.sub_per_row = sub_per_row;
    cta.scale = scale;
    cta.pre = algdiv_make_diag<A>(pre_mode, pre_ptr, pre_key, pre_off);
    cta.mid = algdiv_make_diag<A>(mid_mode, mid_ptr, mid_key, mid_off);
    cta.post = algdiv_make_diag<A>(post_mode, post_ptr, post_key, post_off);
    cta.schedule();
    cta.begin_block(blockIdx.x, algdiv_dynamic_smem);
    algdiv_run_phases(cta);
}

// One column pass of the multi-pass path (see algdiv_col_cta); in place when in == out.
template <class T, class A, int LOGE>
__global__ void __launch_bounds__(256) algdiv_wht_cols(const T *in, T *out, long long outer, long long S, int L, int logl,
                                int W, int inverse, A scale) {
    algdiv_col_cta<T, A, LOGE> cta;
    cta.in = in;
    cta.out = out;
    cta.outer = outer;
    cta.S = S;
    cta.L = L;
    cta.logl = logl;
    cta.W = W;
    cta.inverse = inverse;
    cta.scale = scale;
    cta.schedule();
    cta.begin_block(blockIdx.x, algdiv_dynamic_smem);
    algdiv_run_phases(cta);
}

// Reorder rows of length 2^logn between natural and sequency/dyadic order (multi-pass path):
// forward out[k] = in[perm(k)], inverse out[perm(k)] = in[k].  Grid-stride, out != in.
template <class T>
__global__ void __launch_bounds__(256) algdiv_wht_permute(const T *__restrict__ in, T *__restrict__ out, long long total,
                                   int logn, int order, int inverse) {
    const long long n = 1ll << logn;
    for (long long g = (long long)blockIdx.x * blockDim.x + threadIdx.x; g < total;
         g += (long long)gridDim.x * blockDim.x) {
        long long row = g - (g & (n - 1));
        long long pk = row + algdiv_order_perm((algdiv_u32)(g & (n - 1)), logn, order);
        if (inverse) out[pk] = in[g];
        else out[g] = in[pk];
    }
}
