"""What the voice said when: piper's symbols and sample counts -> a :class:`Timeline`.

espeak's codepoints are merged into phonemes (length marks, diphthongs, affricates), stress marks
go to the following vowel, punctuation and sentence edges become pauses (``"_"``), and the time a
space took is split between the phonemes on either side. Phonemes are assigned to the words of
the input text (with character offsets) by aligning each word's own phonemisation with the
utterance's, so numbers ("42" -> "forty two") and espeak's joined function words ("in the")
land on the right word.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from synth.contracts import Phoneme, Syllable, Timeline, Word
from synth.tts.acoustics import energy_db, f0_contour, frame_count
from synth.tts.phonology import CLUSTERS, MODIFIERS, PAUSE, STRESS_MARKS, is_vowel, syllabify
from synth.tts.tokens import Token

#: A written word: letters/digits with inner apostrophes or hyphens.
WORD_PATTERN = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_EDGE = {"^", "$"}
#: Modifiers kept in a phoneme's symbol (length, syllabicity, rhoticity); others only add time.
KEPT_MODIFIERS = frozenset("ː\u0329˞")


def _kind(symbol: str) -> str:
    """space, edge (sentence start/end), stress, modifier, phone or punct."""
    if symbol == " ":
        return "space"
    if symbol in _EDGE:
        return "edge"
    if symbol in STRESS_MARKS:
        return "stress"
    if symbol in MODIFIERS:
        return "modifier"
    if symbol.isalpha():
        return "phone"
    return "punct"


@dataclass
class TokenMap:
    """Which piper symbols make each phoneme and follow each word (to steer durations)."""

    phoneme_tokens: list[list[int]] = field(default_factory=list)
    """For each timeline phoneme, the indices of the symbols it was built from."""
    word_gap_tokens: list[list[int]] = field(default_factory=list)
    """For each timeline word, the space or punctuation symbols right after it (maybe none)."""


@dataclass
class _Unit:
    symbol: str
    start: int  # samples
    end: int
    tokens: list[int]
    stress: int = 0
    group: int = -1  # index of the space-delimited phoneme word, -1 for pauses


def _merge_tokens(tokens: list[Token]) -> list[_Unit]:
    """Piper symbols -> phoneme units with sample spans (spaces split between neighbours)."""
    units: list[_Unit] = []
    pos = 0
    pending_stress = 0
    pending_tokens: list[int] = []
    pending_start: int | None = None
    group = 0
    space_half: int | None = None  # samples of a space still owed to the next unit
    for i, tok in enumerate(tokens):
        sym, start, end = tok.symbol, pos, pos + tok.samples
        pos = end
        kind = _kind(sym)
        if kind == "space":
            if units and units[-1].symbol != PAUSE:
                mid = (start + end) // 2
                units[-1].end = mid
                space_half = mid
            else:
                space_half = None
                if units:
                    units[-1].end = end
                    units[-1].tokens.append(i)
            group += 1
            continue
        if kind in ("edge", "punct"):
            # punctuation or sentence edge: a pause (consecutive ones merge)
            if units and units[-1].symbol == PAUSE:
                units[-1].end = end
                units[-1].tokens += pending_tokens + [i]
            else:
                begin = start if space_half is None else space_half
                if pending_start is not None:
                    begin = min(begin, pending_start)
                units.append(_Unit(PAUSE, begin, end, pending_tokens + [i]))
            space_half, pending_stress, pending_tokens, pending_start = None, 0, [], None
            group += 1
            continue
        if kind == "stress":
            pending_stress = STRESS_MARKS[sym]
            pending_tokens.append(i)
            pending_start = start if pending_start is None else pending_start
            continue
        if kind == "modifier" and units and units[-1].symbol != PAUSE:
            if sym in KEPT_MODIFIERS:
                units[-1].symbol += sym
            units[-1].end = end
            units[-1].tokens.append(i)
            continue
        prev = units[-1] if units else None
        if (prev is not None and prev.symbol != PAUSE and prev.group == group
                and prev.symbol + sym in CLUSTERS and not pending_tokens):
            prev.symbol += sym
            prev.end = end
            prev.tokens.append(i)
            continue
        begin = start
        if pending_start is not None:
            begin = pending_start
        if space_half is not None:
            begin = space_half
        units.append(_Unit(sym, begin, end, pending_tokens + [i], pending_stress, group))
        pending_stress, pending_tokens, pending_start, space_half = 0, [], None, None
    return units


def _plain(phonemes: str) -> str:
    return "".join(c for c in phonemes if c.isalpha() or c in MODIFIERS)


def _assign_words(text: str, units: list[_Unit],
                  phonemize: Callable[[str], str]) -> tuple[list[Word], list[int]]:
    """Words of ``text`` (with char offsets) and the word index of each unit (-1 for pauses)."""
    matches = list(WORD_PATTERN.finditer(text))
    speech = [k for k, u in enumerate(units) if u.symbol != PAUSE]
    owner = [-1] * len(units)
    if not matches or not speech:
        return [], owner
    # characters of each written word's own phonemisation, tagged with the word's index
    ref_chars: list[str] = []
    ref_owner: list[int] = []
    for w, m in enumerate(matches):
        chars = _plain(phonemize(m.group()))
        ref_chars += list(chars)
        ref_owner += [w] * len(chars)
    hyp_chars: list[str] = []
    hyp_unit: list[int] = []
    for k in speech:
        for c in _plain(units[k].symbol):
            hyp_chars.append(c)
            hyp_unit.append(k)
    char_word = [-1] * len(hyp_chars)
    matcher = difflib.SequenceMatcher(None, hyp_chars, ref_chars, autojunk=False)
    for block in matcher.get_matching_blocks():
        for d in range(block.size):
            char_word[block.a + d] = ref_owner[block.b + d]
    votes: dict[int, list[int]] = {}
    for c, k in enumerate(hyp_unit):
        if char_word[c] >= 0:
            votes.setdefault(k, []).append(char_word[c])
    for k, v in votes.items():
        owner[k] = max(set(v), key=v.count)
    # unmatched units: the previous unit's word inside one spoken word, else the next written word
    # the first matched word after each position (scanning the rest per unit is quadratic)
    next_matched = [-1] * (len(speech) + 1)
    for n in range(len(speech) - 1, -1, -1):
        w = owner[speech[n]]
        next_matched[n] = w if w >= 0 else next_matched[n + 1]
    prev_word, prev_group = -1, None
    for n, k in enumerate(speech):
        if owner[k] < 0:
            later = [next_matched[n + 1]] if next_matched[n + 1] >= 0 else []
            if prev_word >= 0 and units[k].group == prev_group:
                owner[k] = prev_word
            else:
                owner[k] = prev_word + 1
                if later and later[0] <= prev_word + 1:
                    owner[k] = max(prev_word, later[0]) if prev_word >= 0 else later[0]
            owner[k] = min(owner[k], len(matches) - 1)
        # words are monotone in time: a unit never belongs to an earlier word than the one before
        owner[k] = max(owner[k], prev_word)
        prev_word, prev_group = owner[k], units[k].group
    _give_vowels_to_bare_words(units, speech, owner)
    used = sorted({owner[k] for k in speech})
    renumber = {w: n for n, w in enumerate(used)}
    words = [Word(text=matches[w].group(), start=0.0, end=0.0, char_start=matches[w].start())
             for w in used]
    owner = [renumber[w] if w >= 0 else -1 for w in owner]
    return words, owner


def _give_vowels_to_bare_words(units: list[_Unit], speech: list[int], owner: list[int]) -> None:
    """A word left without a vowel (espeak joined it: "I am" -> "aɪɐm") takes the last vowel of
    the word before it when that word is in the same spoken group and keeps a vowel itself."""
    # owners never decrease along ``speech`` (_assign_words makes them monotone), so each word's
    # units are consecutive: keep them per word instead of scanning every unit per word
    by_word: dict[int, list[int]] = {}
    for k in speech:
        by_word.setdefault(owner[k], []).append(k)
    for n, k in enumerate(speech):
        if n == 0 or owner[k] == owner[speech[n - 1]]:
            continue  # not the first unit of a word
        word = owner[k]
        members = by_word[word]
        if any(is_vowel(units[q].symbol) for q in members):
            continue
        prev_word = owner[speech[n - 1]]
        previous = by_word[prev_word]
        vowels = [q for q in previous if is_vowel(units[q].symbol)]
        if len(vowels) < 2 or units[vowels[-1]].group != units[k].group:
            continue
        cut = previous.index(vowels[-1])
        for q in previous[cut:]:
            owner[q] = word
        by_word[word] = previous[cut:] + members
        by_word[prev_word] = previous[:cut]


def build_timeline(text: str, tokens: list[Token], audio: np.ndarray, sample_rate: int,
                   phonemize: Callable[[str], str], hop: float = 0.005,
                   f0: np.ndarray | None = None,
                   like: Timeline | None = None) -> tuple[Timeline, TokenMap]:
    """A full :class:`Timeline` of ``audio`` (what the voice said for ``text``) and its token map.

    ``tokens``: the voice's symbols with sample counts; ``phonemize``: text -> espeak IPA string
    (used to find words); ``f0``: (frames,) Hertz when already known (else measured);
    ``like``: a timeline of the same text and symbols (another timing) whose word assignment is
    reused (no phonemisation).
    """
    units = _merge_tokens(tokens)
    if like is not None and len(like.phonemes) == len(units):
        owner = [p.word for p in like.phonemes]
        words = [Word(w.text, 0.0, 0.0, w.char_start) for w in like.words]
    else:
        words, owner = _assign_words(text, units, phonemize)
    phonemes = [Phoneme(symbol=u.symbol, start=u.start / sample_rate, end=u.end / sample_rate,
                        stress=u.stress, word=owner[k]) for k, u in enumerate(units)]
    syllables = syllabify(phonemes)
    first: dict[int, Phoneme] = {}
    last: dict[int, Phoneme] = {}
    for p in phonemes:  # (one pass: a scan per word would be quadratic in long text)
        first.setdefault(p.word, p)
        last[p.word] = p
    for w, word in enumerate(words):
        word.start, word.end = first[w].start, last[w].end
    gaps: list[list[int]] = [[] for _ in words]
    last_unit = {owner[k]: k for k in range(len(units)) if owner[k] >= 0}
    for w, k in last_unit.items():
        last_token = units[k].tokens[-1]
        nxt = last_token + 1
        while nxt < len(tokens) and _kind(tokens[nxt].symbol) in ("space", "punct"):
            gaps[w].append(nxt)
            nxt += 1
    n_frames = frame_count(len(audio), sample_rate, hop)
    if f0 is None:
        f0 = f0_contour(audio, sample_rate, hop)
    f0 = np.asarray(f0, np.float32)[:n_frames]
    if len(f0) < n_frames:
        f0 = np.pad(f0, (0, n_frames - len(f0)))
    timeline = Timeline(duration=len(audio) / sample_rate, phonemes=phonemes,
                        syllables=syllables, words=words, hop=hop, f0=f0,
                        energy=energy_db(audio, sample_rate, hop, n_frames))
    return timeline, TokenMap([u.tokens for u in units], gaps)


def join_timelines(parts: list[Timeline], char_offsets: list[int]) -> Timeline:
    """One timeline of consecutive takes: ``parts[k]`` starts where ``parts[k-1]`` ends.

    ``char_offsets[k]``: where part ``k``'s text starts in the whole text (added to its words'
    ``char_start``). Times are shifted by the durations before; word and syllable indices by the
    counts before. The F0 and energy curves are resampled onto one frame grid of the joined
    duration (nearest frame of the part a frame's time falls in). All parts share one ``hop``.
    """
    if not parts:
        raise ValueError("join_timelines needs at least one timeline")
    hop = parts[0].hop
    phonemes: list[Phoneme] = []
    syllables: list[Syllable] = []
    words: list[Word] = []
    t0 = 0.0
    starts = []
    for part, offset in zip(parts, char_offsets):
        starts.append(t0)
        n_words, n_syllables = len(words), len(syllables)
        phonemes += [Phoneme(p.symbol, p.start + t0, p.end + t0, p.stress,
                             p.word + n_words if p.word >= 0 else -1,
                             p.syllable + n_syllables if p.syllable >= 0 else -1)
                     for p in part.phonemes]
        syllables += [Syllable(s.start + t0, s.end + t0, s.stress,
                               s.word + n_words if s.word >= 0 else -1, s.accent)
                      for s in part.syllables]
        words += [Word(w.text, w.start + t0, w.end + t0,
                       w.char_start + offset if w.char_start >= 0 else -1) for w in part.words]
        t0 += part.duration
    n_frames = int(round(t0 / hop)) + 1
    times = np.arange(n_frames) * hop
    owner = np.clip(np.searchsorted(np.asarray(starts), times, side="right") - 1, 0, len(parts) - 1)
    curves = {}
    for name in ("f0", "energy"):
        out = np.zeros(n_frames, np.float32)
        for k, part in enumerate(parts):
            curve = np.asarray(getattr(part, name), np.float32)
            mine = np.arange(np.searchsorted(owner, k, "left"), np.searchsorted(owner, k, "right"))
            if len(curve) and len(mine):
                local = np.clip(np.round((times[mine] - starts[k]) / hop).astype(int), 0,
                                len(curve) - 1)
                out[mine] = curve[local]
            elif len(mine) and name == "energy":
                out[mine] = -100.0
        curves[name] = out
    return Timeline(duration=t0, phonemes=phonemes, syllables=syllables, words=words, hop=hop,
                    f0=curves["f0"], energy=curves["energy"])
