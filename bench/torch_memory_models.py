#!/usr/bin/python3
"""torch_memory_models.py - PyTorch CPU twin of bench/memory_models.cpp: training the Neural Turing
Machine (copy task) or the end-to-end memory network (bAbI-sized random stories).

The same models as attn's, equation for equation and parameter for parameter; each part names the
attn file it mirrors:

  --model ntm      Graves et al. 2014, the docs' recipe (docs/ntm.md): LSTM controller C 100,
                   memory N x M = 128 x 20, one read and one write head, shifts -1..1.
    NTM.forward          models/ntm/ntm.cpp   M_0 = 1e-6, r_0 = 0, controller state 0; each step
                         h = LSTMCell([x; r_{t-1}]); read heads read M_{t-1}; the write head
                         writes M_{t-1} -> M_t; y = W_o [h; r_t] + b_o
    query()              models/ntm/heads.cpp  raw = W h + b kept in (-20, 20) by 20 tanh(raw/20);
                         k = tanh, beta = softplus, g = sigmoid, s = softmax over -K..K,
                         gamma = 1 + softplus; write head: erase = sigmoid, add = tanh of the raw
                         (unbounded) last 2M columns; M <- M (1 - w e^T) + w a^T
    address()            models/ntm/addressing.cpp and nn/attention/scores/cosine.h
                         (strength=query): w_c = softmax(beta cos(k, M(i))), |x| = sqrt(sum x^2
                         + 1e-8); w_g = g w_c + (1 - g) w_{t-1} (w_0 = one-hot on row 0);
                         circular shift sum_k s(k) roll(w_g, k); sharpen exp(gamma log(w + 1e-12))
                         normalised
    loss                 train/ntm_trainer.cpp: binary cross-entropy with logits, mean over the
                         scored (answer) bits; gradients' global norm clipped to 10
    data                 train/data/bit_sequences.cpp: copy of L 20 random 8-bit vectors, a
                         delimiter channel, L answer steps: inputs [B, 41, 9], targets/mask
                         [B, 41, 8]; batch 16 (the trainer's)
  --model memn2n   Sukhbaatar et al. 2015 with attn's defaults at the joint bAbI sizes: D 50,
                   K 3 hops, memory 50 sentences x 10 words, vocabulary 180, batch 32.
    MemN2N               models/memn2n/memn2n.cpp  adjacent tying: E^0..E^K [V, D] and
                         T^0..T^K [50, D], A^k = E^k, C^k = E^{k+1}, B = E^0, W^T = E^K; weights
                         ~ N(0, 0.1), the <pad> row of each E zero and without gradient
    position_encoding()  position_encoding_weights(): l_kj = 1 + 4 (k - (D+1)/2)(j - (J+1)/2)
                         / (D J), J the sentence's own length, 0 on padding
    distances()          MemN2N::distances(): temporal distances, newest sentence 0, with random
                         noise (RN 0.1) in training: n sentences at n of n + blanks places
    hop                  nn/attention/attention.cpp (attend_one): p = softmax over [u . m_i
                         (padded slots -inf), log(empty slots)], the last column dropped;
                         o = p c; u <- u + o
    loss                 train/step.cpp + train/babi_trainer.cpp: cross-entropy of the answer,
                         backward of the loss summed over the batch, each weight's gradient
                         clipped to norm 40 alone
    data                 stories [B, 50, 10] of word ids in [4, V): 25..50 slots filled, each
                         sentence 5..10 words left-aligned, 0 = padding; questions [B, 10] of
                         5..10 words; answers in [4, V)

Both: 4 batches drawn once and cycled; Adam lr 1e-3, betas (0.9, 0.999), eps 1e-8. Every step is
timed whole (zero_grad, forward, loss, backward, clipping, Adam, loss.item()); median over
--steps after --warmup, wall clock and process CPU time; examples/s = batch / median step.

Parameters, equal in both: NTM 62,660 (LSTMCell(29, 100) 52,400, read head Linear(100, 26)
2,626, write head Linear(100, 66) 6,666, output Linear(120, 8) 968); MemN2N 46,000 (4 x 180 x 50
embeddings, 4 x 50 x 50 temporal). Known differences, none in the model: attn's write head also
computes the read its attention would give (sum_i w(i) M(i), unused) and its alignment history
keeps a running sum of each head's weights; attn's step also computes the gradients' global norm
for its finiteness check when it clips each weight alone. The random data and weights come from
different generators (same distributions).

Usage (PyTorch at its best on this machine, bench/README.md):
  env OPENBLAS_NUM_THREADS=2 OMP_WAIT_POLICY=passive LD_LIBRARY_PATH=$L \\
    /usr/bin/python3 bench/torch_memory_models.py --model ntm|memn2n --threads 2 [--steps 20]
Prints one line 'RESULT {json}' (memory_models_bench's field names), then a summary on stderr.
"""
import argparse
import json
import math
import random
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

