"""The "auto" emotion: what a line of a script sounds like from its own words.

Emotion words in the line itself ("I'm so angry with you") are read with the lexicon (negation
and intensifiers included); the EmoBank text model (:mod:`controllers.text_vad`) reads the rest
("You ruined everything!"). When both speak, the lexicon weighs :data:`LEXICON_WEIGHT`.
"""

from __future__ import annotations

from controllers.phase import TEXT_MODEL_MIN_AROUSAL_Z, TEXT_MODEL_MIN_Z, read_phase
from controllers.target import EmotionTarget, mix

#: Weight of the line's own emotion words against the text model's reading (which weighs 1).
LEXICON_WEIGHT = 2.0


def infer_emotion(text: str) -> EmotionTarget:
    """The emotion a line's words suggest; neutral when they suggest none. No attributes: the
    line's words describe its content, not how to voice it."""
    from controllers.text_vad import predict_vad  # lazy: loads the weights on first use

    pred = predict_vad(text)
    zv, za, _ = pred.z
    if abs(zv) < TEXT_MODEL_MIN_Z and abs(za) < TEXT_MODEL_MIN_AROUSAL_Z:
        model = EmotionTarget.neutral()  # within the spread of plainly neutral sentences
    else:
        model = EmotionTarget.from_vad(*pred.vad)
    words = read_phase(text, use_text_model=False)
    if not words.emotional:
        return model
    lexical = EmotionTarget(words.target.valence, words.target.arousal, words.target.dominance,
                            words.target.category, words.target.intensity)
    return mix([lexical, model], [LEXICON_WEIGHT, 1.0])  # category: the lexicon's
