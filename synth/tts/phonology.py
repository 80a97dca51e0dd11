"""IPA phoneme inventory and syllabification shared by the voice path and the audio-only path.

Symbols are espeak-ng's IPA as piper voices use it (``"ɑː"``, ``"oʊ"``, ``"tʃ"``); ``"_"`` is a pause.
"""

from __future__ import annotations

from synth.contracts import Phoneme, Syllable

PAUSE = "_"

#: Base letters of vowels (a phoneme is a vowel when its first codepoint is one of these).
VOWEL_LETTERS = frozenset("aeiouyæɐɑɒɔəɚɛɜɝɞɘɤɨɪɯɵøœɶʉʊʌᵻ")
#: Two-symbol units espeak writes as separate codepoints but that are one phoneme.
CLUSTERS = frozenset({"aɪ", "aʊ", "eɪ", "oʊ", "ɔɪ", "əʊ", "eə", "ɪə", "ʊə", "tʃ", "dʒ"})
#: Codepoints that modify the symbol before them (length, palatalisation, rhoticity, diacritics).
MODIFIERS = frozenset("ːˑʲʷʰˤ˞\u0303\u0329\u032a\u032f\u0327\u031d\u030a\u033a\u033b")
#: espeak stress marks: primary and secondary.
STRESS_MARKS = {"ˈ": 1, "ˌ": 2}
#: Marks syllabic consonants (e.g. ``"n̩"``).
SYLLABIC = "\u0329"


def is_vowel(symbol: str) -> bool:
    """True for a syllable nucleus: a vowel or a syllabic consonant."""
    return bool(symbol) and (symbol[0] in VOWEL_LETTERS or SYLLABIC in symbol)


def syllabify(phonemes: list[Phoneme]) -> list[Syllable]:
    """Group each word's phonemes into syllables around vowel nuclei (sets ``phoneme.syllable``).

    Onsets are maximal but keep one consonant in the coda when two or more stand between
    nuclei. A nucleus carries the stress given to it (``phoneme.stress``); afterwards every
    phoneme of a syllable carries its syllable's stress. Pauses (``word == -1``) belong to none.
    """
    syllables: list[Syllable] = []
    i = 0
    n = len(phonemes)
    while i < n:
        if phonemes[i].word < 0:
            phonemes[i].syllable = -1
            i += 1
            continue
        j = i
        while j < n and phonemes[j].word == phonemes[i].word:
            j += 1
        word_phones = list(range(i, j))
        nuclei = [k for k in word_phones if is_vowel(phonemes[k].symbol)]
        if not nuclei:
            nuclei = [word_phones[len(word_phones) // 2]]
        # boundary before each nucleus after the first: consonants between go mostly to the onset
        bounds = [i]
        for prev, nxt in zip(nuclei, nuclei[1:]):
            between = nxt - prev - 1
            bounds.append(nxt - between + (1 if between >= 2 else 0))
        bounds.append(j)
        for s, (a, b) in enumerate(zip(bounds, bounds[1:])):
            index = len(syllables)
            stress = phonemes[nuclei[s]].stress
            for k in range(a, b):
                phonemes[k].syllable = index
                phonemes[k].stress = stress
            syllables.append(Syllable(start=phonemes[a].start, end=phonemes[b - 1].end,
                                      stress=stress, word=phonemes[i].word, accent=stress == 1))
        i = j
    return syllables
