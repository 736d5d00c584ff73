// Edit distance and the error rates speech recognition reports: word error rate (WER) and
// character error rate (CER).
//
// The Levenshtein distance (Levenshtein 1966) between a hypothesis and a reference is the least
// number of substitutions, deletions and insertions that turn one into the other, found by the
// dynamic programme of Wagner & Fischer 1974 (their Algorithm X), row i of the table after row
// i - 1:
//
//   D[i][0] = i,  D[0][j] = j
//   D[i][j] = min( D[i-1][j-1] + (hyp[i] != ref[j]),    substitution (or a match, cost 0)
//                  D[i-1][j]   + 1,                     insertion: hyp[i] is extra
//                  D[i][j-1]   + 1 )                    deletion: ref[j] is missing
//   distance = D[n][m]         n, m: hypothesis and reference lengths; O(n m) time
//
// Each row needs only the row above it, so two rows of m + 1 numbers are all the memory used.
//
//   error rate = (substitutions + deletions + insertions) / reference length
//
// Over a corpus the errors and the reference lengths are each summed first and divided once
// (total errors / total reference length), as NIST's sclite, Kaldi's compute-wer and jiwer do:
// the mean of per-sentence rates would let a one-word sentence weigh as much as a long one.
// Insertions are unbounded, so a rate can exceed 100% ("one" heard as "one one one": 200%).
//
// Units: words are the runs of text between whitespace (space, tab, newline, CR, FF, VT), so
// "three  nine" and " three nine " are both two words. Characters are the UTF-8 code points of
// the whole string, spaces included, as jiwer's CER counts them (jiwer also strips the ends
// first; nothing is stripped here): a recogniser that spells its output character by character
// (Listen, Attend and Spell) must place every space itself, and a missing one is an error. No
// other normalisation (case, punctuation) happens here: the caller hands over transcripts
// already written the way they are to be compared.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace attn {

// The Levenshtein distance between two sequences of tokens (words, characters, ...).
int64_t edit_distance(const std::vector<std::string>& hypothesis,
                      const std::vector<std::string>& reference);

// Errors against a reference, summed over as many sentences as were added.
struct ErrorCount {
  int64_t errors = 0;            // substitutions + deletions + insertions
  int64_t reference_length = 0;  // words or characters of the references

  // errors / reference_length: 0 for an empty reference with no errors, infinity for an empty
  // reference that the hypothesis adds to (no finite rate describes "something from nothing").
  double rate() const;
  void add(const ErrorCount& other);
};

// The words of `text`: the runs of characters between whitespace.
std::vector<std::string> words_of(const std::string& text);

// Word errors of one sentence; WER = word_errors(...).rate().
ErrorCount word_errors(const std::string& hypothesis, const std::string& reference);

// Character errors of one sentence, over UTF-8 code points, spaces included; invalid UTF-8
// throws utf8_characters' "invalid UTF-8 at byte N". CER = character_errors(...).rate().
ErrorCount character_errors(const std::string& hypothesis, const std::string& reference);

// The sums over a corpus of sentence pairs; throws when the two lists differ in length.
ErrorCount corpus_word_errors(const std::vector<std::string>& hypotheses,
                              const std::vector<std::string>& references);
ErrorCount corpus_character_errors(const std::vector<std::string>& hypotheses,
                                   const std::vector<std::string>& references);

}  // namespace attn
