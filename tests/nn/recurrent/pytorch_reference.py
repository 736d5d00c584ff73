#!/usr/bin/python3
"""pytorch_reference.py - prints the expected numbers of test_recurrent_pytorch.cpp.

NOT run by the tests (attn never depends on PyTorch); kept so that anyone can regenerate the
numbers: /usr/bin/python3 tests/nn/recurrent/pytorch_reference.py  (PyTorch 1.13).

The fixture, which the C++ test rebuilds exactly:
  nn.GRU / nn.LSTM (I = 3, R = 2, 2 layers, bidirectional, batch_first), in float64
  parameter p (state_dict order), element k (row-major):  0.4 sin(0.37 k + 1.1 p + 0.3)
  inputs x [B = 3, T = 4, I = 3], element n (row-major):  0.8 cos(0.53 n + 0.2)
  lengths 4, 2, 3 (right padding), through pack_padded_sequence(enforce_sorted=False)
  loss = sum(outputs * w) + sum(h_n), w element n:  sin(0.29 n)
Printed: outputs [B, T, 2R] (padded to T), h_n [L*K, B, R], c_n (LSTM), and d loss /
d weight_hh_l0_reverse and d loss / d weight_ih_l1.
"""
import math

import torch
import torch.nn as nn


def fixture(kind):
    torch.manual_seed(0)
    layer = (nn.GRU if kind == "gru" else nn.LSTM)(3, 2, num_layers=2, bidirectional=True,
                                                    batch_first=True).double()
    with torch.no_grad():
        for p, (name, param) in enumerate(layer.state_dict(keep_vars=True).items()):
            flat = param.view(-1)
            for k in range(flat.numel()):
                flat[k] = 0.4 * math.sin(0.37 * k + 1.1 * p + 0.3)
    x = torch.tensor([0.8 * math.cos(0.53 * n + 0.2) for n in range(3 * 4 * 3)],
                     dtype=torch.float64).view(3, 4, 3)
    lengths = torch.tensor([4, 2, 3])
    packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    out, state = layer(packed)
    out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=4)
    h_n, c_n = state if kind == "lstm" else (state, None)
    w = torch.tensor([math.sin(0.29 * n) for n in range(out.numel())],
                     dtype=torch.float64).view(out.shape)
    (out * w).sum().add(h_n.sum()).backward()
    return out, h_n, c_n, layer.weight_hh_l0_reverse.grad, layer.weight_ih_l1.grad


def show(name, t):
    values = ", ".join("%.10f" % v for v in t.reshape(-1).tolist())
    print("  // %s %s\n  const Values %s = {%s};" % (name, list(t.shape), name, values))


for kind in ("gru", "lstm"):
    out, h_n, c_n, grad_hh, grad_ih = fixture(kind)
    print("%s:" % kind)
    show("outputs", out)
    show("h_n", h_n)
    if c_n is not None:
        show("c_n", c_n)
    show("grad_weight_hh_l0_reverse", grad_hh)
    show("grad_weight_ih_l1", grad_ih)
