/*
 * algdiv._core._fwht: the CPython / NumPy C-API binding of the C core.
 *
 * The binding is deliberately thin: for a C-contiguous, aligned, native-dtype
 * array it checks the shape, allocates the output (or takes `out`), releases
 * the GIL for anything but tiny inputs and runs the kernel straight from the
 * input buffer into the output buffer (no intermediate copy).  Other layouts
 * are copied into the output buffer first and transformed there.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <numpy/arrayobject.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

#include "wht.h"

#define GIL_RELEASE_MIN 16384        /* elements; below this the GIL round trip costs more */
/* workers=None: one thread below this many bytes of data, every CPU from it.
 * Twice the per-core L2 (within [1 MiB, 16 MiB]; 2 MiB when unknown): data that
 * fit the calling core's L2 are hot there, and a second thread first pulls its
 * half across to its own core.  Measured on the Xeon host (2 MiB L2), one call
 * after another in place: 2 MiB (2^19 float32) 0.27 ms on one thread against
 * 0.32 ms on two; 4 MiB (2^19 float64) 0.59 against 0.48 ms (docs/engine.md). */
static size_t auto_threads_min_bytes = (size_t)2 << 20;

static int ncpu_cached = 1;   /* the affinity mask at import (a syscall per call costs ~0.3 us) */

static void workers_value_error(PyObject *v)
{
    /* the message of algdiv.transforms._validate.as_workers, word for word */
    PyErr_Format(PyExc_ValueError,
                 "Argument 'workers' must be None, an integer >= 1, or an integer in "
                 "[-%d, -1] (-1: all %d CPUs), not %S.", ncpu_cached, ncpu_cached, v);
}

/* workers: None (auto), an integer >= 1 (capped at 256) or -k, 1 <= k <= the CPU
 * count (scipy.fft's "counting back from the CPU count"); bools are refused.  The
 * same rule as the Python layer's as_workers, so that both paths accept and refuse
 * the same values. */
static int resolve_workers(PyObject *w, size_t total_bytes, int *out)
{
    const int ncpu = ncpu_cached;
    if (w == NULL || w == Py_None) {
        *out = total_bytes >= auto_threads_min_bytes ? ncpu : 1;
        return 0;
    }
    if (PyLong_CheckExact(w)) {                  /* the usual case: no conversion */
        int overflow = 0;
        long v = PyLong_AsLongAndOverflow(w, &overflow);
        if (overflow == 0 && v >= 1) {
            *out = v > 256 ? 256 : (int)v;
            return 0;
        }
    }
    if (PyBool_Check(w) || Py_TYPE(w)->tp_as_number == NULL
        || Py_TYPE(w)->tp_as_number->nb_index == NULL
        || strcmp(Py_TYPE(w)->tp_name, "numpy.bool") == 0
        || strcmp(Py_TYPE(w)->tp_name, "numpy.bool_") == 0) {
        /* type(w).__name__, as the Python layer writes it */
        PyObject *name = PyObject_GetAttrString((PyObject *)Py_TYPE(w), "__name__");
        if (name == NULL) return -1;
        PyErr_Format(PyExc_TypeError, "Argument 'workers' must be None or an integer, not %S.",
                     name);
        Py_DECREF(name);
        return -1;
    }
    PyObject *iv = PyNumber_Index(w);
    if (iv == NULL) return -1;
    int overflow = 0;
    long v = PyLong_AsLongAndOverflow(iv, &overflow);
    if (v == -1 && PyErr_Occurred()) { Py_DECREF(iv); return -1; }
    if (overflow > 0 || v > 256) {
        Py_DECREF(iv);
        *out = 256;
        return 0;
    }
    if (overflow < 0 || v == 0 || v < -ncpu) {
        workers_value_error(iv);
        Py_DECREF(iv);
        return -1;
    }
    Py_DECREF(iv);
    *out = v > 0 ? (int)v : ncpu + 1 + (int)v;  /* -1 = every CPU, -2 = all but one, ... */
    return 0;
}

/* element type and interleave factor of a native-endian array dtype */
static int classify(PyArrayObject *x, int *dtype, size_t *pair)
{
    PyArray_Descr *d = PyArray_DESCR(x);
    if (!PyArray_ISNBO(d->byteorder)) return -1;
    *pair = 1;
    switch (d->type_num) {
    case NPY_FLOAT: *dtype = WHT_F32; return 0;
    case NPY_DOUBLE: *dtype = WHT_F64; return 0;
    case NPY_CFLOAT: *dtype = WHT_F32; *pair = 2; return 0;
    case NPY_CDOUBLE: *dtype = WHT_F64; *pair = 2; return 0;
    default: break;
    }
    if (d->kind == 'i' && PyArray_ITEMSIZE(x) == 8) { *dtype = WHT_I64; return 0; }
    return -1;
}

