// Example 10: attention over sound. A recogniser listens to connected "spoken digits" and
// spells what it hears, one character at a time, and shows where it listened for each one.
//
// What it teaches: Chan et al. 2016, "Listen, Attend and Spell" (models/las/las.h). The memory
// is audio now: 40 log-mel features every 10 ms (train/audio/log_mel.h), which a pyramid of
// bidirectional LSTMs (models/las/listener.h) shortens 8-fold, one step per 80 ms. The speller
// is the recurrent attention decoder of machine translation, unchanged, with location-aware
// attention (Chorowski et al. 2015): its score also sees where the last character looked, so
// attention learns to walk forward through the utterance. The picture this example writes shows
// that walk: characters down the side, time along the bottom over the spectrogram, a staircase.
//
// The sounds are synthetic (train/data/synthetic_speech.h): each digit word a fixed pattern of
// tones and glides, each of four "speakers" a voice (pitch and tempo), each take varied, all made
// in memory from a seed. Utterances of 1 to 3 digits of one speaker, with pauses and noise
// (train/data/spoken_digits.h), are composed afresh every epoch. Speaker s3 is never heard in
// training; the last line measures it separately. `attn speech train --recordings DIR` trains
// the same model on real recordings (docs/speech.md).
//
// Run: build/examples/10_speech_recognition [--steps N] [--seed N] [--out FILE.svg]
// It trains 1,200 steps of 16 utterances (a few minutes on one core), printing the validation
// word error rate as it goes, then a few transcripts, writes the alignment picture
// (speech.svg), and ends "speech recognition, synthetic tones: WER x% on 200 utterances
// (held-out voice: y%)".
#include <cstdio>
#include <iostream>
#include <string>

#include "models/las/las.h"
#include "tensor/thread_pool.h"
#include "train/io/atomic_file.h"
#include "train/optim/adam.h"
#include "train/optim/schedule.h"
#include "train/report/speech_alignment_svg.h"
#include "train/speech_trainer.h"
#include "train/step.h"

using namespace attn;

namespace {

struct ExampleOptions {
  int64_t steps = 1200;
  uint64_t seed = 1;
  std::string out = "speech.svg";
};

ExampleOptions parse(int argc, char** argv) {
  ExampleOptions options;
  if (argc % 2 == 0) throw std::runtime_error("every option needs a value");
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string name = argv[i], value = argv[i + 1];
    if (name == "--steps") options.steps = std::stoll(value);
    else if (name == "--seed") options.seed = std::stoull(value);
    else if (name == "--out") options.out = value;
    else throw std::runtime_error("unknown option " + name + " (--steps, --seed, --out)");
  }
  return options;
}

double percent(const ErrorCount& errors) { return 100 * errors.rate(); }

}  // namespace

int main(int argc, char** argv) {
  try {
    const ExampleOptions options = parse(argc, argv);
    set_num_threads(1);
    SpeechData data;  // 4 synthetic voices x 10 digits x 20 takes, voice s3 held out
    data.kind = "synthetic";
    data.held_out_speaker = "s3";
    const RecordingSplit split = data.split();
    UtteranceOptions short_utterances;
    short_utterances.max_digits = 3;
    const UtteranceSource train(data.shared(), split.train, short_utterances, options.seed),
        valid(data.shared(), split.valid, short_utterances, options.seed + 1),
        unheard_voice(data.shared(), split.unseen_test, short_utterances, options.seed + 2);
    const Vocabulary vocabulary = speech_vocabulary();
    const LogMel log_mel(data.sample_rate());

    LasConfig config;  // Listen, Attend and Spell at toy size
    config.apply_preset("tiny");
    config.target_vocab = vocabulary.size();
    config.seed = options.seed;
    ListenAttendSpell model(config);
    std::printf("%lld parameters; the speller attends over one listener step per %lld ms\n",
                static_cast<long long>(model.parameter_count()),
                static_cast<long long>(10 << config.pyramid));

    const UtteranceBatches batches(train, log_mel, vocabulary, 1600, 16, false);
    Adam adam(model.named_parameters());
    const StepDecaySchedule schedule(2e-3f, 400, 0.5f);  // halved at steps 400 and 800
    const StepOptions step_options{0, 5, false, false};  // no smoothing, clip at 5
    Generator order(options.seed);
    int64_t step = 0;
    for (int64_t epoch = 1; step < options.steps; ++epoch) {
      for (const auto& indices : batches.epoch(order)) {
        if (step == options.steps) break;
        train_step(model, batches.batch(indices), adam, schedule, ++step, step_options);
      }
      std::printf("epoch %3lld  step %5lld  validation WER %5.1f%%\n", static_cast<long long>(epoch),
                  static_cast<long long>(step),
                  percent(score_transcripts(model, vocabulary, valid, log_mel, 64).words));
    }

    std::printf("\n");
    for (uint64_t i = 0; i < 4; ++i) {
      const Utterance utterance = valid.utterance(i);
      const Transcript heard = transcribe(model, vocabulary, {utterance.audio}, log_mel)[0];
      std::printf("heard: %-24s  said: %s\n", heard.text().c_str(), utterance.transcript.c_str());
    }
    const Utterance utterance = valid.utterance(0);
    const Transcript heard = transcribe(model, vocabulary, {utterance.audio}, log_mel)[0];
    write_file_atomically(options.out,
                          speech_alignment_svg(speech_alignment(model, heard, utterance.audio, log_mel),
                                               "heard: " + heard.text()));
    std::printf("wrote %s: where the speller listened for each character\n", options.out.c_str());

    const SpeechScores seen = score_transcripts(model, vocabulary, valid, log_mel, 200);
    const SpeechScores unseen = score_transcripts(model, vocabulary, unheard_voice, log_mel, 200);
    std::printf("attention on each letter's word %.2f (uniform attention: %.2f)\n", seen.on_word,
                seen.uniform);
    std::printf("speech recognition, synthetic tones: WER %.1f%% on 200 utterances (held-out voice: %.1f%%)\n",
                percent(seen.words), percent(unseen.words));
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "10_speech_recognition: " << error.what() << "\n";
    return 1;
  }
}
