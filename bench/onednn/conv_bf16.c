// 3×3 convolutions of the xcnn model (SPEC §1, base width 32) through oneDNN, fp32 against bf16,
// forward (training propagation), one thread. Not part of the Swift package: built and run by
// scripts/bench-bf16, written up in docs/perf/bf16.md.
//
//   conv_bf16 SIDE BATCH ROUNDS [WIDTH [any|nhwc]]   (activation layout: oneDNN's choice, or NHWC)
//
// For each distinct 3×3 shape of the explainer and the classifier at SIDE (same padding, stride 1,
// bias, ReLU fused as a post-op) it times the convolution primitive in fp32 (src, weights, dst f32)
// and in bf16 (src and weights bf16, accumulation and dst f32), each with the layouts oneDNN prefers
// (format "any"), ROUNDS interleaved repetitions after one warm-up, and prints the median and the
// minimum. The reorders from and to plain NCHW f32 (what a caller with plain tensors would pay at
// each layer's border, with the rounding to bf16) are timed once per shape apart.
// Accuracy, without the ReLU: max |bf16 − fp32| / max |fp32| over the whole output ("scaled"), the
// largest element-wise relative error over outputs with |fp32| ≥ 1% of the maximum, and the same two
// for fp32 against a double-precision direct convolution on 4,096 sampled outputs (fp32's own error).
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <oneapi/dnnl/dnnl.h>

#define CHECK(call)                                                                          \
    do {                                                                                     \
        dnnl_status_t s_ = (call);                                                           \
        if (s_ != dnnl_success) {                                                            \
            fprintf(stderr, "%s:%d: %s failed: status %d\n", __FILE__, __LINE__, #call, (int)s_); \
            exit(1);                                                                         \
        }                                                                                    \
    } while (0)

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static float uniform(void) {  // splitmix64 → [0, 1)
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (float)((z >> 40) * (1.0 / 16777216.0));
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
static double median(double *v, int n) {
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static dnnl_engine_t engine;
static dnnl_format_tag_t act_tag = dnnl_format_tag_any;  // activations' layout: any or nhwc
static dnnl_stream_t stream;

static dnnl_memory_t make_memory(const dnnl_memory_desc_t *md) {
    dnnl_memory_t m;
    CHECK(dnnl_memory_create(&m, md, engine, DNNL_MEMORY_ALLOCATE));
    return m;
}
static void *data_of(dnnl_memory_t m) {
    void *p;
    CHECK(dnnl_memory_get_data_handle(m, &p));
    return p;
}
// Reorders src into dst; returns the seconds it took (one run, after one warm-up).
static double reorder(dnnl_memory_t src, dnnl_memory_t dst) {
    const dnnl_memory_desc_t *smd, *dmd;
    CHECK(dnnl_memory_get_memory_desc(src, &smd));
    CHECK(dnnl_memory_get_memory_desc(dst, &dmd));
    dnnl_primitive_desc_t pd;
    CHECK(dnnl_reorder_primitive_desc_create(&pd, smd, engine, dmd, engine, NULL));
    dnnl_primitive_t p;
    CHECK(dnnl_primitive_create(&p, pd));
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, dst}};
    CHECK(dnnl_primitive_execute(p, stream, 2, args));
    CHECK(dnnl_stream_wait(stream));
    double t0 = now();
    CHECK(dnnl_primitive_execute(p, stream, 2, args));
    CHECK(dnnl_stream_wait(stream));
    double t = now() - t0;
    dnnl_primitive_destroy(p);
    dnnl_primitive_desc_destroy(pd);
    return t;
}

typedef struct {
    dnnl_primitive_t prim;
    dnnl_memory_t src, wei, bias, dst;
    const char *impl;
    double to_layout, from_layout;  // seconds: plain f32 src+weights → layout, dst → plain f32
} conv_t;

// A convolution with data type dt for src and weights (f32 accumulation, f32 dst), fed from the plain
// f32 tensors; relu: fused ReLU post-op.
static conv_t make_conv(dnnl_data_type_t dt, int relu, const dnnl_memory_desc_t *src_plain_md,
                        const dnnl_memory_desc_t *wei_plain_md, const dnnl_memory_desc_t *bias_md,
                        const dnnl_memory_desc_t *dst_plain_md, dnnl_memory_t src_plain, dnnl_memory_t wei_plain,
                        dnnl_memory_t bias_plain, dnnl_memory_t dst_plain) {
    dnnl_memory_desc_t src_any, wei_any, dst_any;
    CHECK(dnnl_memory_desc_init_by_tag(&src_any, 4, src_plain_md->dims, dt, act_tag));
    CHECK(dnnl_memory_desc_init_by_tag(&wei_any, 4, wei_plain_md->dims, dt, dnnl_format_tag_any));
    CHECK(dnnl_memory_desc_init_by_tag(&dst_any, 4, dst_plain_md->dims, dnnl_f32, act_tag));
    dnnl_dims_t strides = {1, 1}, pad = {1, 1};
    dnnl_convolution_desc_t cd;
    CHECK(dnnl_convolution_forward_desc_init(&cd, dnnl_forward_training, dnnl_convolution_direct, &src_any,
                                             &wei_any, bias_md, &dst_any, strides, pad, pad));
    dnnl_primitive_attr_t attr;
    CHECK(dnnl_primitive_attr_create(&attr));
    if (relu) {
        dnnl_post_ops_t po;
        CHECK(dnnl_post_ops_create(&po));
        CHECK(dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f));
        CHECK(dnnl_primitive_attr_set_post_ops(attr, po));
        dnnl_post_ops_destroy(po);
    }
    dnnl_primitive_desc_t pd;
    CHECK(dnnl_primitive_desc_create(&pd, &cd, attr, engine, NULL));
    dnnl_primitive_attr_destroy(attr);
    conv_t c;
    CHECK(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &c.impl));
    c.src = make_memory(dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0));
    c.wei = make_memory(dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0));
    c.dst = make_memory(dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0));
    c.bias = bias_plain;
    c.to_layout = reorder(src_plain, c.src) + reorder(wei_plain, c.wei);
    c.from_layout = 0;
    CHECK(dnnl_primitive_create(&c.prim, pd));
    dnnl_primitive_desc_destroy(pd);
    (void)dst_plain;
    return c;
}