static int ranges_overlap(PyArrayObject *a, PyArrayObject *b)
{
    /* conservative: the extents of both buffers (a and b are contiguous here) */
    char *a0 = PyArray_BYTES(a), *b0 = PyArray_BYTES(b);
    char *a1 = a0 + PyArray_NBYTES(a), *b1 = b0 + PyArray_NBYTES(b);
    return a0 < b1 && b0 < a1;
}

/* Ctrl-C: a big call from the main thread runs in chunks of whole segments (rows),
 * about interrupt_chunk_bytes per thread each, with the GIL released during a chunk
 * and PyErr_CheckSignals() between chunks, so that a KeyboardInterrupt (or any
 * signal handler's exception) ends the call within one chunk's time (a few ms to
 * tens of ms).  Other threads cannot receive signals and run the job in one go.
 * A single row is never split. */
static size_t interrupt_chunk_bytes = (size_t)64 << 20;
static unsigned long main_thread_ident;
static int have_main_thread_ident;

/* 0: done; -1: out of memory; -2: a signal handler raised (the exception is set) */
static int run_job(const wht_job *job, size_t N, size_t elsize)
{
    if (N < GIL_RELEASE_MIN) return wht_execute(job);
    const size_t seg = job->m * job->K * job->c;     /* real elements per segment */
    const size_t rows = job->outer;
    size_t per = rows;
    if (rows > 1 && have_main_thread_ident && PyThread_get_thread_ident() == main_thread_ident) {
        size_t budget = interrupt_chunk_bytes * (size_t)(job->nthreads > 0 ? job->nthreads : 1);
        per = budget / (seg * elsize);
        if (per < 1) per = 1;
        if (per > rows) per = rows;
    }
    wht_job part = *job;
    for (size_t r0 = 0; r0 < rows; r0 += per) {
        const size_t cnt = rows - r0 < per ? rows - r0 : per;
        part.outer = cnt;
        part.dst = (char *)job->dst + r0 * seg * elsize;
        part.src = (const char *)job->src + r0 * seg * elsize;
        if (job->signs_per_row) {     /* sign index r * m K + i: continue where the last chunk ended */
            if (job->signs) part.signs = job->signs + r0 * job->m * job->K;
            part.sign_offset = job->sign_offset + (uint64_t)(r0 * job->m * job->K);
        }
        int rc;
        Py_BEGIN_ALLOW_THREADS
        rc = wht_execute(&part);
        Py_END_ALLOW_THREADS
        if (rc != 0) return rc;
        if (r0 + cnt < rows && PyErr_CheckSignals() != 0) return -2;
    }
    return 0;
}

typedef struct {
    int axis;
    double scale;
    int order;
    PyObject *workers;
    PyObject *signs;      /* None / NULL or an int8-convertible array */
    PyObject *seed;       /* None / NULL or an int */
    unsigned long long stream;
    PyObject *hm;         /* None / NULL or the (m, m) +-1 matrix */
    int per_row;
    unsigned long long offset;   /* first sign index of the generator */
    int blocks;           /* 1, or b > 1 (seed or b rows of signs): the chain (H D_{b-1}) ... (H D_0) x */
    PyObject *sign_bits;  /* None / NULL or the packed rows of D's signs (uint8, bit set: -1) */
    int trailing;         /* 1: one more row of signs, multiplied into the result after the chain */
} call_opts;

/* A new C-contiguous array of x's dtype and the given shape for the result.
 * From OUT_ALIGN_MIN bytes its data start on a 64-byte boundary (a view of a
 * slightly larger byte buffer, which is its base): numpy's large allocations
 * start 16 bytes past a page, so every 512-bit load of the AVX-512 path would
 * straddle two cache lines (2^24 float32 in place: 16.0 ms aligned, 21.1 ms
 * 16 bytes off, docs/engine.md). */
