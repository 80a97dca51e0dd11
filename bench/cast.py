"""Benchmark of the cast's voices: are the characters different people, each one person in every
emotion, of the stated sex, and do they still carry the emotion?

    .venv/bin/python bench/cast.py [--sentences 10] [--cast joe,mara,...] [--seed 0]
                                   [--seeds 1] [--no-yardstick] [--no-words] [--json OUT.json]

Every character speaks the report sentences (the last 10 of ../shared/eval/sentences.txt,
``--sentences N`` for the first N of them) in the 7 yardstick targets (neutral, happiness,
sadness, anger, fear, disgust, calm at intensity 1), with the diffusion prosody, once per seed
(``--seeds N``: seeds ``seed`` .. ``seed + N - 1``, every measure pooled over them). Measured:

* **time** of each character's takes against bare piper (``PiperVoice.synthesize``) on the same
  text, back to back in the same run (ratio);
* **distinctness**, by an outside speaker-verification model (``resemblyzer``'s GE2E encoder,
  weights in the package, trained on none of this): for every pair of characters the mean cosine
  similarity of their embeddings of the same sentence (neutral takes), beside the same measure
  for real different actors saying the same sentences: RAVDESS's 12 actors (neutral clips of its
  two statements; same-sex pairs) and the CMU ARCTIC / cathy speakers reading the same prompts.
  Bar: no pair of characters more alike than the most alike real same-sex pair;
* **self-similarity across emotions**: per character the mean cosine similarity of each
  emotional take to the neutral take of the same sentence, beside RAVDESS actors' (each
  emotional clip against the neutral clips of the same statement; happy, sad, angry, fearful,
  disgust, calm at both intensities). Bar: at least the median actor's;
* **sex**: a logistic regression on resemblyzer embeddings of the real speakers (RAVDESS and
  ../shared/data/voices) classifies every take; the share of each character's takes heard as
  its stated sex (bar: more than half);
* **emotion**: the independent yardsticks' recognition, the EmoDB (German) listener and the
  RAVDESS (English) one (``bench.yardstick`` through ``bench.tts.yardstick_recognition``, each
  character's takes normalised over themselves), beside joe's. Bar: no character more than 5
  points below joe. One seed's 70 takes (10 sentences x 7 targets) leave a recognition rate
  with a standard error of about 6 points per voice (joe's own English recognition was 40, 30,
  31 and 34 % with seeds 0 to 3), so the bar is read on four seeds (``--seeds 4``: 280 takes
  per character);
* **words**: pocketsphinx's word error rate (en-us, as the critic's word check and
  ``bench/tts.py``) of each character's takes of the first seed, per target, beside bare piper
  (joe's voice; ``bench.tts.BARE_READINGS`` seeded readings of each sentence, pooled) and the character's own reading without prosody (``--prosody none`` in its
  voice) on the same sentences. Bar (issue 27): at most 1.3x bare piper's. ``--no-words`` skips
  it.

RAVDESS (CC BY-NC-SA) is read for this benchmark only.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import sys
import time
from itertools import combinations
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.tts import (EMOTIONS, EVAL_SENTENCES, EVAL_SPLIT, SHARED,  # noqa: E402
                       read_sentences, yardstick_recognition)

#: RAVDESS emotions compared with each actor's neutral clips (its "surprised" has no target).
RAVDESS_EMOTIONS = ("happy", "sad", "angry", "fearful", "disgust", "calm")
#: ARCTIC prompts each real ARCTIC speaker contributes to the same-sentence comparison.
ARCTIC_PROMPTS = 20
#: Clips per real speaker of data/voices that train the sex classifier.
SEX_CLIPS = 30


@contextlib.contextmanager
def quiet():
    """Silence a library's prints (resemblyzer announces itself on stdout)."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


class Embedder:
    """resemblyzer's speaker embedding of a clip: (256,) unit vector."""

    def __init__(self) -> None:
        import warnings

        with warnings.catch_warnings(), quiet():
            warnings.simplefilter("ignore")
            from resemblyzer import VoiceEncoder, preprocess_wav

            self.encoder = VoiceEncoder("cpu", verbose=False)
        self.preprocess = preprocess_wav

    def __call__(self, audio: np.ndarray, sample_rate: int) -> np.ndarray:
        wav = self.preprocess(np.asarray(audio, np.float32), sample_rate)
        return self.encoder.embed_utterance(wav)

    def file(self, path: Path) -> np.ndarray:
        import soundfile as sf

        audio, rate = sf.read(path, dtype="float32")
        return self(audio if audio.ndim == 1 else audio.mean(axis=1), rate)


def cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


# -- real speakers -----------------------------------------------------------------------------
def ravdess(embed: Embedder) -> list[dict]:
    """Every RAVDESS clip: actor, sex, emotion, statement, embedding."""
    root = SHARED / "data" / "ravdess"
    rows = list(csv.DictReader((root / "labels.csv").open()))
    return [dict(actor=r["actor"], sex="male" if r["sex"] == "m" else "female",
                 emotion=r["emotion"], statement=r["statement"],
                 embedding=embed.file(root / r["file"])) for r in rows
            if r["emotion"] in ("neutral", *RAVDESS_EMOTIONS)]


def voices(embed: Embedder) -> list[dict]:
    """Clips of ../shared/data/voices: speaker, sex, prompt id, embedding (the first
    :data:`SEX_CLIPS` of each speaker)."""
    root = SHARED / "data" / "voices"
    rows = list(csv.DictReader((root / "labels.csv").open()))
    out, count = [], {}
    for r in rows:
        if count.get(r["speaker"], 0) >= SEX_CLIPS:
            continue
        count[r["speaker"]] = count.get(r["speaker"], 0) + 1
        out.append(dict(speaker=r["speaker"], sex="male" if r["sex"] == "m" else "female",
                        prompt=Path(r["file"]).stem, embedding=embed.file(root / r["file"])))
    return out


def same_sentence_pairs(items: dict[str, dict[str, list[np.ndarray]]],
                        sexes: dict[str, str]) -> dict[tuple[str, str], float]:
    """Mean cosine similarity of every same-sex pair of speakers over the embeddings of the
    sentences both said (``items[speaker][sentence]``: embeddings of that sentence)."""
    out = {}
    for a, b in combinations(sorted(items), 2):
        if sexes[a] != sexes[b]:
            continue
        shared = set(items[a]) & set(items[b])
        sims = [cos(x, y) for s in shared for x in items[a][s] for y in items[b][s]]
        if sims:
            out[(a, b)] = float(np.mean(sims))
    return out


def real_pairs(rav: list[dict], vox: list[dict]) -> dict[tuple[str, str], float]:
    """Same-sex pairs of real speakers saying the same sentences: RAVDESS actors (neutral
    clips) and the ARCTIC-prompt speakers (bdl, slt, cathy; first prompts)."""
    items: dict[str, dict[str, list]] = {}
    sexes = {}
    for r in rav:
        if r["emotion"] == "neutral":
            name = f"ravdess{r['actor']}"
            items.setdefault(name, {}).setdefault(r["statement"], []).append(r["embedding"])
            sexes[name] = r["sex"]
    for r in vox:
        if r["prompt"].startswith("arctic_") and int(r["prompt"][-4:]) <= ARCTIC_PROMPTS:
            items.setdefault(r["speaker"], {}).setdefault(r["prompt"], []).append(r["embedding"])
            sexes[r["speaker"]] = r["sex"]
    return same_sentence_pairs(items, sexes)


def actor_self_similarity(rav: list[dict]) -> dict[str, float]:
    """Per RAVDESS actor: mean cosine of each emotional clip to the neutral clips of the same
    statement."""
    out = {}
    for actor in sorted({r["actor"] for r in rav}):
        mine = [r for r in rav if r["actor"] == actor]
        sims = [cos(e["embedding"], n["embedding"]) for e in mine if e["emotion"] != "neutral"
                for n in mine if n["emotion"] == "neutral" and n["statement"] == e["statement"]]
        out[actor] = float(np.mean(sims))
    return out


