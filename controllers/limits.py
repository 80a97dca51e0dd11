"""How much text the studio accepts in one go (longer input is refused with an InputError).

The limits keep every command's time and memory bounded; the CLI's ``--help`` and the README
state them.
"""

#: Longest line of text one take performs (``speak --text``, ``render --text``, a script line,
#: the UI), in characters: about twenty minutes of speech. Text over
#: ``synth.tts.synthesizer.CHUNK_CHARS`` is spoken chunk by chunk, cut between sentences, in
#: time and memory linear in its length.
MAX_TEXT_CHARS = 20_000

#: Longest emotion description (``--emotion``, ``emostudio parse``, a tag), in characters.
MAX_DESCRIPTION_CHARS = 2_000