#define OUT_ALIGN_MIN ((size_t)1 << 16)
static PyArrayObject *new_output(PyArrayObject *x, int ndim, const npy_intp *dims)
{
    PyArray_Descr *d = PyArray_DESCR(x);
    size_t nbytes = (size_t)PyArray_ITEMSIZE(x);
    for (int i = 0; i < ndim; i++) nbytes *= (size_t)dims[i];
    if (nbytes < OUT_ALIGN_MIN) {
        Py_INCREF(d);
        return (PyArrayObject *)PyArray_NewFromDescr(&PyArray_Type, d, ndim, (npy_intp *)dims, NULL,
                                                     NULL, 0, NULL);
    }
    npy_intp nb = (npy_intp)(nbytes + 64);
    PyArrayObject *raw = (PyArrayObject *)PyArray_SimpleNew(1, &nb, NPY_UINT8);
    if (!raw) return NULL;
    char *p = (char *)PyArray_DATA(raw);
    p += (64 - (uintptr_t)p % 64) % 64;
    Py_INCREF(d);
    PyArrayObject *out = (PyArrayObject *)PyArray_NewFromDescr(
        &PyArray_Type, d, ndim, (npy_intp *)dims, NULL, p, NPY_ARRAY_CARRAY, NULL);
    if (!out) { Py_DECREF(raw); return NULL; }
    if (PyArray_SetBaseObject(out, (PyObject *)raw) < 0) { Py_DECREF(out); return NULL; }
    return out;
}