PAD, BOS, FIRST_WORD = 0, 1, 4  # models/seq2seq/special_tokens.h: real words from 4 on
LEARNING_RATE = 1e-3
BATCHES_CYCLED = 4

# ---- the Neural Turing Machine (models/ntm/) -----------------------------------------------------

NTM = dict(controller_size=100, memory_slots=128, memory_width=20, read_heads=1, max_shift=1,
           bits=8, copy_length=20, memory_init=1e-6)
BOUND = 20.0          # heads.cpp kBound
COSINE_EPS = 1e-8     # cosine.h eps
SHARPEN_FLOOR = 1e-12  # addressing.cpp kSharpenFloor


def addressing_width(M, K):
    """AddressingLayout::width(): [ k (M) | beta | g | s (2K+1) | gamma ]"""
    return M + 3 + 2 * K + 1


def query(raw, M, K):
    """addressing_query(): raw [B, W] -> k [B, M], beta, g [B, 1], s [B, 2K+1], gamma [B, 1]"""
    kept = torch.tanh(raw / BOUND) * BOUND
    key = torch.tanh(kept[:, :M])
    beta = F.softplus(kept[:, M:M + 1])
    gate = torch.sigmoid(kept[:, M + 1:M + 2])
    shifts = F.softmax(kept[:, M + 2:M + 3 + 2 * K], dim=-1)
    gamma = 1 + F.softplus(kept[:, M + 3 + 2 * K:M + 4 + 2 * K])
    return key, beta, gate, shifts, gamma


def unit_rows(x):
    """x / sqrt(sum x^2 + eps) over the last axis (cosine.h's norm)"""
    return x / torch.sqrt((x * x).sum(-1, keepdim=True) + COSINE_EPS)


def address(q, memory, previous, K):
    """NtmAddressing: content, interpolation, circular shift, sharpening -> w [B, N]"""
    key, beta, gate, shifts, gamma = q
    unit_key, rows = unit_rows(key).unsqueeze(1), unit_rows(memory)         # [B, 1, M], [B, N, M]
    cos = torch.bmm(unit_key, rows.transpose(1, 2)).squeeze(1)               # [B, N]
    content = F.softmax(cos * beta, dim=-1)                                  # [B, N]
    gated = gate * content + (1 - gate) * previous                           # [B, N]
    shifted = None
    for k in range(-K, K + 1):  # w~(i) = sum_k s(k) w_g((i - k) mod N)
        term = shifts[:, k + K:k + K + 1] * torch.roll(gated, k, dims=-1)
        shifted = term if shifted is None else shifted + term
    powered = torch.exp(gamma * torch.log(shifted + SHARPEN_FLOOR))          # [B, N]
    return powered / powered.sum(-1, keepdim=True)