def sex_classifier(rav: list[dict], vox: list[dict]):
    """Logistic regression (embedding -> P(female)) on every real clip; with its
    leave-one-speaker-out accuracy."""
    from sklearn.linear_model import LogisticRegression

    x = np.stack([r["embedding"] for r in rav + vox])
    y = np.asarray([r["sex"] == "female" for r in rav + vox])
    who = np.asarray([f"r{r['actor']}" for r in rav] + [r["speaker"] for r in vox])
    hits = []
    for s in np.unique(who):
        test = who == s
        model = LogisticRegression(C=1.0, max_iter=2000).fit(x[~test], y[~test])
        hits.append(float(np.mean(model.predict(x[test]) == y[test])))
    return LogisticRegression(C=1.0, max_iter=2000).fit(x, y), float(np.mean(hits))


# -- the cast ----------------------------------------------------------------------------------
def render_cast(tts, bare, characters, sentences: list[str], seeds: list[int], embed: Embedder,
                yardstick: bool, words: bool = False) -> dict[str, list[dict]]:
    """Per character: one record per (seed, sentence, emotion) with timings, embedding,
    eGeMAPS; ``sentence`` is the pair (seed, sentence index). ``words``: the first seed's
    takes also get ``text``, ``transcript`` (pocketsphinx), ``bare_transcripts`` (bare piper's
    seeded readings, :func:`bench.tts.bare_transcripts`) and ``own_transcript`` (the
    character's reading without prosody)."""
    from controllers.target import EmotionTarget
    from studio.critic.intelligibility import transcribe

    from bench.tts import bare_transcripts

    bare_heard: dict[int, list[str]] = {}
    out: dict[str, list[dict]] = {}
    for character in characters:
        records = []
        own_heard: dict[int, str] = {}
        for seed, (i, text) in ((s, t) for s in seeds for t in enumerate(sentences)):
            heard = words and seed == seeds[0]
            if heard and i not in own_heard:
                own = tts.neutral(text, seed=seed + i, character=character)
                own_heard[i] = transcribe(own.audio, own.sample_rate)
            for emotion in EMOTIONS:
                target = EmotionTarget.from_category(emotion, 1.0 if emotion != "neutral" else 0.0)
                started = time.perf_counter()
                list(bare.synthesize(text))  # timed only
                t_bare = time.perf_counter() - started
                if heard and i not in bare_heard:
                    bare_heard[i] = bare_transcripts(tts.voice, text)
                started = time.perf_counter()
                speech = tts.speak(target, seed=seed + i, text=text, character=character)
                t_emo = time.perf_counter() - started
                record = dict(sentence=(seed, i), emotion=emotion, t_bare=t_bare, t_emo=t_emo,
                              embedding=embed(speech.audio, speech.sample_rate))
                if yardstick:
                    from bench.yardstick import egemaps

                    record["features"] = egemaps(speech.audio, speech.sample_rate)
                if heard:
                    record.update(text=text, bare_transcripts=bare_heard[i],
                                  own_transcript=own_heard[i],
                                  transcript=transcribe(speech.audio, speech.sample_rate))
                records.append(record)
        out[character.name] = records
        print(f"  {character.name}: {len(records)} takes", file=sys.stderr, flush=True)
    return out


def english_cell(english: dict, character: str) -> str:
    """The English (RAVDESS) yardstick's recognition of ``character`` beside joe's, same bar."""
    rec, joe = english.get(character), english.get("joe")
    if rec is None:
        return "-"
    ok = joe is None or rec["overall"] >= joe["overall"] - 0.05
    return (f"{100 * rec['overall']:.0f}% ({100 * joe['overall']:.0f}%) "
            f"{'PASS' if ok else 'FAIL'}" if joe else f"{100 * rec['overall']:.0f}%")


