#!/usr/bin/python3
"""torch_conv2d.py - PyTorch CPU twin of bench/conv2d.cpp.

The convolutions of the captioner's image encoder (conv 3x3, padding 1 -> ReLU blocks, the first
p of them ending with a max pool 2x2; presets small: 1 x 64 x 64 image, channels 16, 32, 64,
p = 2; tiny: 3 x 32 x 32, channels 8, 16, 32, p = 3), batch --batch:
  layers   F.conv2d forward (under no_grad) and forward + backward (x, weight and bias all
           needing a gradient, backward from a fixed random gradient), GFLOP/s with forward
           2 B O C K K H' W' and forward + backward 3 times that
  gemm     the same per-image products, [O, C K K] @ [C K K, H' W'] (and for backward
           g_b @ cols^T, w^T @ g_b), B times through torch.bmm: PyTorch's GEMM on these shapes
  encoder  nn.Sequential of the blocks, output flattened to [B, L, D]: training (forward +
           backward from a fixed random gradient) at --batch, inference (no_grad) at
           --infer-batch, in images per second
Each figure is the median of --repeats timings after a warm-up call, a timing repeating the call
for about 20 ms. Same table as conv2d_bench, row for row. Not run by the tests; attn never
depends on PyTorch.

Usage (PyTorch at its best on this machine, bench/README.md; OPENBLAS_CORETYPE=SkylakeX on the
Intel Xeon family 6 model 207, env -u OPENBLAS_CORETYPE elsewhere):
  LD_LIBRARY_PATH=$L OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS=2 OMP_WAIT_POLICY=passive \
    /usr/bin/python3 bench/torch_conv2d.py --threads 2 [--batch 32] [--infer-batch 1] [--repeats 7]
Prints the table, peak RSS, then one line 'RESULT {json}'.
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

TIMING_SECONDS = 0.02  # one timing repeats the call for about this long
KERNEL = 3

# name, image channels, height, width, each block's output channels, pooled blocks p
PRESETS = [("small", 1, 64, 64, [16, 32, 64], 2),
           ("tiny", 3, 32, 32, [8, 16, 32], 3)]


def layers_of(preset, batch):
    name, c, h, w, channels, pools = preset
    layers = []
    for n, o in enumerate(channels):
        layers.append((f"{name}.block{n + 1}", batch, c, h, w, o))
        c = o
        if n < pools:  # its max pool 2x2 halves the map
            h, w = h // 2, w // 2
    return layers


def seconds_per_call(call, repeats):
    """Median seconds per call; the first call warms up, the second sizes a timing."""
    call()
    start = time.perf_counter()
    call()
    once = max(time.perf_counter() - start, 1e-9)
    calls = max(1, int(TIMING_SECONDS / once))
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            call()
        timings.append((time.perf_counter() - start) / calls)
    return statistics.median(timings)


def uniform(*shape, low=-1.0, high=1.0):
    return torch.rand(*shape) * (high - low) + low


def time_layer(layer, repeats):
    _, B, C, H, W, O = layer
    Fk, L = C * KERNEL * KERNEL, H * W
    x, weight, bias = uniform(B, C, H, W), uniform(O, C, KERNEL, KERNEL), uniform(O)
    grad_y = uniform(B, O, H, W)

    def forward():
        with torch.no_grad():
            F.conv2d(x, weight, bias, padding=1)

    xg, wg, bg = (t.clone().requires_grad_() for t in (x, weight, bias))

    def forward_backward():
        xg.grad = wg.grad = bg.grad = None
        F.conv2d(xg, wg, bg, padding=1).backward(grad_y)

    w = weight.view(O, Fk).expand(B, O, Fk)      # [B, O, C K K]
    w_t = weight.view(O, Fk).t().expand(B, Fk, O)  # [B, C K K, O]
    cols = uniform(Fk, L).expand(B, Fk, L)       # [B, C K K, H' W'], one matrix for every image
    g = grad_y.view(B, O, L)                     # [B, O, H' W']
    y, dw, dcols = torch.empty(B, O, L), torch.empty(B, O, Fk), torch.empty(B, Fk, L)

    def gemm_forward():
        torch.bmm(w, cols, out=y)

    def gemm_forward_backward():
        torch.bmm(w, cols, out=y)
        torch.bmm(g, cols.transpose(1, 2), out=dw)
        torch.bmm(w_t, g, out=dcols)

    return [seconds_per_call(f, repeats)
            for f in (forward, forward_backward, gemm_forward, gemm_forward_backward)]


def encoder_of(preset):
    _, c, _, _, channels, pools = preset
    blocks = []
    for n, o in enumerate(channels):
        blocks += [nn.Conv2d(c, o, KERNEL, padding=1), nn.ReLU()]
        if n < pools:
            blocks.append(nn.MaxPool2d(2))
        c = o
    return nn.Sequential(*blocks)


def time_encoder(preset, batch, infer_batch, repeats):
    _, C, H, W, channels, pools = preset
    encoder = encoder_of(preset)
    images, few_images = uniform(batch, C, H, W, low=0), uniform(infer_batch, C, H, W, low=0)
    L = (H >> pools) * (W >> pools)
    grad_a = uniform(batch, L, channels[-1])  # [B, L, D]

    def annotations(x):  # [B, D, h, w] -> [B, L, D]
        return encoder(x).flatten(2).transpose(1, 2)

    def train():
        encoder.zero_grad(set_to_none=True)
        annotations(images).backward(grad_a)

    def infer():
        with torch.no_grad():
            annotations(few_images)

    return seconds_per_call(train, repeats), seconds_per_call(infer, repeats)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--infer-batch", type=int, default=1)
    p.add_argument("--repeats", type=int, default=7)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)

    print("conv2d benchmark: torch %s, threads %d, batch %d; medians of %d timings\n"
          % (torch.__version__, a.threads, a.batch, a.repeats))
    print("%-13s %-24s  | %8s %8s %8s  | %8s %8s %8s" % (
        "layer", "  B x  C x  H x  W ->  O", "fwd ms", "GFLOP/s", "gemm",
        "f+b ms", "GFLOP/s", "gemm"))
    result = dict(impl="torch", torch=torch.__version__, threads=a.threads, batch=a.batch,
                  infer_batch=a.infer_batch)
    for preset in PRESETS:
        for layer in layers_of(preset, a.batch):
            name, B, C, H, W, O = layer
            fwd, fb, gemm_fwd, gemm_fb = time_layer(layer, a.repeats)
            f = 2.0 * B * O * C * KERNEL * KERNEL * H * W
            print("%-13s %3d x %2d x %2d x %2d -> %2d  | %8.3f %8.1f %8.1f  | %8.3f %8.1f %8.1f" % (
                name, B, C, H, W, O, fwd * 1e3, f / fwd / 1e9, f / gemm_fwd / 1e9,
                fb * 1e3, 3 * f / fb / 1e9, 3 * f / gemm_fb / 1e9))
            result.update({name + ".fwd_ms": fwd * 1e3, name + ".fwd_gflops": f / fwd / 1e9,
                           name + ".gemm_fwd_gflops": f / gemm_fwd / 1e9,
                           name + ".fb_ms": fb * 1e3, name + ".fb_gflops": 3 * f / fb / 1e9,
                           name + ".gemm_fb_gflops": 3 * f / gemm_fb / 1e9})
    print()
    for preset in PRESETS:
        train, infer = time_encoder(preset, a.batch, a.infer_batch, a.repeats)
        print("encoder %-5s  train B=%d: %8.1f images/s (%8.2f ms)   infer B=%d: %8.1f images/s "
              "(%7.3f ms)" % (preset[0], a.batch, a.batch / train, train * 1e3, a.infer_batch,
                              a.infer_batch / infer, infer * 1e3))
        result["encoder." + preset[0] + ".train_images_s"] = a.batch / train
        result["encoder." + preset[0] + ".infer_images_s"] = a.infer_batch / infer
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("\npeak RSS %.0f MiB" % peak)
    result["peak_rss_mib"] = peak
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