class NeuralTuringMachine(nn.Module):
    """models/ntm/ntm.h with an LSTM controller."""

    def __init__(self, input_width, output_width, c):
        super().__init__()
        C, M, K, R = c["controller_size"], c["memory_width"], c["max_shift"], c["read_heads"]
        self.c, self.W = c, addressing_width(M, K)
        self.controller = nn.LSTMCell(input_width + R * M, C)           # gates i, f, g, o
        self.read_heads = nn.ModuleList(nn.Linear(C, self.W) for _ in range(R))
        self.write_head = nn.Linear(C, self.W + 2 * M)                 # then erase, add
        self.output = nn.Linear(C + R * M, output_width)

    def forward(self, inputs):  # [B, T, I] -> logits [B, T, O]
        c = self.c
        B, T = inputs.shape[:2]
        N, M, K, R = c["memory_slots"], c["memory_width"], c["max_shift"], c["read_heads"]
        memory = torch.full((B, N, M), c["memory_init"])                # [B, N, M]
        reads = [torch.zeros(B, M) for _ in range(R)]
        h = cell = torch.zeros(B, c["controller_size"])
        start = torch.zeros(B, N)
        start[:, 0] = 1                                                  # w_0: row 0
        read_w, write_w = [start] * R, start
        outputs = []
        for t in range(T):
            h, cell = self.controller(torch.cat([inputs[:, t]] + reads, -1), (h, cell))  # [B, C]
            for i, head in enumerate(self.read_heads):                  # read M_{t-1}
                read_w[i] = address(query(head(h), M, K), memory, read_w[i], K)
                reads[i] = torch.bmm(read_w[i].unsqueeze(1), memory).squeeze(1)  # [B, M]
            raw = self.write_head(h)                                     # [B, W + 2M]
            write_w = address(query(raw[:, :self.W], M, K), memory, write_w, K)
            erase = torch.sigmoid(raw[:, self.W:self.W + M])            # [B, M]
            add = torch.tanh(raw[:, self.W + M:])                        # [B, M]
            w = write_w.unsqueeze(2)                                     # [B, N, 1]
            memory = memory * (1 - w * erase.unsqueeze(1)) + w * add.unsqueeze(1)  # [B, N, M]
            outputs.append(self.output(torch.cat([h] + reads, -1)))    # [B, O]
        return torch.stack(outputs, 1)                                   # [B, T, O]


def ntm_attn_params(I, O, c):
    """attn's count from its layers' shapes (ntm.cpp): LstmCell, heads, output."""
    C, M, R, W = c["controller_size"], c["memory_width"], c["read_heads"], \
        addressing_width(c["memory_width"], c["max_shift"])
    lstm = 4 * C * (I + R * M) + 4 * C * C + 2 * 4 * C
    return lstm + R * (C * W + W) + C * (W + 2 * M) + W + 2 * M + (C + R * M) * O + O


def copy_batch(B, c, g):
    """bit_sequences.cpp make_bit_sequence, copy of exactly L vectors, batched."""
    L, bits = c["copy_length"], c["bits"]
    x = (torch.rand(B, L, bits, generator=g) < 0.5).float()
    inputs = torch.zeros(B, 2 * L + 1, bits + 1)
    inputs[:, :L, :bits] = x
    inputs[:, L, bits] = 1                    # the delimiter
    targets = torch.zeros(B, 2 * L + 1, bits)
    targets[:, L + 1:] = x
    mask = torch.zeros(B, 2 * L + 1, bits)
    mask[:, L + 1:] = 1                       # only the answer steps are scored
    return inputs, targets, mask


def ntm_workload(B, g):
    c = NTM
    I, O = c["bits"] + 1, c["bits"]
    model = NeuralTuringMachine(I, O, c)
    batches = [copy_batch(B, c, g) for _ in range(BATCHES_CYCLED)]
    params = list(model.parameters())

    def loss_of(batch):
        inputs, targets, mask = batch
        logits = model(inputs)
        return F.binary_cross_entropy_with_logits(logits, targets, weight=mask,
                                                  reduction="sum") / mask.sum()

    def backward_and_clip(loss):
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 10.0)   # the NTM trainer's global norm

    sizes = dict(controller="lstm", **{k: c[k] for k in ("controller_size", "memory_slots",
                 "memory_width", "read_heads", "max_shift", "bits", "copy_length")},
                 seq_steps=2 * c["copy_length"] + 1)
    return model, batches, loss_of, backward_and_clip, sizes, ntm_attn_params(I, O, c)


