"""Synthesis: emotional speech (``synth.tts``), the talking head (``synth.face``), co-speech
gestures (``synth.gesture``) and the avatar they share (``synth.avatar``).

Imports ``controllers`` only; never ``studio``.
"""
