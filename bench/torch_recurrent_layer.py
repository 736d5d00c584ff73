#!/usr/bin/python3
"""torch_recurrent_layer.py - PyTorch CPU twin of bench/recurrent_layer.cpp.

One forward + backward of nn.GRU / nn.LSTM (batch_first; through pack_padded_sequence with
--padded 1, row b of length T - (b mod (T/2))), inputs [B, T, I] uniform in [-1, 1) requiring a
gradient, backward from a fixed random gradient of the outputs. Median of --reps steps after
--warmup, in milliseconds of wall clock and of process CPU time. Not run by the tests; attn never depends on PyTorch.

Usage (PyTorch at its best on this machine, /work/shared/bench/README.md):
  env -u OPENBLAS_CORETYPE OPENBLAS_NUM_THREADS=2 OMP_WAIT_POLICY=passive \
    /usr/bin/python3 bench/torch_recurrent_layer.py --threads 2 [--cell gru] [--batch 64] ...
Prints one line 'RESULT {json}'.
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn as nn


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cell", default="gru", choices=["gru", "lstm"])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=24)
    p.add_argument("--input", type=int, default=256)
    p.add_argument("--hidden", type=int, default=512)
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--directions", type=int, default=2)
    p.add_argument("--padded", type=int, default=0)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--reps", type=int, default=15)
    p.add_argument("--tag", default="")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    B, T = a.batch, a.steps
    layer = (nn.GRU if a.cell == "gru" else nn.LSTM)(
        a.input, a.hidden, num_layers=a.layers, bidirectional=a.directions == 2, batch_first=True)
    inputs = (torch.rand(B, T, a.input) * 2 - 1).requires_grad_()
    grad_outputs = torch.rand(B, T, a.directions * a.hidden) * 2 - 1
    lengths = torch.tensor([T - b % (T // 2) for b in range(B)]) if a.padded else None

    def step():
        layer.zero_grad()
        inputs.grad = None
        if lengths is None:
            out, _ = layer(inputs)
        else:
            packed = nn.utils.rnn.pack_padded_sequence(inputs, lengths, batch_first=True,
                                                       enforce_sorted=False)
            out, _ = layer(packed)
            out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=T)
        out.backward(grad_outputs)

    for _ in range(a.warmup):
        step()
    times, cpu_times = [], []
    for _ in range(a.reps):
        start, cpu_start = time.perf_counter(), time.process_time()
        step()
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
    med = statistics.median(times)
    result = dict(impl="torch", tag=a.tag, cell=a.cell, batch=B, steps=T, input=a.input,
                  hidden=a.hidden, layers=a.layers, directions=a.directions,
                  padded=bool(a.padded), threads=a.threads, torch=torch.__version__,
                  ms_median=med * 1e3, ms_min=min(times) * 1e3, ms_max=max(times) * 1e3,
                  cpu_ms_median=statistics.median(cpu_times) * 1e3,
                  peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