static double run_conv(conv_t *c) {
    dnnl_exec_arg_t args[4] = {
        {DNNL_ARG_SRC, c->src}, {DNNL_ARG_WEIGHTS, c->wei}, {DNNL_ARG_BIAS, c->bias}, {DNNL_ARG_DST, c->dst}};
    double t0 = now();
    CHECK(dnnl_primitive_execute(c->prim, stream, 4, args));
    CHECK(dnnl_stream_wait(stream));
    return now() - t0;
}

static void free_conv(conv_t *c) {
    dnnl_primitive_destroy(c->prim);
    dnnl_memory_destroy(c->src);
    dnnl_memory_destroy(c->wei);
    dnnl_memory_destroy(c->dst);
}

typedef struct {
    const char *layers;  // the model's layers with this shape
    int cin, cout, shift;  // map side = SIDE >> shift
} shape_t;

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s SIDE BATCH ROUNDS [WIDTH [any|nhwc]]\n", argv[0]);
        return 2;
    }
    int side = atoi(argv[1]), batch = atoi(argv[2]), rounds = atoi(argv[3]);
    int w = argc > 4 ? atoi(argv[4]) : 32;
    if (argc > 5 && strcmp(argv[5], "nhwc") == 0) act_tag = dnnl_nhwc;
    const shape_t shapes[] = {
        {"explainer.enc1.conv1 classifier.stage1.conv1", 3, w, 0},
        {"explainer.enc1.conv2 explainer.dec1.conv1 explainer.dec1.conv2 classifier.stage1.conv2", w, w, 0},
        {"explainer.enc2.conv1 classifier.stage2.conv1", w, 2 * w, 1},
        {"explainer.enc2.conv2 explainer.dec2.conv1 explainer.dec2.conv2 classifier.stage2.conv2", 2 * w, 2 * w, 1},
        {"explainer.enc3.conv1 classifier.stage3.conv1", 2 * w, 4 * w, 2},
        {"explainer.enc3.conv2 explainer.dec3.conv1 explainer.dec3.conv2 classifier.stage3.conv2", 4 * w, 4 * w, 2},
        {"classifier.stage4.conv1", 4 * w, 8 * w, 3},
        {"classifier.stage4.conv2", 8 * w, 8 * w, 3},
    };
    CHECK(dnnl_engine_create(&engine, dnnl_cpu, 0));
    CHECK(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags));
    const dnnl_version_t *v = dnnl_version();
    printf("# oneDNN %d.%d.%d (%s), cpu runtime %u, side %d, batch %d, width %d, rounds %d\n", v->major, v->minor,
           v->patch, v->hash, v->cpu_runtime, side, batch, w, rounds);
    printf("shape\tcin\tcout\tmap\tgflop\tfp32_impl\tbf16_impl\tfp32_ms_median\tfp32_ms_min\tbf16_ms_median\t"
           "bf16_ms_min\tspeedup\tfp32_reorder_ms\tbf16_reorder_ms\tbf16_scaled_err\tbf16_max_rel_err\t"
           "fp32_scaled_err_vs_f64\tfp32_max_rel_err_vs_f64\tlayers\n");
    fflush(stdout);
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        const shape_t *s = &shapes[k];
        int h = side >> s->shift;
        dnnl_dims_t sd = {batch, s->cin, h, h}, wd = {s->cout, s->cin, 3, 3}, bd = {s->cout},
                    dd = {batch, s->cout, h, h};
        dnnl_memory_desc_t src_md, wei_md, bias_md, dst_md;
        CHECK(dnnl_memory_desc_init_by_tag(&src_md, 4, sd, dnnl_f32, dnnl_nchw));
        CHECK(dnnl_memory_desc_init_by_tag(&wei_md, 4, wd, dnnl_f32, dnnl_oihw));
        CHECK(dnnl_memory_desc_init_by_tag(&bias_md, 1, bd, dnnl_f32, dnnl_x));
        CHECK(dnnl_memory_desc_init_by_tag(&dst_md, 4, dd, dnnl_f32, dnnl_nchw));
        dnnl_memory_t src = make_memory(&src_md), wei = make_memory(&wei_md), bias = make_memory(&bias_md),
                      dst32 = make_memory(&dst_md), dst16 = make_memory(&dst_md);
        float *x = data_of(src), *wt = data_of(wei), *b = data_of(bias);
        size_t nx = (size_t)batch * s->cin * h * h, nw = (size_t)s->cout * s->cin * 9;
        // Inputs as after a ReLU (images in [0, 1) for the first layer); Glorot-uniform weights.
        for (size_t i = 0; i < nx; i++) x[i] = uniform();
        float limit = sqrtf(6.0f / (9.0f * (s->cin + s->cout)));
        for (size_t i = 0; i < nw; i++) wt[i] = (2 * uniform() - 1) * limit;
        for (int i = 0; i < s->cout; i++) b[i] = 0.01f * (2 * uniform() - 1);

        conv_t c32 = make_conv(dnnl_f32, 1, &src_md, &wei_md, &bias_md, &dst_md, src, wei, bias, dst32);
        conv_t c16 = make_conv(dnnl_bf16, 1, &src_md, &wei_md, &bias_md, &dst_md, src, wei, bias, dst16);
        run_conv(&c32);
        run_conv(&c16);
        c32.from_layout = reorder(c32.dst, dst32);
        c16.from_layout = reorder(c16.dst, dst16);
        double *t32 = malloc(rounds * sizeof *t32), *t16 = malloc(rounds * sizeof *t16);
        for (int r = 0; r < rounds; r++) {  // interleaved
            t32[r] = run_conv(&c32);
            t16[r] = run_conv(&c16);
        }
        double m32 = median(t32, rounds), m16 = median(t16, rounds);
        double min32 = t32[0], min16 = t16[0];

        // Accuracy without the ReLU.
        conv_t a32 = make_conv(dnnl_f32, 0, &src_md, &wei_md, &bias_md, &dst_md, src, wei, bias, dst32);
        conv_t a16 = make_conv(dnnl_bf16, 0, &src_md, &wei_md, &bias_md, &dst_md, src, wei, bias, dst16);
        run_conv(&a32);
        run_conv(&a16);
        reorder(a32.dst, dst32);
        reorder(a16.dst, dst16);
        const float *y32 = data_of(dst32), *y16 = data_of(dst16);
        size_t ny = (size_t)batch * s->cout * h * h;
        double ymax = 0, dmax = 0, rel = 0;
        for (size_t i = 0; i < ny; i++) ymax = fmax(ymax, fabs(y32[i]));
        for (size_t i = 0; i < ny; i++) {
            double d = fabs((double)y16[i] - y32[i]);
            dmax = fmax(dmax, d);
            if (fabs(y32[i]) >= 0.01 * ymax) rel = fmax(rel, d / fabs(y32[i]));
        }
        // fp32 against a double-precision direct convolution on sampled outputs.
        double d64max = 0, rel64 = 0, ymax64 = 0;
        for (int t = 0; t < 4096; t++) {
            size_t i = (size_t)(uniform() * ny);
            if (i >= ny) i = ny - 1;
            int n = i / ((size_t)s->cout * h * h), o = (i / ((size_t)h * h)) % s->cout, yy = (i / h) % h, xx = i % h;
            double acc = b[o];
            for (int ci = 0; ci < s->cin; ci++)
                for (int ky = 0; ky < 3; ky++)
                    for (int kx = 0; kx < 3; kx++) {
                        int iy = yy + ky - 1, ix = xx + kx - 1;
                        if (iy < 0 || iy >= h || ix < 0 || ix >= h) continue;
                        acc += (double)wt[((size_t)o * s->cin + ci) * 9 + ky * 3 + kx] *
                               x[(((size_t)n * s->cin + ci) * h + iy) * h + ix];
                    }
            double d = fabs(acc - y32[i]);
            d64max = fmax(d64max, d);
            ymax64 = fmax(ymax64, fabs(acc));
            if (fabs(acc) >= 0.01 * ymax) rel64 = fmax(rel64, d / fabs(acc));
        }
        for (int r = 1; r < rounds; r++) {
            min32 = fmin(min32, t32[r]);
            min16 = fmin(min16, t16[r]);
        }
        double gflop = 2.0 * batch * h * h * (double)s->cout * s->cin * 9 / 1e9;
        printf("%dx%d@%d\t%d\t%d\t%d\t%.3f\t%s\t%s\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2e\t%.2e\t%.2e\t%.2e\t%s\n",
               s->cin, s->cout, h, s->cin, s->cout, h, gflop, c32.impl, c16.impl, 1e3 * m32, 1e3 * min32, 1e3 * m16,
               1e3 * min16, m32 / m16, 1e3 * (c32.to_layout + c32.from_layout), 1e3 * (c16.to_layout + c16.from_layout),
               dmax / ymax, rel, d64max / ymax64, rel64, s->layers);
        fflush(stdout);
        free(t32);
        free(t16);
        free_conv(&c32);
        free_conv(&c16);
        free_conv(&a32);
        free_conv(&a16);
        dnnl_memory_destroy(src);
        dnnl_memory_destroy(wei);
        dnnl_memory_destroy(bias);
        dnnl_memory_destroy(dst32);
        dnnl_memory_destroy(dst16);
    }
    dnnl_stream_destroy(stream);
    dnnl_engine_destroy(engine);
    return 0;
}
