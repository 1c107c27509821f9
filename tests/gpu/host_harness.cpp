// Host emulation of algdiv's CUDA kernels: runs the launch records planned by
// algdiv/gpu/_plan.py through the same CTA code (algdiv/gpu/kernels/wht_cta.cuh) on the
// CPU.  For every block it runs each phase's work items one after the other, which is what
// any thread interleaving between two __syncthreads() computes (no two items of a phase
// touch the same data).  Built and driven by tests/gpu/test_host_kernels.py.
//
// Script (whitespace-separated tokens):
//   BUF name bytes path        load a buffer (path "-": zero-filled)
//   ROWS T A LOGE grid block smem <ROWS_ARGS values>
//   COLS T A LOGE grid block smem <COLS_ARGS values>
//   PERM T grid block smem <PERMUTE_ARGS values>
//   OUT name path              write a buffer
//   CVT count in out           float32 -> (f16 bits, f32 from f16, bf16 bits, f32 from bf16)
// Pointer arguments are buffer names or "-" (null).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "wht_cta.cuh"

static std::map<std::string, std::vector<algdiv_v16>> bufs;
static std::ifstream script;

static std::string tok() {
    std::string s;
    if (!(script >> s)) { std::fprintf(stderr, "script ended early\n"); std::exit(2); }
    return s;
}
static long long ival() { return std::strtoll(tok().c_str(), 0, 10); }
static unsigned long long uval() { return std::strtoull(tok().c_str(), 0, 10); }
static double dval() { return std::strtod(tok().c_str(), 0); }
static void *ptr() {
    std::string s = tok();
    if (s == "-") return 0;
    auto it = bufs.find(s);
    if (it == bufs.end()) { std::fprintf(stderr, "unknown buffer %s\n", s.c_str()); std::exit(2); }
    return it->second.data();
}

template <class CTA> static void run_grid(CTA &cta, long long grid, long long smem) {
    std::vector<algdiv_v16> shared((smem + 15) / 16 + 1);
    for (long long b = 0; b < grid; ++b) {
        std::memset(shared.data(), 0xA5, shared.size() * 16);   // garbage, as on a device
        cta.begin_block(b, shared.data());
        for (int ph = 0; ph < cta.nph; ++ph)
            for (int G = 0, count = cta.groups(ph); G < count; ++G) cta.run(ph, G);
    }
}

template <class A> static algdiv_diag<A> diag() {
    algdiv_diag<A> d;
    d.mode = (int)ival();
    d.ptr = (const A *)ptr();
    d.key = uval();
    d.offset = uval();
    return d;
}

template <class T, class A, int LOGE> static void rows(long long grid, long long smem) {
    algdiv_row_cta<T, A, LOGE> c;
    c.in = (const T *)ptr();
    c.out = (T *)ptr();
    c.itq = (const unsigned char *)ptr();
    c.rows = ival();
    c.valid = ival();
    c.logp = (int)ival();
    c.m = (int)ival();
    c.rows_per_cta = (int)ival();
    c.order = (int)ival();
    c.inverse = (int)ival();
    c.ntrans = (int)ival();
    c.sub_per_row = (int)ival();
    c.scale = (A)dval();
    c.pre = diag<A>();
    c.mid = diag<A>();
    c.post = diag<A>();
    c.schedule();
    if (c.smem_bytes() > smem) { std::fprintf(stderr, "smem %lld > planned %lld\n", c.smem_bytes(), smem); std::exit(3); }
    run_grid(c, grid, smem);
}

template <class T, class A, int LOGE> static void cols(long long grid, long long smem) {
    algdiv_col_cta<T, A, LOGE> c;
    c.in = (const T *)ptr();
    c.out = (T *)ptr();
    c.outer = ival();
    c.S = ival();
    c.L = (int)ival();
    c.logl = (int)ival();
    c.W = (int)ival();
    c.inverse = (int)ival();
    c.scale = (A)dval();
    c.schedule();
    if (c.smem_bytes() > smem || c.blocks() != grid) { std::fprintf(stderr, "cols plan mismatch\n"); std::exit(3); }
    run_grid(c, grid, smem);
}

template <class T> static void perm() {
    const T *in = (const T *)ptr();
    T *out = (T *)ptr();
    long long total = ival();
    int logn = (int)ival(), order = (int)ival(), inverse = (int)ival();
    long long n = 1ll << logn;
    for (long long g = 0; g < total; ++g) {     // the kernel's grid-stride loop, serially
        long long row = g - (g & (n - 1));
        long long pk = row + algdiv_order_perm((algdiv_u32)(g & (n - 1)), logn, order);
        if (inverse) out[pk] = in[g];
        else out[g] = in[pk];
    }
}

#define DISPATCH(KERNEL, LOGE_)                                                                        \
    if (T == "algdiv_half") KERNEL<algdiv_half, float, LOGE_>(grid, smem);                           \
    else if (T == "algdiv_bf16") KERNEL<algdiv_bf16, float, LOGE_>(grid, smem);                      \
    else if (T == "float") KERNEL<float, float, LOGE_>(grid, smem);                                  \
    else KERNEL<double, double, LOGE_>(grid, smem);

int main(int argc, char **argv) {
    if (argc != 2) { std::fprintf(stderr, "usage: host_harness SCRIPT\n"); return 2; }
    script.open(argv[1]);
    std::string cmd;
    while (script >> cmd) {
        if (cmd == "BUF") {
            std::string name = tok();
            long long bytes = ival();
            std::string path = tok();
            std::vector<algdiv_v16> b((bytes + 15) / 16 + 1);
            std::memset(b.data(), 0, b.size() * 16);
            if (path != "-") {
                std::ifstream f(path, std::ios::binary);
                f.read((char *)b.data(), bytes);
            }
            bufs[name] = b;
        } else if (cmd == "OUT") {
            std::string name = tok(), path = tok();
            std::ofstream f(path, std::ios::binary);
            f.write((const char *)bufs[name].data(), (bufs[name].size() - 1) * 16);
        } else if (cmd == "ROWS" || cmd == "COLS") {
            std::string T = tok(), A = tok();
            int loge = (int)ival();
            long long grid = ival();
            ival();                                     // block size: irrelevant on the host
            long long smem = ival();
            if (cmd == "ROWS") {
                if (loge == 3) { DISPATCH(rows, 3) } else { DISPATCH(rows, 4) }
            } else {
                DISPATCH(cols, 3)
            }
        } else if (cmd == "CVT") {
            long long count = ival();
            std::string in = tok(), out = tok();
            std::vector<float> x(count);
            std::ifstream f(in, std::ios::binary);
            f.read((char *)x.data(), count * 4);
            std::ofstream g(out, std::ios::binary);
            for (long long i = 0; i < count; ++i) {
                algdiv_u16 h = algdiv_f2h(x[i]), b = algdiv_f2b(x[i]);
                float hf = algdiv_h2f(h), bf = algdiv_b2f(b);
                g.write((const char *)&h, 2);
                g.write((const char *)&hf, 4);
                g.write((const char *)&b, 2);
                g.write((const char *)&bf, 4);
            }
        } else if (cmd == "PERM") {
            std::string T = tok();
            ival(); ival(); ival();                     // grid, block, smem
            if (T == "algdiv_half") perm<algdiv_half>();
            else if (T == "algdiv_bf16") perm<algdiv_bf16>();
            else if (T == "float") perm<float>();
            else perm<double>();
        } else {
            std::fprintf(stderr, "bad command %s\n", cmd.c_str());
            return 2;
        }
    }
    return 0;
}