# ---- the end-to-end memory network (models/memn2n/) ----------------------------------------------

MEMN2N = dict(vocab=180, embedding=50, hops=3, memory_size=50, sentence_words=10,
              random_noise=0.1, init_std=0.1)


def position_encoding(words, D):
    """position_encoding_weights(): words [..., J] -> l [..., J, D], 0 where there is no word."""
    length = (words != PAD).long().cumprod(-1).sum(-1, keepdim=True).float()  # [..., 1] own J
    j = torch.arange(1, words.size(-1) + 1, dtype=torch.float)                 # [J]
    k = torch.arange(1, D + 1, dtype=torch.float)                              # [D]
    word = (j - (length + 1) / 2).unsqueeze(-1)                               # [..., J, 1]
    own = length.clamp(min=1).unsqueeze(-1)                                   # no 0/0 when empty
    l = 1 + 4 * (k - (D + 1) / 2) * word / (D * own)                          # [..., J, D]
    return l * (j <= length).unsqueeze(-1).float()


class MemN2N(nn.Module):
    """models/memn2n/memn2n.h: adjacent tying, position and temporal encoding, RN, empty slots."""

    def __init__(self, c, seed):
        super().__init__()
        V, D, K, S, std = c["vocab"], c["embedding"], c["hops"], c["memory_size"], c["init_std"]
        self.c, self.noise = c, random.Random(seed)

        def word_embedding():
            w = torch.randn(V, D) * std
            w[PAD] = 0
            return nn.Parameter(w)
        self.E = nn.ParameterList(word_embedding() for _ in range(K + 1))       # [V, D] each
        self.T = nn.ParameterList(nn.Parameter(torch.randn(S, D) * std) for _ in range(K + 1))

    def distances(self, mask):
        """MemN2N::distances(): [B, S], the newest sentence 0; RN's gaps in training."""
        B, S = mask.shape
        out = torch.zeros(B, S, dtype=torch.long)
        filled = mask.long().cumprod(1).sum(1).tolist()
        for b, n in enumerate(filled):
            blanks = 0
            if self.training and self.c["random_noise"] > 0:
                most = min(math.ceil(self.c["random_noise"] * n), self.c["memory_size"] - n)
                blanks = self.noise.randint(0, most)
            places = sorted(self.noise.sample(range(n + blanks), n))
            out[b, :n] = torch.tensor(places[::-1], dtype=torch.long)
        return out

    def embed(self, E, words, l, T=None, distance=None):
        """sum_j l_j * E x_ij (+ T(distance_i)): [B, S, J] -> [B, S, D], or [B, J] -> [B, D]"""
        x = (F.embedding(words, E, padding_idx=PAD) * l).sum(-2)
        if T is not None:
            x = x + T.index_select(0, distance.reshape(-1)).view(x.shape)
        return x

    def forward(self, story, mask, question):  # [B, S, J], [B, S], [B, J] -> logits [B, V]
        S = story.size(1)
        distance = self.distances(mask)
        empty = (self.c["memory_size"] - mask.sum(1)).view(-1, 1, 1)           # [B, 1, 1]
        l = position_encoding(story, self.c["embedding"])                      # [B, S, J, D]
        u = self.embed(self.E[0], question, position_encoding(question, self.c["embedding"]))
        m = self.embed(self.E[0], story, l, self.T[0], distance)               # m^1 [B, S, D]
        padded = (mask == 0).unsqueeze(1)                                      # [B, 1, S]
        for k in range(self.c["hops"]):
            c = self.embed(self.E[k + 1], story, l, self.T[k + 1], distance)  # c^k [B, S, D]
            scores = torch.bmm(u.unsqueeze(1), m.transpose(1, 2))              # [B, 1, S]
            scores = scores.masked_fill(padded, float("-inf"))
            p = F.softmax(torch.cat([scores, torch.log(empty)], -1), -1)[..., :S]  # [B, 1, S]
            u = u + torch.bmm(p, c).squeeze(1)                                 # [B, D]
            m = c                                                              # A^{k+1} = C^k
        return u @ self.E[-1].t()                                              # [B, V]


