#!/usr/bin/env bash
# The attn command end to end: train a micro model, translate with it, score it, draw its
# attention, measure its attention against gold alignments, resume it; and bad input gives one
# clear line on stderr and a non-zero status.
# Usage: test_attn.sh path/to/attn
set -euo pipefail
attn="$1"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# ---- help for every command ----
"$attn" --help | grep -q "usage: attn <command>" || fail "attn --help"
for command in train translate bleu attention align dates; do
  "$attn" "$command" --help | grep -q "usage: attn $command" || fail "attn $command --help"
done

# ---- a tiny parallel corpus, German, French and Korean included ----
for i in $(seq 1 20); do
  printf 'ein Hund läuft im Park\ta dog runs in the park\n'
  printf 'zwei Katzen schlafen auf dem Sofa\ttwo cats sleep on the sofa\n'
  printf 'un chat noir dort ici\ta black cat sleeps here\n'
  printf '고양이가 집에서 잔다\tthe cat sleeps at home\n'
done > "$dir/train.tsv"
head -4 "$dir/train.tsv" > "$dir/valid.tsv"
cut -f1 "$dir/valid.tsv" > "$dir/valid.src"
cut -f2 "$dir/valid.tsv" > "$dir/valid.ref"

# ---- train, translate, score, draw ----
"$attn" train --tsv "$dir/train.tsv" --valid-tsv "$dir/valid.tsv" --out "$dir/model" \
  --tokenizer word --d-model 16 --heads 2 --d-ff 32 --encoder-layers 1 --decoder-layers 1 \
  --steps 40 --batch-tokens 256 --warmup 10 --lr 2 --eval-interval 20 --threads 1 \
  2> "$dir/train.log" || { cat "$dir/train.log"; fail "attn train"; }
for file in config.json model.safetensors checkpoint.safetensors metrics.jsonl loss.svg; do
  [ -s "$dir/model/$file" ] || fail "attn train wrote no $file"
done
"$attn" translate --model "$dir/model" --beam 3 < "$dir/valid.src" > "$dir/valid.hyp"
[ "$(wc -l < "$dir/valid.hyp")" -eq 4 ] || fail "attn translate: one line out per line in"
"$attn" bleu --ref "$dir/valid.ref" --hyp "$dir/valid.hyp" | grep -q "^BLEU = " || fail "attn bleu"
"$attn" bleu --ref "$dir/valid.ref" < "$dir/valid.ref" | grep -q "^BLEU = 100.00 " ||
  fail "attn bleu of a file against itself is 100"
"$attn" bleu --exact --ref "$dir/valid.ref" < "$dir/valid.ref" | grep -q "^exact match = 100.00% (" ||
  fail "attn bleu --exact of a file against itself is 100%"
"$attn" attention --model "$dir/model" --src "ein Hund läuft" --out "$dir/map.svg" > /dev/null
head -c 4 "$dir/map.svg" | grep -q "<svg" || fail "attn attention wrote no SVG"
grep -q '"length_limit":{"source_tokens":' "$dir/model/config.json" ||
  fail "config.json lacks the length limit learned from the training pairs"
"$attn" translate --help | grep -q -- "--max-len N .*ratio in training" || fail "attn translate --help: the learned limit"

# ---- pairs too long for --max-length: a warning that names the option and the value needed ----
"$attn" train --tsv "$dir/train.tsv" --out "$dir/short" --preset micro --tokenizer word \
  --max-length 5 --steps 1 --threads 1 2> "$dir/short.log" || { cat "$dir/short.log"; fail "attn train --max-length 5"; }
grep -q "^warning: 40 of 80 training pairs (50.0%) have a side longer than --max-length 5 tokens and are skipped; raise it to --max-length 6 to keep them all$" "$dir/short.log" ||
  { cat "$dir/short.log"; fail "no warning for the pairs --max-length 5 skips"; }

# ---- any registered score, with its settings, through training and cached decoding ----
for score in alibi location_aware:filters=2,width=3; do
  "$attn" train --tsv "$dir/train.tsv" --valid-tsv "$dir/valid.tsv" --out "$dir/$score" \
    --tokenizer word --preset micro --score "$score" --steps 6 --batch-tokens 256 --warmup 2 \
    --threads 1 2> "$dir/score.log" || { cat "$dir/score.log"; fail "attn train --score $score"; }
  grep -q "\"score\":\"$score\"" "$dir/$score/config.json" || fail "config.json lacks the score $score"
  "$attn" translate --model "$dir/$score" --beam 2 < "$dir/valid.src" > "$dir/score.hyp"
  [ "$(wc -l < "$dir/score.hyp")" -eq 4 ] || fail "attn translate with --score $score"
done