static PyObject *run_core(PyArrayObject *x, PyObject *out_obj, const call_opts *o)
{
    int dtype;
    size_t pair;
    if (classify(x, &dtype, &pair) != 0) {
        PyErr_Format(PyExc_TypeError,
                     "Argument 'x' must be a native-endian float32, float64, complex64, "
                     "complex128 or int64 array, not dtype %R.", (PyObject *)PyArray_DESCR(x));
        return NULL;
    }
    const int ndim = PyArray_NDIM(x);
    if (ndim < 1) {
        PyErr_SetString(PyExc_ValueError, "Argument 'x' must have at least one dimension, not 0.");
        return NULL;
    }
    int axis = o->axis;
    if (axis < -ndim || axis >= ndim) {
        PyErr_Format(PyExc_ValueError, "Argument 'axis' must be in [-%d, %d), not %d.", ndim, ndim,
                     axis);
        return NULL;
    }
    if (axis < 0) axis += ndim;
    const npy_intp *dims = PyArray_DIMS(x);
    const size_t n = (size_t)dims[axis];
    size_t outer = 1, c = pair;
    for (int i = 0; i < axis; i++) outer *= (size_t)dims[i];
    for (int i = axis + 1; i < ndim; i++) c *= (size_t)dims[i];
    size_t K = n ? (n & (~n + 1)) : 1, m = n ? n / K : 1;
    if (o->order < 0 || o->order > 2) {
        PyErr_Format(PyExc_ValueError, "Argument 'order' must be 0, 1 or 2, not %d.", o->order);
        return NULL;
    }
    if (dtype == WHT_I64 && o->scale != 1.0) {
        PyErr_SetString(PyExc_ValueError,
                        "Argument 'scale' must be 1.0 for int64 input (the exact transform).");
        return NULL;
    }

    /* H_m for n = m 2^k */
    PyArrayObject *hm = NULL;
    if (m > 1) {
        if (o->hm == NULL || o->hm == Py_None) {
            PyErr_Format(PyExc_ValueError,
                         "Argument 'x' has length %zu along the axis: it must be a power of 2 "
                         "(or m * 2^k with the m x m matrix given as 'hm').", n);
            return NULL;
        }
        if (o->order != WHT_NATURAL) {
            PyErr_SetString(PyExc_ValueError,
                            "Argument 'order' must be natural (0) for lengths m * 2^k.");
            return NULL;
        }
        hm = (PyArrayObject *)PyArray_FROM_OTF(o->hm, NPY_INT8, NPY_ARRAY_IN_ARRAY | NPY_ARRAY_FORCECAST);
        if (!hm) return NULL;
        /* the split n = m K is the one of hm's order m (e.g. 12 = 12 * 1, not 3 * 4) */
        size_t mm = PyArray_NDIM(hm) == 2 ? (size_t)PyArray_DIM(hm, 0) : 0;
        size_t KK = mm ? n / mm : 0;
        if (PyArray_NDIM(hm) != 2 || mm < 2 || (size_t)PyArray_DIM(hm, 1) != mm || n % mm
            || (KK & (KK - 1))) {
            PyErr_Format(PyExc_ValueError,
                         "Argument 'hm' must be an (m, m) matrix with n / m a power of 2 (n = %zu).", n);
            Py_DECREF(hm);
            return NULL;
        }
        m = mm;
        K = KK;
    }

    /* output */
    PyArrayObject *out;
    if (out_obj == NULL || out_obj == Py_None) {
        out = new_output(x, ndim, dims);
        if (!out) { Py_XDECREF(hm); return NULL; }
    } else {
        if (!PyArray_Check(out_obj)) {
            PyErr_Format(PyExc_TypeError, "Argument 'out' must be a numpy array, not %s.",
                         Py_TYPE(out_obj)->tp_name);
            Py_XDECREF(hm);
            return NULL;
        }
        out = (PyArrayObject *)out_obj;
        if (PyArray_NDIM(out) != ndim || memcmp(PyArray_DIMS(out), dims, ndim * sizeof(npy_intp)) != 0
            || !PyArray_EquivTypes(PyArray_DESCR(out), PyArray_DESCR(x))
            || !PyArray_IS_C_CONTIGUOUS(out) || !PyArray_ISALIGNED(out) || !PyArray_ISWRITEABLE(out)) {
            PyErr_SetString(PyExc_ValueError,
                            "Argument 'out' must be a writeable, aligned, C-contiguous array of "
                            "the shape and dtype of x.");
            Py_XDECREF(hm);
            return NULL;
        }
        Py_INCREF(out);
    }
    const size_t N = outer * n * c;

    /* signs of D (hd) */
    PyArrayObject *sg = NULL, *sb = NULL;
    int per_row = 0;
    if (o->signs && o->signs != Py_None) {
        sg = (PyArrayObject *)PyArray_FROM_OTF(o->signs, NPY_INT8, NPY_ARRAY_IN_ARRAY | NPY_ARRAY_FORCECAST);
        if (!sg) goto fail;
        size_t ns = (size_t)PyArray_SIZE(sg);
        if (o->trailing) {
            if (ns != ((size_t)o->blocks + 1) * n) {
                PyErr_Format(PyExc_ValueError,
                             "Argument 'signs' must hold (blocks + 1) * n = %d * %zu signs (one D "
                             "per block and the trailing one, shared by every row), not %zu.",
                             o->blocks + 1, n, ns);
                goto fail;
            }
        } else if (o->blocks > 1) {
            if (ns != (size_t)o->blocks * n) {
                PyErr_Format(PyExc_ValueError,
                             "Argument 'signs' must hold blocks * n = %d * %zu signs (one D per "
                             "block, shared by every row), not %zu.", o->blocks, n, ns);
                goto fail;
            }
        } else if (ns == n) {
            per_row = 0;
        } else if (ns == N / pair && c == pair) {
            per_row = 1;
        } else {
            PyErr_Format(PyExc_ValueError,
                         "Argument 'signs' must hold n = %zu signs (one D for every row) or one "
                         "per element with the axis last, not %zu.", n, ns);
            goto fail;
        }
    }
    if (o->sign_bits && o->sign_bits != Py_None) {
        const size_t rows = (o->blocks > 1 ? (size_t)o->blocks : 1) + (o->trailing ? 1 : 0);
        if (sg || o->per_row || n % 8 != 0) {
            PyErr_SetString(PyExc_ValueError,
                            "Argument 'sign_bits' needs n a multiple of 8, one D for every row, "
                            "and no 'signs'.");
            goto fail;
        }
        sb = (PyArrayObject *)PyArray_FROM_OTF(o->sign_bits, NPY_UINT8, NPY_ARRAY_IN_ARRAY);
        if (!sb) goto fail;
        if ((size_t)PyArray_SIZE(sb) != rows * (n / 8)) {
            PyErr_Format(PyExc_ValueError,
                         "Argument 'sign_bits' must hold %zu rows of n / 8 = %zu bytes, not %zd bytes.",
                         rows, n / 8, (Py_ssize_t)PyArray_SIZE(sb));
            goto fail;
        }
    }
    uint64_t seed = 0;
    int seeded = 0;
    if (o->seed && o->seed != Py_None) {
        seed = (uint64_t)PyLong_AsUnsignedLongLong(o->seed);
        if (PyErr_Occurred()) {
            PyErr_Clear();
            PyErr_SetString(PyExc_ValueError, "Argument 'seed' must be an integer in [0, 2^64).");
            goto fail;
        }
        seeded = 1;
        if (o->per_row) {
            if (c != pair) {
                PyErr_SetString(PyExc_ValueError,
                                "Argument 'per_row' needs the transformed axis to be the last one.");
                goto fail;
            }
            per_row = 1;
        }
    }

    if (o->trailing && !sg && !sb) {
        PyErr_SetString(PyExc_ValueError, "Argument 'trailing' needs the rows of 'signs' or 'sign_bits'.");
        goto fail;
    }
    if (o->blocks > 1 && !seeded && !sg && !sb) {
        PyErr_Format(PyExc_ValueError,
                     "Argument 'blocks' must be 1 without 'seed' or 'signs', not %d.", o->blocks);
        goto fail;
    }

    int nthreads;
    if (resolve_workers(o->workers, N * (size_t)PyArray_ITEMSIZE(out), &nthreads) != 0) goto fail;

    /* input: straight from x when it is contiguous and does not partly overlap out */
    const void *src;
    if (PyArray_IS_C_CONTIGUOUS(x) && PyArray_ISALIGNED(x)
        && (PyArray_DATA(x) == PyArray_DATA(out) || !ranges_overlap(x, out))) {
        src = PyArray_DATA(x);
    } else {
        if (PyArray_CopyInto(out, x) != 0) goto fail;
        src = PyArray_DATA(out);
    }
    if (N == 0) {
        Py_XDECREF(hm);
        Py_XDECREF(sg);
        Py_XDECREF(sb);
        return (PyObject *)out;
    }

    wht_job job;
    memset(&job, 0, sizeof(job));
    job.dtype = dtype;
    job.dst = PyArray_DATA(out);
    job.src = src;
    job.outer = outer;
    job.m = m;
    job.K = K;
    job.c = c;
    job.scale = o->scale;
    job.order = K > 1 ? o->order : WHT_NATURAL;
    job.signs = sg ? (const signed char *)PyArray_DATA(sg) : NULL;
    job.sign_bits = sb ? (const uint8_t *)PyArray_DATA(sb) : NULL;
    job.signs_per_row = per_row;
    job.seeded = seeded;
    job.seed = seed;
    job.stream = (uint64_t)o->stream;
    job.sign_offset = (uint64_t)o->offset;
    job.hm = hm ? (const signed char *)PyArray_DATA(hm) : NULL;
    job.nthreads = nthreads;
    job.blocks = o->blocks > 1 ? o->blocks : 1;
    job.trailing = o->trailing;

    const int rc = run_job(&job, N, dtype == WHT_F32 ? 4 : 8);
    Py_XDECREF(hm);
    Py_XDECREF(sg);
    Py_XDECREF(sb);
    if (rc != 0) {
        Py_DECREF(out);
        return rc == -2 ? NULL : PyErr_NoMemory();
    }
    return (PyObject *)out;

fail:
    Py_XDECREF(hm);
    Py_XDECREF(sg);
    Py_XDECREF(sb);
    Py_DECREF(out);
    return NULL;
}