def print_words(takes: dict[str, list[dict]]) -> dict[str, dict]:
    """Per character, the word error rates of its transcribed takes per target, of its reading
    without prosody and of bare piper's (a markdown table; :data:`bench.tts.WER_LIMIT` x bare
    piper's is the bar). Returns them by character."""
    from bench.tts import WER_LIMIT, word_error_rates

    print(f"\n## words (pocketsphinx word error rate, first seed; bar: at most {WER_LIMIT}x bare "
          "piper's on the same sentences)\n")
    print("| character | bare piper | own, no prosody | " + " | ".join(EMOTIONS)
          + " |\n|---|---|---|" + "---|" * len(EMOTIONS))
    out = {}
    for c, rs in takes.items():
        heard = [r for r in rs if r.get("transcript") is not None]
        if not heard:
            continue
        rates = word_error_rates(heard)
        own = word_error_rates([dict(r, transcript=r["own_transcript"]) for r in heard
                                if r["emotion"] == "neutral"])["neutral"]["wer"]
        bare = rates["neutral"]["bare_wer"]

        def cell(v: dict) -> str:
            over = v["wer"] > WER_LIMIT * v["bare_wer"] + 1e-9
            return f"{100 * v['wer']:.0f}" + (" FAIL" if over else "")

        print(f"| {c} | {100 * bare:.0f} | {100 * own:.0f} | "
              + " | ".join(cell(rates[e]) for e in EMOTIONS) + " |")
        out[c] = {"bare_piper": bare, "own_no_prosody": own,
                  "per_target": {e: rates[e]["wer"] for e in EMOTIONS}}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=10,
                        help="the first N report sentences (default all 10)")
    parser.add_argument("--cast", default="", help="comma-separated characters (default all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seeds", type=int, default=1,
                        help="takes per sentence and target: seeds SEED .. SEED+N-1 (default 1)")
    parser.add_argument("--no-yardstick", action="store_true",
                        help="skip the EmoDB and RAVDESS yardsticks (no openSMILE)")
    parser.add_argument("--no-words", action="store_true",
                        help="skip the word error rates (pocketsphinx)")
    parser.add_argument("--json", type=Path, help="also write the summary as JSON here")
    args = parser.parse_args(argv)
    for path in (EVAL_SENTENCES, SHARED / "data" / "ravdess" / "labels.csv",
                 SHARED / "data" / "voices" / "labels.csv"):
        if not path.is_file():
            print(f"{path} is absent (set EMOSTUDIO_SHARED)", file=sys.stderr)
            return 2
    name, a, b = next(s for s in EVAL_SPLIT if s[0] == "report")
    sentences = read_sentences(EVAL_SENTENCES)[a:b][:args.sentences]

    from piper import PiperVoice

    from controllers.cast import builtin_cast, load_character
    from synth.tts import EmotionalTTS
    from synth.tts.voice import default_voice_paths

    cast = ([load_character(n.strip()) for n in args.cast.split(",") if n.strip()]
            or list(builtin_cast()))
    if "joe" not in [c.name for c in cast]:
        cast.insert(0, load_character("joe"))  # the yardstick's reference
    if args.seeds < 1:
        print("--seeds must be at least 1", file=sys.stderr)
        return 2
    seeds = list(range(args.seed, args.seed + args.seeds))
    print(f"# cast benchmark: {len(cast)} characters x {len(sentences)} {name} sentences x "
          f"{len(EMOTIONS)} targets x {len(seeds)} seed(s) {seeds[0]}..{seeds[-1]}, "
          f"{os.cpu_count()} CPU cores\n")
    embed = Embedder()
    rav, vox = ravdess(embed), voices(embed)
    pairs = real_pairs(rav, vox)
    actors = actor_self_similarity(rav)
    classifier, sex_accuracy = sex_classifier(rav, vox)
    bare = PiperVoice.load(*default_voice_paths())
    tts = EmotionalTTS.load("diffusion")
    tts.speak(None, seed=0, text=sentences[0])  # warm-up
    takes = render_cast(tts, bare, cast, sentences, seeds, embed, not args.no_yardstick,
                        words=not args.no_words)

    sticks = {}
    if not args.no_yardstick:
        from bench.yardstick import Yardstick

        sticks = {corpus: Yardstick.train(SHARED, corpus=corpus)
                  for corpus in ("emodb", "ravdess")}
    summary: dict = {"sentences": len(sentences), "seeds": seeds, "characters": {}}
    neutral = {c: {r["sentence"]: r["embedding"] for r in rs if r["emotion"] == "neutral"}
               for c, rs in takes.items()}
    sex_of = {c.name: c.sex for c in cast}

    # distinctness
    real_max = max(pairs.values())
    real_best = max(pairs, key=pairs.get)
    cast_pairs = {(a, b): float(np.mean([cos(neutral[a][s], neutral[b][s]) for s in neutral[a]]))
                  for a, b in combinations(takes, 2)}
    print("## distinctness (resemblyzer cosine, same sentence, neutral takes)\n")
    print(f"real same-sex pairs ({len(pairs)}): max {real_max:.3f} ({'-'.join(real_best)}), "
          f"median {np.median(list(pairs.values())):.3f}; RAVDESS only max "
          f"{max(v for k, v in pairs.items() if k[0].startswith('ravdess')):.3f}")
    print("\n| pair | same sex | cosine | at most the real max |\n|---|---|---|---|")
    for (a, b), v in sorted(cast_pairs.items(), key=lambda kv: -kv[1]):
        print(f"| {a}-{b} | {'yes' if sex_of[a] == sex_of[b] else 'no'} | {v:.3f} | "
              f"{'PASS' if v <= real_max else 'FAIL'} |")
    summary["pairs"] = {f"{a}-{b}": v for (a, b), v in cast_pairs.items()}
    summary["real_pairs_max"] = real_max

    # per character
    actor_median = float(np.median(list(actors.values())))
    print(f"\n## per character\n\nRAVDESS actors' self-similarity across emotions: median "
          f"{actor_median:.3f}, range {min(actors.values()):.3f}-{max(actors.values()):.3f}; "
          f"sex classifier leave-one-speaker-out accuracy {100 * sex_accuracy:.0f}% on real "
          "speakers\n")
    by_corpus: dict[str, dict] = {corpus: {} for corpus in sticks}
    for corpus, stick in sticks.items():
        for c, rs in takes.items():
            with quiet():
                by_corpus[corpus][c] = yardstick_recognition(
                    stick, [dict(features=r["features"], emotion=r["emotion"]) for r in rs])
    recognition = by_corpus.get("emodb", {})
    english = by_corpus.get("ravdess", {})
    joe_rec = recognition.get("joe", {}).get("overall")
    print("| character | sex | time x piper | self-sim (bar) | heard as its sex | EmoDB yardstick "
          "(joe) | lowest emotion | RAVDESS yardstick (joe) |\n|---|---|---|---|---|---|---|---|")
    for c, rs in takes.items():
        ratio = sum(r["t_emo"] for r in rs) / sum(r["t_bare"] for r in rs)
        selfsim = float(np.mean([cos(r["embedding"], neutral[c][r["sentence"]]) for r in rs
                                 if r["emotion"] != "neutral"]))
        p_female = classifier.predict_proba(np.stack([r["embedding"] for r in rs]))[:, 1]
        agree = float(np.mean((p_female > 0.5) == (sex_of[c] == "female")))
        rec = recognition.get(c)
        rec_cell = "-"
        if rec is not None:
            ok = joe_rec is None or rec["overall"] >= joe_rec - 0.05
            rec_cell = (f"{100 * rec['overall']:.0f}% ({100 * joe_rec:.0f}%) "
                        f"{'PASS' if ok else 'FAIL'}")
        lowest = (min(rec["per_emotion"], key=rec["per_emotion"].get) if rec else None)
        print(f"| {c} | {sex_of[c]} | {ratio:.2f}x | {selfsim:.3f} "
              f"{'PASS' if selfsim >= actor_median else 'FAIL'} | {100 * agree:.0f}% "
              f"{'PASS' if agree > 0.5 else 'FAIL'} | {rec_cell} | "
              + (f"{lowest} {100 * rec['per_emotion'][lowest]:.0f}%" if rec else "-")
              + f" | {english_cell(english, c)} |")
        summary["characters"][c] = {"time_ratio": ratio, "self_similarity": selfsim,
                                    "sex_agreement": agree,
                                    "yardstick": rec and rec["overall"],
                                    "yardstick_english": (english.get(c) or {}).get("overall"),
                                    "yardstick_per_emotion": rec and rec["per_emotion"],
                                    "yardstick_english_per_emotion":
                                        (english.get(c) or {}).get("per_emotion")}
    if recognition and english:
        print("\n## recognition per target (EmoDB / RAVDESS yardstick, % of the takes)\n")
        print("| character | " + " | ".join(EMOTIONS) + " |\n|---|"
              + "---|" * len(EMOTIONS))
        for c in takes:
            print(f"| {c} | " + " | ".join(
                f"{100 * recognition[c]['per_emotion'][e]:.0f} / "
                f"{100 * english[c]['per_emotion'][e]:.0f}" for e in EMOTIONS) + " |")
    if not args.no_words:
        summary["words"] = print_words(takes)
    summary["actor_self_similarity"] = actors
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