# ---- attention as alignment: dates with gold links, a char model, attn align ----
"$attn" dates --count 200 --seed 3 --out "$dir/dates.tsv" > /dev/null
"$attn" dates --count 200 --seed 3 --out "$dir/dates_again.tsv" > /dev/null
[ "$(wc -l < "$dir/dates.tsv")" -eq 200 ] || fail "attn dates: one pair a line"
[ "$(awk -F'\t' 'NF != 3' "$dir/dates.tsv" | wc -l)" -eq 0 ] || fail "attn dates: three columns"
cmp -s "$dir/dates.tsv" "$dir/dates_again.tsv" || fail "attn dates: the same seed, another file"
"$attn" train --tsv "$dir/dates.tsv" --out "$dir/dates" --tokenizer char --preset micro --steps 5 \
  --batch-tokens 256 --warmup 2 --threads 1 2> "$dir/dates.log" || { cat "$dir/dates.log"; fail "attn train on dates"; }
head -20 "$dir/dates.tsv" > "$dir/dates_test.tsv"
"$attn" align --model "$dir/dates" --data "$dir/dates_test.tsv" --json "$dir/align.json" \
  --heatmap "$dir/align.svg" --line 3 --threads 1 > "$dir/align.txt" || fail "attn align"
grep -q "^exact match (greedy decoding): [0-9.]*% ([0-9]* of 20)$" "$dir/align.txt" || fail "attn align: exact match"
grep -Eq "^ +1 +mean +[0-9.]+ +[0-9.]+$" "$dir/align.txt" || fail "attn align: the head mean of layer 1"
[ "$(grep -Ec "^ +[01] +[01] +[0-9.]+ +[0-9.]+$" "$dir/align.txt")" -eq 4 ] || fail "attn align: 2 layers x 2 heads"
grep -q '"aligned_tokens":160' "$dir/align.json" || fail "attn align --json: 8 digits a date"
grep -q 'stroke="#d62728"' "$dir/align.svg" || fail "attn align --heatmap: gold links outlined"

# ---- resuming: a second run continues from the checkpoint ----
"$attn" train --tsv "$dir/train.tsv" --out "$dir/model" --steps 50 --threads 1 2> "$dir/resume.log"
grep -q "resuming at step 40" "$dir/resume.log" || fail "attn train did not resume"

# ---- errors: one line on stderr, non-zero status ----
expect_error() {  # expect_error "message fragment" command...
  local fragment="$1"
  shift
  if "$@" > /dev/null 2> "$dir/error"; then fail "no error from: $*"; fi
  [ "$(wc -l < "$dir/error")" -eq 1 ] || fail "more than one error line from: $*"
  grep -qF -- "$fragment" "$dir/error" || fail "error of '$*' lacks '$fragment': $(cat "$dir/error")"
}
printf 'a\nb\nc\n' > "$dir/three.txt"
printf 'a\nb\n' > "$dir/two.txt"
printf 'Go.\tVa !\nno tab here\n' > "$dir/bad.tsv"
expect_error "unknown option --bogus" "$attn" train --bogus 1
expect_error "has 3 lines but" "$attn" train --src "$dir/three.txt" --tgt "$dir/two.txt" --out "$dir/x"
expect_error "bad.tsv:2: expected source<TAB>target" "$attn" train --tsv "$dir/bad.tsv" --out "$dir/y"
expect_error "--steps expects a whole number" "$attn" train --tsv "$dir/train.tsv" --out "$dir/z" --steps many
expect_error "config.json" "$attn" translate --model "$dir/nowhere"
expect_error "unknown command" "$attn" dance
expect_error "--score alibi score: takes no settings" "$attn" train --tsv "$dir/train.tsv" --out "$dir/w" --score alibi:x=1
expect_error "--d-model must be in 1..16384, got 0" "$attn" train --tsv "$dir/train.tsv" --out "$dir/w" --d-model 0
expect_error "unknown architecture 'rnn9000'" "$attn" train --tsv "$dir/train.tsv" --out "$dir/w" --arch rnn9000