static int as_array(PyObject *obj, PyArrayObject **x)
{
    if (!PyArray_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "Argument 'x' must be a numpy array, not %s.",
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    *x = (PyArrayObject *)obj;
    return 0;
}

static int as_double(PyObject *obj, double *v)
{
    *v = PyFloat_AsDouble(obj);
    if (*v == -1.0 && PyErr_Occurred()) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "Argument 'scale' must be a real number, not %s.",
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    return 0;
}

PyDoc_STRVAR(wht_doc,
"wht(x, scale, workers) -> y\n\n"
"scale * (Sylvester FWHT of x along its last axis), natural order, into a new\n"
"C-contiguous array of x's dtype.  x is left untouched.  The fast path of\n"
"algdiv.transforms.fwht (its _KERNELS['wht']).");

static PyObject *py_wht(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "wht(x, scale, workers) takes exactly 3 arguments.");
        return NULL;
    }
    PyArrayObject *x;
    call_opts o;
    memset(&o, 0, sizeof(o));
    if (as_array(args[0], &x) || as_double(args[1], &o.scale)) return NULL;
    o.axis = -1;
    o.workers = args[2];
    return run_core(x, NULL, &o);
}

PyDoc_STRVAR(hd_doc,
"hd(x, signs, scale, workers) -> y\n\n"
"scale * FWHT(signs * x) along the last axis (natural order), new array.\n"
"signs: int8, shape (n,) (one D for every row) or x.shape (one per row).");

static PyObject *py_hd(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "hd(x, signs, scale, workers) takes exactly 4 arguments.");
        return NULL;
    }
    PyArrayObject *x;
    call_opts o;
    memset(&o, 0, sizeof(o));
    if (as_array(args[0], &x) || as_double(args[2], &o.scale)) return NULL;
    o.axis = -1;
    o.signs = args[1];
    o.workers = args[3];
    return run_core(x, NULL, &o);
}

