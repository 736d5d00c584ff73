#!/usr/bin/python3
"""torch_attention_layer.py - PyTorch CPU twin of bench/attention_layer.cpp.

One attention layer's core, forward then backward from a fixed random gradient dO:
q, k, v [B, H, T, E] uniform in [-1, 1) requiring gradients, self-attention (S = T),
O = softmax(q k^T / sqrt(E), future keys -inf with --causal 1) v.

The core is torch.nn.functional.scaled_dot_product_attention where the installed torch has it
(2.0 and later). Debian's torch 1.13 has only the private
torch.nn.functional._scaled_dot_product_attention(q, k, v, attn_mask, dropout_p,
need_attn_weights, is_causal), which this script then calls; on the CPU both 1.13 functions run
the explicit softmax(q k^T / sqrt(E)) v, storing [B, H, T, T] (no fused or memory-efficient
kernel). With neither, the script writes that explicit form out itself. The RESULT line's
"core" field names which of the three ran.

For each T of --lengths: --warmup untimed steps, then --reps timed ones; the medians, in
milliseconds, of the forward alone and of forward + backward, and of the process CPU time of
forward + backward; the peak RSS so far, and extra_mib = that peak minus the RSS before the
first length. Not run by the tests; attn never
depends on PyTorch.

Usage (PyTorch at its best on this machine, bench/README.md):
  env OPENBLAS_CORETYPE=SkylakeX LD_LIBRARY_PATH=/tmp/openblas/root/usr/lib/x86_64-linux-gnu/openblas-pthread \
    OPENBLAS_NUM_THREADS=2 OMP_WAIT_POLICY=passive \
    /usr/bin/python3 bench/torch_attention_layer.py --threads 2 [--causal 0] [--batch 1] \
    [--heads 8] [--width 64] [--lengths 128,256,512,1024,2048,4096] [--warmup 2] [--reps 7]
Prints one line 'RESULT {json}' per length.
"""
import argparse
import json
import math
import resource
import statistics
import time

import torch
import torch.nn.functional as F


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def explicit_attention(q, k, v, causal):
    """softmax(q k^T / sqrt(E), future keys -inf) v, every [B, H, T, T] tensor stored."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
    if causal:
        T = q.size(-2)
        hidden = torch.ones(T, T, dtype=torch.bool).triu(1)
        scores = scores.masked_fill(hidden, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def pick_core():
    """The best attention this torch has, and its name."""
    if hasattr(F, "scaled_dot_product_attention"):
        return "scaled_dot_product_attention", lambda q, k, v, causal: \
            F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    if hasattr(F, "_scaled_dot_product_attention"):
        return "_scaled_dot_product_attention", lambda q, k, v, causal: \
            F._scaled_dot_product_attention(q, k, v, None, 0.0, False, causal)[0]
    return "explicit", explicit_attention


def time_steps(core, causal, B, H, T, E, warmup, reps):
    generator = torch.Generator().manual_seed(1)
    q, k, v = ((torch.rand(B, H, T, E, generator=generator) * 2 - 1).requires_grad_()
               for _ in range(3))
    grad_out = torch.rand(B, H, T, E, generator=generator) * 2 - 1
    forward_times, total_times, cpu_times = [], [], []
    for i in range(warmup + reps):
        q.grad = k.grad = v.grad = None
        start, cpu_start = time.perf_counter(), time.process_time()
        out = core(q, k, v, causal)
        forward_seconds = time.perf_counter() - start
        out.backward(grad_out)
        total_seconds = time.perf_counter() - start
        cpu_seconds = time.process_time() - cpu_start
        del out
        if i >= warmup:
            forward_times.append(forward_seconds)
            total_times.append(total_seconds)
            cpu_times.append(cpu_seconds)
    return (statistics.median(forward_times) * 1e3, statistics.median(total_times) * 1e3,
            statistics.median(cpu_times) * 1e3)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--causal", type=int, default=0)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--heads", type=int, default=8)
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--lengths", default="128,256,512,1024,2048,4096")
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--reps", type=int, default=7)
    p.add_argument("--tag", default="")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    name, core = pick_core()
    lengths = [int(x) for x in a.lengths.split(",")]
    baseline = peak_rss_mib()
    for T in lengths:
        forward_ms, total_ms, cpu_ms = time_steps(core, bool(a.causal), a.batch, a.heads, T, a.width,
                                          a.warmup, a.reps)
        peak = peak_rss_mib()
        result = dict(impl="torch", tag=a.tag, core=name, batch=a.batch, heads=a.heads,
                      length=T, width=a.width, causal=bool(a.causal), threads=a.threads,
                      torch=torch.__version__, ms_forward_median=forward_ms, ms_median=total_ms,
                      cpu_ms_median=cpu_ms, peak_rss_mib=peak, extra_mib=peak - baseline)
        print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