# ---- hostile values and files: one line naming the option or the file ----
expect_error "--beam must be in 1..1000, got 1000000000" "$attn" translate --model "$dir/model" --beam 1000000000
expect_error "--beam expects a whole number, got '1e9'" "$attn" translate --model "$dir/model" --beam 1e9
expect_error "--max-len must be in 0..65536, got -1" "$attn" translate --model "$dir/model" --max-len -1
expect_error "--threads must be in 0..1024, got -4" "$attn" train --tsv "$dir/train.tsv" --out "$dir/w" --threads -4
expect_error "--d-model must be in 1..16384, got -8" "$attn" train --tsv "$dir/train.tsv" --out "$dir/w" --d-model -8
expect_error "--lr must be in 0..1000000, got -1" "$attn" train --tsv "$dir/train.tsv" --out "$dir/w" --lr -1
expect_error "--max-length must be in 1..65536, got 9223372036854775807" "$attn" train --tsv "$dir/train.tsv" --out "$dir/w" --max-length 9223372036854775807
expect_error "$dir is a directory, not a file" "$attn" train --tsv "$dir" --out "$dir/w"
expect_error "--out $dir/train.tsv is a file, not a directory" "$attn" train --tsv "$dir/train.tsv" --out "$dir/train.tsv"
expect_error "--lr 3 would change the run" "$attn" train --tsv "$dir/train.tsv" --out "$dir/model" --steps 60 --lr 3
cp -r "$dir/model" "$dir/nan"
python3 - "$dir/nan/model.safetensors" <<'PY' 2>/dev/null || printf 'skip\n' > "$dir/nan.skip"
import json, struct, sys
path = sys.argv[1]
data = bytearray(open(path, 'rb').read())
n = struct.unpack('<Q', data[:8])[0]
header = json.loads(data[8:8 + n])
name = min((k for k in header if k != '__metadata__'), key=lambda k: header[k]['data_offsets'][0])
fmt = {'F32': '<f', 'F64': '<d'}[header[name]['dtype']]  # float64 builds save F64
data[8 + n:8 + n + struct.calcsize(fmt)] = struct.pack(fmt, float('nan'))  # the first stored value
open(path, 'wb').write(data)
PY
if [ ! -e "$dir/nan.skip" ]; then
  expect_error "holds a value that is not finite" "$attn" translate --model "$dir/nan" < "$dir/valid.src"
fi
printf 'ein Hund\n\xff\xfe\n' > "$dir/bad_utf8.txt"
expect_error "standard input, line 2: invalid UTF-8 at byte 0" sh -c "\"$attn\" translate --model \"$dir/model\" < \"$dir/bad_utf8.txt\""
expect_error "has 3 lines, $dir/valid.ref has 4: one hypothesis per reference" "$attn" bleu --ref "$dir/valid.ref" --hyp "$dir/three.txt"
expect_error "--layer must be in 0..0 for this model, got 3" "$attn" attention --model "$dir/model" --src "ein Hund" --out "$dir/x.svg" --layer 3
expect_error "--head must be in 0..1 for this model, got 5" "$attn" attention --model "$dir/model" --src "ein Hund" --out "$dir/x.svg" --head 5
expect_error "--src is not valid UTF-8" "$attn" attention --model "$dir/model" --src "$(printf '\xff')" --out "$dir/x.svg"
expect_error "$dir/empty.tsv holds no sentence pair to train on" sh -c ": > \"$dir/empty.tsv\"; \"$attn\" train --tsv \"$dir/empty.tsv\" --out \"$dir/e\""
printf '21/11/26\t2026-11-21\t6-0 8-1\n' > "$dir/bad_links.tsv"
expect_error "bad_links.tsv:1: link 8-1 points past the source's 8 characters" "$attn" align --model "$dir/dates" --data "$dir/bad_links.tsv"
expect_error "the model's source tokenizer is word (a char model is needed)" "$attn" align --model "$dir/model" --data "$dir/dates_test.tsv"
expect_error "--line must be in 1..20 for $dir/dates_test.tsv, got 21" "$attn" align --model "$dir/dates" --data "$dir/dates_test.tsv" --heatmap "$dir/x.svg" --line 21
expect_error "--layer must be in 0..1 for this model, got 2" "$attn" align --model "$dir/dates" --data "$dir/dates_test.tsv" --heatmap "$dir/x.svg" --layer 2
expect_error "--count must be in 1..1000000, got 0" "$attn" dates --count 0 --out "$dir/x.tsv"

# ---- two trainers on one directory: the second is refused; a killed one leaves no lock ----
"$attn" train --tsv "$dir/train.tsv" --out "$dir/busy" --preset micro --tokenizer word \
  --steps 100000 --batch-tokens 64 --eval-interval 50 --threads 1 2> /dev/null &
first=$!
for _ in $(seq 1 100); do [ -s "$dir/busy/train.lock" ] && break; sleep 0.1; done
expect_error "is in use by another training run (pid $first)" "$attn" train --tsv "$dir/train.tsv" --out "$dir/busy" --steps 1
kill -9 "$first"
wait "$first" 2> /dev/null || true
"$attn" train --tsv "$dir/train.tsv" --out "$dir/busy" --steps 1 --threads 1 2> "$dir/after_kill.log" ||
  { cat "$dir/after_kill.log"; fail "a killed trainer's lock blocked the next run"; }
echo "attn command: 1 passed, 0 failed"