PyDoc_STRVAR(wht_call_doc,
"wht_call(x, axis, norm, order, out, plan, workers, inverse) -> y or NotImplemented\n\n"
"The whole fast path of algdiv.transforms.fwht / ifwht in one call: when x is\n"
"exactly a numpy.ndarray of native float32/float64, C-contiguous, axis is -1 or\n"
"ndim - 1, norm is None/'backward'/'ortho'/'forward', order is 'natural', plan\n"
"is None, out is None or a writeable C-contiguous ndarray of x's shape and\n"
"dtype (x itself: in place) and the length is a power of 2, returns the\n"
"transform (a new array, or out; x untouched unless it is out); otherwise\n"
"NotImplemented (the caller goes the general way, which also reports errors).");

static int str_is(PyObject *o, PyObject *interned, const char *s)
{
    /* literal defaults are interned, so the pointer test usually decides */
    return o == interned || (PyUnicode_CheckExact(o) && PyUnicode_CompareWithASCIIString(o, s) == 0);
}

static PyObject *s_natural, *s_backward, *s_ortho, *s_forward;

static PyObject *py_wht_call(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (nargs != 8) {
        PyErr_SetString(PyExc_TypeError,
                        "wht_call(x, axis, norm, order, out, plan, workers, inverse) takes 8 arguments.");
        return NULL;
    }
    PyObject *xo = args[0], *axo = args[1], *norm = args[2];
    PyObject *out = args[4];
    if (Py_TYPE(xo) != &PyArray_Type || (out != Py_None && Py_TYPE(out) != &PyArray_Type)
        || args[5] != Py_None
        || !str_is(args[3], s_natural, "natural") || !PyLong_CheckExact(axo))
        Py_RETURN_NOTIMPLEMENTED;
    PyArrayObject *x = (PyArrayObject *)xo;
    const int ndim = PyArray_NDIM(x);
    const int tn = PyArray_TYPE(x);
    if (ndim < 1 || (tn != NPY_FLOAT && tn != NPY_DOUBLE) || !PyArray_IS_C_CONTIGUOUS(x)
        || !PyArray_ISNBO(PyArray_DESCR(x)->byteorder))
        Py_RETURN_NOTIMPLEMENTED;
    int overflow = 0;
    long ax = PyLong_AsLongAndOverflow(axo, &overflow);
    if (overflow || (ax != -1 && ax != ndim - 1)) Py_RETURN_NOTIMPLEMENTED;
    const npy_intp n = PyArray_DIM(x, ndim - 1);
    if (n < 1 || (n & (n - 1))) Py_RETURN_NOTIMPLEMENTED;
    if (out != Py_None) {
        /* an out= the kernel writes directly; anything else is the general path's */
        PyArrayObject *oa = (PyArrayObject *)out;
        if (PyArray_NDIM(oa) != ndim || PyArray_TYPE(oa) != tn
            || memcmp(PyArray_DIMS(oa), PyArray_DIMS(x), ndim * sizeof(npy_intp)) != 0
            || !PyArray_IS_C_CONTIGUOUS(oa) || !PyArray_ISALIGNED(oa) || !PyArray_ISWRITEABLE(oa)
            || !PyArray_ISNBO(PyArray_DESCR(oa)->byteorder))
            Py_RETURN_NOTIMPLEMENTED;
    }
    const int inverse = PyObject_IsTrue(args[7]);
    if (inverse < 0) return NULL;
    call_opts o;
    memset(&o, 0, sizeof(o));
    if (norm == Py_None || str_is(norm, s_backward, "backward")) {
        o.scale = inverse ? 1.0 / (double)n : 1.0;
    } else if (str_is(norm, s_ortho, "ortho")) {
        o.scale = 1.0 / sqrt((double)n);
    } else if (str_is(norm, s_forward, "forward")) {
        o.scale = inverse ? 1.0 : 1.0 / (double)n;
    } else {
        Py_RETURN_NOTIMPLEMENTED;
    }
    o.axis = -1;
    o.workers = args[6];
    return run_core(x, out, &o);
}

PyDoc_STRVAR(execute_doc,
"execute(x, out=None, axis=-1, scale=1.0, order=0, workers=None, signs=None,\n"
"        seed=None, stream=0, hm=None, per_row=False, offset=0, blocks=1,\n"
"        sign_bits=None, trailing=False) -> out\n\n"
"The general entry point: y = scale * P_order (H_m kron H_K) D x along `axis`\n"
"for x of length n = m K there (K = 2^k; m > 1 needs the m x m +-1 matrix\n"
"`hm`).  order: 0 natural, 1 sequency, 2 dyadic.  D: `signs` (int8, n of\n"
"them, or one per element with the axis last) or the counter-based\n"
"generator `seed`/`stream` (sign index offset + i, per_row: offset + row * n + i).  `out` may be\n"
"x itself (in place) or a C-contiguous array of x's shape and dtype.\n"
"blocks = b > 1: the chain (scale H D_{b-1}) ... (scale H D_0) x, D_j from\n"
"stream + j or row j of `signs` (b rows of n) or of `sign_bits` (the same\n"
"signs packed 8 to a byte, little-endian bit order, bit set: -1).\n"
"trailing: then times the unscaled diagonal of the row after the blocks'.");