def memn2n_attn_params(c):
    """MemN2NConfig::parameter_count(), adjacent tying with temporal encoding, dot score."""
    return (c["hops"] + 1) * (c["vocab"] + c["memory_size"]) * c["embedding"]


def story_batch(B, c, g):
    S, J, V = c["memory_size"], c["sentence_words"], c["vocab"]

    def between(low, high):
        return int(torch.randint(low, high + 1, (1,), generator=g))

    story = torch.zeros(B, S, J, dtype=torch.long)
    mask = torch.zeros(B, S)
    question = torch.zeros(B, J, dtype=torch.long)
    for b in range(B):
        n = between(S // 2, S)
        mask[b, :n] = 1
        for s in range(n):
            length = between(J // 2, J)
            story[b, s, :length] = torch.randint(FIRST_WORD, V, (length,), generator=g)
        length = between(J // 2, J)
        question[b, :length] = torch.randint(FIRST_WORD, V, (length,), generator=g)
    answer = torch.randint(FIRST_WORD, V, (B,), generator=g)
    return story, mask, question, answer


def memn2n_workload(B, g, seed):
    c = MEMN2N
    model = MemN2N(c, seed)
    batches = [story_batch(B, c, g) for _ in range(BATCHES_CYCLED)]
    params = list(model.parameters())

    def loss_of(batch):
        story, mask, question, answer = batch
        return F.cross_entropy(model(story, mask, question), answer, ignore_index=PAD)

    def backward_and_clip(loss):
        (loss * B).backward()                          # the bAbI trainer's summed loss
        for p in params:
            torch.nn.utils.clip_grad_norm_(p, 40.0)    # each weight alone

    sizes = {k: c[k] for k in ("vocab", "embedding", "hops", "memory_size", "sentence_words",
                               "random_noise")}
    return model, batches, loss_of, backward_and_clip, sizes, memn2n_attn_params(c)


# ---- timing --------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="ntm", choices=["ntm", "memn2n"])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=0, help="0: the recipe's (ntm 16, memn2n 32)")
    ap.add_argument("--tag", default="")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    B = a.batch or (16 if a.model == "ntm" else 32)
    g = torch.Generator().manual_seed(a.seed + 1)
    model, batches, loss_of, backward_and_clip, sizes, attn_params = (
        ntm_workload(B, g) if a.model == "ntm" else memn2n_workload(B, g, a.seed))
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    times, cpu_times, losses = [], [], []
    for i in range(a.warmup + a.steps):
        t0, c0 = time.perf_counter(), time.process_time()
        opt.zero_grad(set_to_none=True)
        loss = loss_of(batches[i % BATCHES_CYCLED])
        backward_and_clip(loss)
        opt.step()
        value = loss.item()
        if i >= a.warmup:
            times.append(time.perf_counter() - t0)
            cpu_times.append(time.process_time() - c0)
            losses.append(value)
    med = statistics.median(times)
    params = sum(p.numel() for p in model.parameters())
    res = dict(impl="torch", tag=a.tag, model=a.model, threads=a.threads, torch=torch.__version__,
               batch=B, **sizes, params=params, attn_params=attn_params,
               step_ms_median=med * 1e3, step_ms_min=min(times) * 1e3,
               step_ms_max=max(times) * 1e3, cpu_ms_median=statistics.median(cpu_times) * 1e3,
               examples_s_median=B / med,
               peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
               loss_first=losses[0], loss_last=losses[-1])
    print("RESULT " + json.dumps(res), flush=True)
    print("# torch %s threads=%d batch=%d: %.1f examples/s (%.2f ms, CPU %.2f ms), %d parameters "
          "(attn's: %d), peak RSS %.0f MiB" % (a.model, a.threads, B, B / med, med * 1e3,
                                                res["cpu_ms_median"], params, attn_params,
                                                res["peak_rss_mib"]), file=sys.stderr)


if __name__ == "__main__":
    main()
