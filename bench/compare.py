#!/usr/bin/python3
"""compare.py - attn against PyTorch on every benchmark workload, alternately, several rounds.

The machine is shared and noisy, so absolute times from different sessions mean little; a ratio
measured in one session, with attn and PyTorch taking turns, holds. Each round runs every
workload once with each framework, alternating which goes first (round 1 PyTorch first, round 2
attn first, ...), and records the load average before every process. The table reports, per
figure, the median over rounds of each framework and the median of the per-round ratios
(attn / PyTorch for rates, PyTorch / attn for times, so above 1 always means attn is faster),
and the peak resident memory of each process.

Usage (from the project root, after building the benchmarks in build/bench, bench/README.md):
  /usr/bin/python3 bench/compare.py [--rounds 3] [--threads 2]
      [--only train,decode,rnn,conv,attention,memory]
      [--bench-dir build/bench] [--torch-dir ../shared/bench]
      [--jsonl results.jsonl] [--update docs/performance.md] [--from-jsonl results.jsonl]

--update replaces the text between the lines '<!-- compare.py: begin -->' and
'<!-- compare.py: end -->' of that file by the table, with the date, commit and load.

PyTorch runs at its best here (../shared/bench/README.md): OpenBLAS with as many threads as torch,
its OpenMP workers passive, and OpenBLAS's core type from $OPENBLAS_CORETYPE if set (the Intel
machine needs SkylakeX; bench/README.md). Give OpenBLAS's directory with --openblas-dir when the
system's libblas.so.3 is not OpenBLAS.
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Figure:
    """One number of a workload's RESULT lines: `key` in both frameworks' lines; of a process
    that prints one line per size, the line whose fields include `where`."""

    def __init__(self, label, key, unit, higher_is_better=True, where=None):
        self.label, self.key, self.unit, self.higher_is_better = label, key, unit, higher_is_better
        self.where = where or {}

    def value(self, results):
        for result in results:
            if all(result.get(k) == v for k, v in self.where.items()):
                return result[self.key]
        raise KeyError("no RESULT line with %s" % self.where)


class Workload:
    """One pair of processes, attn's and PyTorch's, measuring the same thing."""

    def __init__(self, name, group, attn, torch, figures):
        self.name, self.group, self.attn, self.torch, self.figures = name, group, attn, torch, figures


def workloads(threads):
    t = ["--threads", str(threads)]
    tok_s = [Figure("target tok/s", "tok_s_median", "tok/s")]
    out = []
    for config, extra in (("tiny", []), ("small", []), ("base", ["--warmup", "3", "--steps", "8"])):
        out.append(Workload("train " + config, "train",
                            ["transformer_train_bench", "--config", config] + t + extra,
                            ["torch:torch_transformer_train.py", "--config", config] + t + extra,
                            tok_s))
    for batch in (1, 32):
        b = ["--batch", str(batch)]
        out.append(Workload("greedy decode small, batch %d" % batch, "decode",
                            ["greedy_decode_bench", "--config", "small"] + t + b,
                            ["torch:torch_greedy_decode.py", "--config", "small"] + t + b,
                            [Figure("tok/s", "tok_s_median", "tok/s")]))
    for config in ("rnn", "rnn-small"):
        out.append(Workload("train " + config, "rnn",
                            ["rnn_seq2seq_bench", "--config", config] + t,
                            ["torch:torch_rnn_seq2seq_train.py", "--config", config] + t, tok_s))
    for batch in (1, 32):
        b = ["--batch", str(batch)]
        out.append(Workload("greedy decode rnn, batch %d" % batch, "rnn",
                            ["rnn_seq2seq_bench", "--config", "rnn", "--mode", "decode"] + t + b,
                            ["torch:torch_rnn_seq2seq_train.py", "--config", "rnn", "--decode"] + t + b,
                            [Figure("tok/s", "tok_s_median", "tok/s")]))
    out.append(Workload("bidirectional GRU layer, forward + backward", "rnn",
                        ["recurrent_layer_bench"] + t, ["local:torch_recurrent_layer.py"] + t,
                        [Figure("ms", "ms_median", "ms", higher_is_better=False)]))
    out.append(Workload("captioner's CNN encoder", "conv",
                        ["conv2d_bench"] + t, ["local:torch_conv2d.py"] + t,
                        [Figure("train images/s, digits encoder", "encoder.small.train_images_s",
                                "images/s"),
                         Figure("train images/s, shapes encoder", "encoder.tiny.train_images_s",
                                "images/s"),
                         Figure("one image, digits encoder", "encoder.small.infer_images_s",
                                "images/s")]))
    for causal in (0, 1):
        c = ["--causal", str(causal)]
        out.append(Workload("attention core, B 1, H 8, E 64" + (", causal" if causal else ""),
                            "attention", ["attention_layer_bench", "--impl", "flash"] + t + c,
                            ["local:torch_attention_layer.py"] + t + c,
                            [Figure("forward + backward ms, T = S = %d" % n, "ms_median", "ms",
                                    higher_is_better=False, where={"length": n})
                             for n in (512, 1024, 2048, 4096)]))
    for model, name in (("ntm", "train NTM, copy"), ("memn2n", "train MemN2N")):
        m = ["--model", model]
        out.append(Workload(name, "memory", ["memory_models_bench"] + m + t,
                            ["local:torch_memory_models.py"] + m + t,
                            [Figure("examples/s", "examples_s_median", "examples/s")]))
    return out


def intel_with_avx512():
    with open("/proc/cpuinfo") as f:
        info = f.read()
    return "GenuineIntel" in info and " avx512f" in info


def torch_environment(args):
    env = dict(os.environ)
    env["OPENBLAS_NUM_THREADS"] = str(args.threads)
    env["OMP_WAIT_POLICY"] = "passive"
    if args.openblas_dir:
        env["LD_LIBRARY_PATH"] = args.openblas_dir
    # OpenBLAS 0.3.21 does not know the Intel Xeon some sessions get and falls back to its SSE3
    # kernels, a quarter of its speed (bench/README.md); elsewhere it picks the right ones itself.
    if "OPENBLAS_CORETYPE" not in env and intel_with_avx512():
        env["OPENBLAS_CORETYPE"] = "SkylakeX"
    return env


def check_openblas(args):
    """PyTorch is only at its best on OpenBLAS: refuse to measure it on another BLAS."""
    if args.openblas_dir:
        if not os.path.exists(os.path.join(args.openblas_dir, "libblas.so.3")):
            sys.exit("compare.py: --openblas-dir %s has no libblas.so.3" % args.openblas_dir)
        return
    system = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    if "openblas" not in system:
        sys.exit("compare.py: the system's libblas.so.3 is %s, not OpenBLAS: PyTorch would run "
                 "slowly. Unpack OpenBLAS and pass --openblas-dir (bench/README.md shows how)."
                 % system)


def command_line(args, argv):
    """The argv of a workload with its program resolved: attn binaries live in --bench-dir,
    'torch:' scripts in --torch-dir (the shared reference), 'local:' scripts in bench/."""
    program = argv[0]
    if program.startswith("torch:"):
        return ["/usr/bin/python3", os.path.join(args.torch_dir, program[6:])] + argv[1:]
    if program.startswith("local:"):
        return ["/usr/bin/python3", os.path.join(ROOT, "bench", program[6:])] + argv[1:]
    return [os.path.join(args.bench_dir, program)] + argv[1:]


def load_average():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def run_once(args, framework, argv):
    """Runs one process; returns (its RESULT lines' json, the load average before it)."""
    cmd = command_line(args, argv)
    load = load_average()
    env = torch_environment(args) if framework == "torch" else dict(os.environ)
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.exit("compare.py: %s failed (exit %d):\n%s" % (" ".join(cmd), proc.returncode,
                                                            proc.stderr.strip()[-2000:]))
    results = [json.loads(line[len("RESULT "):]) for line in proc.stdout.splitlines()
               if line.startswith("RESULT ")]
    if not results:
        sys.exit("compare.py: %s printed no RESULT line" % " ".join(cmd))
    return results, load


def ratio(figure, attn_value, torch_value):
    """Above 1: attn is faster."""
    if figure.higher_is_better:
        return attn_value / torch_value
    return torch_value / attn_value


def measure(args, chosen):
    """Every process's record: round, workload, framework, load, its RESULT, date and commit."""
    rounds = []
    when, at = datetime.date.today().isoformat(), commit()
    for r in range(args.rounds):
        order = ("torch", "attn") if r % 2 == 0 else ("attn", "torch")
        for w in chosen:
            for framework in order:
                argv = w.torch if framework == "torch" else w.attn
                results, load = run_once(args, framework, argv)
                record = dict(round=r + 1, workload=w.name, framework=framework, load=load,
                              results=results, date=when, commit=at)
                rounds.append(record)
                if args.jsonl:
                    with open(args.jsonl, "a") as f:
                        f.write(json.dumps(record) + "\n")
                print("round %d  %-48s %-5s load %.2f  %s" % (
                    r + 1, w.name, framework, load,
                    "  ".join("%s %.4g" % (fig.label, fig.value(results)) for fig in w.figures)),
                    file=sys.stderr, flush=True)
    return rounds


def results_of(records, workload, framework, rnd):
    for rec in records:
        if rec["workload"] == workload and rec["framework"] == framework and rec["round"] == rnd:
            return rec["results"] if "results" in rec else [rec["result"]]
    raise KeyError(workload)


def peak_rss(results):
    return max(result["peak_rss_mib"] for result in results)


def table(args, chosen, records):
    lines = ["| workload | figure | PyTorch | attn | attn speed-up | peak RSS MiB, PyTorch / attn |",
             "|---|---|---|---|---|---|"]
    rounds = range(1, args.rounds + 1)
    for w in chosen:
        torch_rss = statistics.median(peak_rss(results_of(records, w.name, "torch", r))
                                      for r in rounds)
        attn_rss = statistics.median(peak_rss(results_of(records, w.name, "attn", r))
                                     for r in rounds)
        for i, fig in enumerate(w.figures):
            torch_values = [fig.value(results_of(records, w.name, "torch", r)) for r in rounds]
            attn_values = [fig.value(results_of(records, w.name, "attn", r)) for r in rounds]
            ratios = [ratio(fig, a, t) for a, t in zip(attn_values, torch_values)]
            memory = "{:,.0f} / {:,.0f} ({:.0f}%)".format(
                torch_rss, attn_rss, 100 * attn_rss / torch_rss) if i == 0 else ""
            lines.append("| %s | %s | %s | %s | **%.2fx** (%s) | %s |" % (
                w.name if i == 0 else "", fig.label, number(statistics.median(torch_values)),
                number(statistics.median(attn_values)), statistics.median(ratios),
                " / ".join("%.2f" % x for x in ratios), memory))
    loads = [rec["load"] for rec in records]
    return "\n".join(lines), min(loads), max(loads)


def number(x):
    return "{:,.0f}".format(x) if x >= 100 else "%.3g" % x


def commit():
    try:
        return subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True).stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def update(path, text):
    begin, end = "<!-- compare.py: begin -->", "<!-- compare.py: end -->"
    with open(path) as f:
        old = f.read()
    if begin not in old or end not in old:
        sys.exit("compare.py: %s has no '%s' ... '%s' lines to replace" % (path, begin, end))
    head, rest = old.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(path, "w") as f:
        f.write(head + begin + "\n" + text + "\n" + end + tail)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--only", default="",
                    help="groups: train,decode,rnn,conv,attention,memory (default all)")
    ap.add_argument("--bench-dir", default=os.path.join(ROOT, "build", "bench"))
    ap.add_argument("--torch-dir", default=os.path.join(ROOT, "..", "shared", "bench"))
    ap.add_argument("--openblas-dir", default="")
    ap.add_argument("--jsonl", default="", help="append every process's RESULT to this file")
    ap.add_argument("--update", default="", help="write the table into this Markdown file")
    ap.add_argument("--from-jsonl", default="",
                    help="measure nothing: make the table from a --jsonl file of an earlier run")
    args = ap.parse_args()
    if args.rounds < 1 or args.threads < 1:
        sys.exit("compare.py: --rounds and --threads must be positive")
    groups = set(filter(None, args.only.split(",")))
    chosen = [w for w in workloads(args.threads) if not groups or w.group in groups]
    if not chosen:
        sys.exit("compare.py: --only %s names no workload group (train, decode, rnn, conv, "
                 "attention, memory)"
                 % args.only)

    if args.from_jsonl:
        with open(args.from_jsonl) as f:
            records = [json.loads(line) for line in f if line.strip()]
        measured = {rec["workload"] for rec in records}
        chosen = [w for w in chosen if w.name in measured]
        args.rounds = max(rec["round"] for rec in records)
    else:
        check_openblas(args)
        records = measure(args, chosen)
    rows, low, high = table(args, chosen, records)
    text = ("Measured %s at commit %s, %d threads each, %d alternating rounds, load average %.2f "
            "to %.2f (`bench/compare.py --rounds %d --threads %d%s`). Medians over rounds; the "
            "speed-up is the median of the rounds' ratios (each round's in brackets).\n\n%s" % (
                records[0]["date"], records[0]["commit"], args.threads, args.rounds, low, high,
                args.rounds, args.threads, " --only " + args.only if args.only else "", rows))
    print(text)
    if args.update:
        update(args.update, text)


if __name__ == "__main__":
    main()