static PyObject *py_execute(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    static char *kwlist[] = {"x", "out", "axis", "scale", "order", "workers", "signs",
                             "seed", "stream", "hm", "per_row", "offset", "blocks", "sign_bits",
                             "trailing", NULL};
    PyObject *xo, *out = Py_None;
    call_opts o;
    memset(&o, 0, sizeof(o));
    o.axis = -1;
    o.scale = 1.0;
    o.blocks = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|OidiOOOKOpKiOp", kwlist, &xo, &out, &o.axis, &o.scale,
                                     &o.order, &o.workers, &o.signs, &o.seed, &o.stream, &o.hm,
                                     &o.per_row, &o.offset, &o.blocks, &o.sign_bits, &o.trailing))
        return NULL;
    if (o.blocks < 1) {
        PyErr_Format(PyExc_ValueError, "Argument 'blocks' must be an integer >= 1, not %d.", o.blocks);
        return NULL;
    }
    PyArrayObject *x;
    if (as_array(xo, &x)) return NULL;
    return run_core(x, out, &o);
}

static PyObject *py_rademacher(PyObject *self, PyObject *args)
{
    (void)self;
    unsigned long long seed, stream, i0;
    Py_ssize_t count;
    if (!PyArg_ParseTuple(args, "KKKn", &seed, &stream, &i0, &count)) return NULL;
    if (count < 0) {
        PyErr_SetString(PyExc_ValueError, "Argument 'count' must be >= 0.");
        return NULL;
    }
    npy_intp d = count;
    PyArrayObject *r = (PyArrayObject *)PyArray_SimpleNew(1, &d, NPY_INT8);
    if (!r) return NULL;
    wht_rademacher_i8(seed, stream, i0, (size_t)count, (signed char *)PyArray_DATA(r));
    return (PyObject *)r;
}

static PyObject *py_path(PyObject *self, PyObject *noargs)
{
    (void)self; (void)noargs;
    const int p = wht_get_path();
    return PyUnicode_FromString(p == WHT_PATH_AVX512 ? "avx512" : p == WHT_PATH_AVX2 ? "avx2" : "portable");
}

static PyObject *py_set_path(PyObject *self, PyObject *arg)
{
    (void)self;
    const char *s = PyUnicode_AsUTF8(arg);
    if (!s) return NULL;
    int p = strcmp(s, "avx512") == 0 ? WHT_PATH_AVX512 : strcmp(s, "avx2") == 0 ? WHT_PATH_AVX2
            : strcmp(s, "portable") == 0 ? WHT_PATH_PORTABLE : -1;
    if (p < 0 || wht_set_path(p) != 0) {
        PyErr_Format(PyExc_ValueError, "Kernel path %R is not available here.", arg);
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *py_has_avx2(PyObject *self, PyObject *noargs)
{
    (void)self; (void)noargs;
    return PyBool_FromLong(wht_cpu_has_avx2());
}

static PyObject *py_has_avx512(PyObject *self, PyObject *noargs)
{
    (void)self; (void)noargs;
    return PyBool_FromLong(wht_cpu_has_avx512());
}

static PyObject *py_cpu_count(PyObject *self, PyObject *noargs)
{
    (void)self; (void)noargs;
    ncpu_cached = wht_cpu_count();
    return PyLong_FromLong(ncpu_cached);
}

static PyObject *py_set_fuse_first8(PyObject *self, PyObject *arg)
{
    (void)self;
    int v = PyObject_IsTrue(arg);
    if (v < 0) return NULL;
    wht_fuse_first8 = v;
    Py_RETURN_NONE;
}

static PyObject *py_set_interrupt_chunk(PyObject *self, PyObject *arg)
{
    (void)self;
    Py_ssize_t v = PyNumber_AsSsize_t(arg, PyExc_OverflowError);
    if (v == -1 && PyErr_Occurred()) return NULL;
    if (v < 1) {
        PyErr_SetString(PyExc_ValueError, "Argument 'nbytes' must be >= 1.");
        return NULL;
    }
    const size_t old = interrupt_chunk_bytes;
    interrupt_chunk_bytes = (size_t)v;
    return PyLong_FromSize_t(old);
}

static PyMethodDef methods[] = {
    {"wht", (PyCFunction)(void (*)(void))py_wht, METH_FASTCALL, wht_doc},
    {"hd", (PyCFunction)(void (*)(void))py_hd, METH_FASTCALL, hd_doc},
    {"wht_call", (PyCFunction)(void (*)(void))py_wht_call, METH_FASTCALL, wht_call_doc},
    {"execute", (PyCFunction)(void (*)(void))py_execute, METH_VARARGS | METH_KEYWORDS, execute_doc},
    {"rademacher", py_rademacher, METH_VARARGS,
     "rademacher(seed, stream, i0, count) -> int8 signs of indices i0 .. i0+count-1."},
    {"path", py_path, METH_NOARGS, "The active kernel path: 'avx512', 'avx2' or 'portable'."},
    {"set_path", py_set_path, METH_O, "Select the kernel path ('avx512', 'avx2' or 'portable')."},
    {"has_avx2", py_has_avx2, METH_NOARGS, "Whether this CPU runs the AVX2 + FMA path."},
    {"has_avx512", py_has_avx512, METH_NOARGS,
     "Whether this CPU and OS run the AVX-512 (F/VL/BW/DQ) path."},
    {"cpu_count", py_cpu_count, METH_NOARGS, "CPUs this process may run on."},
    {"_set_fuse_first8", py_set_fuse_first8, METH_O,
     "Private: 1 fuses the first radix-8 sweep into the first read (default), 0 does not."},
    {"_set_interrupt_chunk", py_set_interrupt_chunk, METH_O,
     "Private: bytes per thread between two signal checks of a big call; returns the old value."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moddef = {
    PyModuleDef_HEAD_INIT, "_fwht",
    "algdiv's C core: fast Walsh-Hadamard kernels (AVX-512, AVX2 and portable paths).", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__fwht(void)
{
    import_array();
    s_natural = PyUnicode_InternFromString("natural");
    s_backward = PyUnicode_InternFromString("backward");
    s_ortho = PyUnicode_InternFromString("ortho");
    s_forward = PyUnicode_InternFromString("forward");
    if (!s_natural || !s_backward || !s_ortho || !s_forward) return NULL;
    /* the widest path the CPU and OS support: AVX-512 (512-bit vectors), else AVX2;
     * ALGDIV_CORE_PATH picks another (algdiv._core) */
    if (wht_cpu_has_avx512()) wht_set_path(WHT_PATH_AVX512);
    else if (wht_cpu_has_avx2()) wht_set_path(WHT_PATH_AVX2);
#ifdef _SC_LEVEL2_CACHE_SIZE
    {
        long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
        wht_set_l2_bytes(l2 > 0 ? (size_t)l2 : 0);
        if (l2 > 0) {
            size_t t = 2 * (size_t)l2;
            if (t < ((size_t)1 << 20)) t = (size_t)1 << 20;
            if (t > ((size_t)16 << 20)) t = (size_t)16 << 20;
            auto_threads_min_bytes = t;
        }
    }
#endif
    {   /* ALGDIV_L2_BYTES overrides the detected L2 size (tests, tuning) */
        const char *e = getenv("ALGDIV_L2_BYTES");
        if (e && *e) wht_set_l2_bytes((size_t)strtoull(e, NULL, 10));
    }
    ncpu_cached = wht_cpu_count();
    {   /* the main thread (the one that receives signals): threading.main_thread().ident */
        PyObject *thr = PyImport_ImportModule("threading");
        PyObject *mt = thr ? PyObject_CallMethod(thr, "main_thread", NULL) : NULL;
        PyObject *id = mt ? PyObject_GetAttrString(mt, "ident") : NULL;
        if (id && PyLong_Check(id)) {
            main_thread_ident = PyLong_AsUnsignedLong(id);
            have_main_thread_ident = !PyErr_Occurred();
        }
        PyErr_Clear();
        Py_XDECREF(id);
        Py_XDECREF(mt);
        Py_XDECREF(thr);
    }
    PyObject *mod = PyModule_Create(&moddef);
    if (!mod) return NULL;
    PyModule_AddIntConstant(mod, "AUTO_THREADS_MIN_BYTES", (long)auto_threads_min_bytes);
    PyModule_AddIntConstant(mod, "L2_BLOCK_BYTES", (long)wht_l2_bytes);
#ifdef __VERSION__
    PyModule_AddStringConstant(mod, "compiler", __VERSION__);
#endif
#if defined(__SANITIZE_ADDRESS__)
    PyModule_AddIntConstant(mod, "sanitized", 1);
#else
    PyModule_AddIntConstant(mod, "sanitized", 0);
#endif
    return mod;
}
