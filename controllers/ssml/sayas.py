"""``<say-as interpret-as>``: the text of the element -> the words the voice reads.

The voice's own text front end (espeak) reads digits, ordinals written ``3rd`` and times
written ``3:30`` well, so each kind is rewritten into such a form:

- ``cardinal`` (``number``): ``1,234`` -> ``1234``;
- ``ordinal``: ``3`` -> ``3rd``;
- ``characters`` (``spell-out``, ``verbatim``): ``ABC`` -> ``A B C``, letter by letter (an ``A``
  is written ``eh`` so that it is not read as the article);
- ``date`` with ``format`` (``mdy``, ``dmy``, ``ymd``, ``md``, ``dm``, ``ym``, ``my``, ``y``,
  ``m``, ``d``; default ``ymd`` for ``2024-03-15`` and ``mdy`` otherwise): ``3/15/2024`` ->
  ``March 15th, 2024``;
- ``time`` (``format`` ``hms12`` or ``hms24``): ``15:30`` -> ``15:30``, ``3:30pm`` -> ``3:30 PM``,
  ``09:00`` -> ``9 o'clock``;
- ``telephone``: ``+1 (555) 123-4567`` -> ``plus 1, 5 5 5, 1 2 3, 4 5 6 7``.

A value that does not read as its kind is spoken as written, with a warning.
"""

from __future__ import annotations

import re

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
KINDS = ("cardinal", "number", "ordinal", "characters", "spell-out", "verbatim", "date", "time",
         "telephone")


def ordinal_suffix(n: int) -> str:
    """``1`` -> ``1st``, ``12`` -> ``12th``, ``23`` -> ``23rd``."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _cardinal(text: str) -> str | None:
    raw = re.sub(r"(?<=\d)[,\s](?=\d{3}\b)", "", text.strip())
    return raw if re.fullmatch(r"[+-]?\d+(\.\d+)?", raw) else None


def _ordinal(text: str) -> str | None:
    m = re.fullmatch(r"(\d+)(st|nd|rd|th)?\.?", text.strip().replace(",", ""))
    return ordinal_suffix(int(m.group(1))) if m else None


def _characters(text: str) -> str | None:
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return None
    return " ".join("eh" if c in "Aa" else c.upper() if c.isalpha() else c for c in chars)


def _date(text: str, fmt: str) -> str | None:
    parts = re.findall(r"\d+", text)
    if re.fullmatch(r"\s*\d{4}-\d{1,2}-\d{1,2}\s*", text) and not fmt:
        fmt = "ymd"
    fmt = (fmt or "mdy").lower()
    if not re.fullmatch(r"[ymd]{1,3}", fmt) or len(set(fmt)) != len(fmt) or \
            len(parts) != len(fmt):
        return None
    fields = dict(zip(fmt, (int(p) for p in parts)))
    month, day, year = fields.get("m"), fields.get("d"), fields.get("y")
    if month is not None and not 1 <= month <= 12 or day is not None and not 1 <= day <= 31:
        return None
    words = []
    if month is not None:
        words.append(MONTHS[month - 1])
    if day is not None:
        words.append(ordinal_suffix(day) if month is not None or year is not None
                     else f"the {ordinal_suffix(day)}")
    spoken = " ".join(words)
    if year is not None:
        spoken = f"{spoken}, {year}" if spoken else str(year)
    return spoken


def _time(text: str, fmt: str) -> str | None:
    m = re.fullmatch(r"\s*(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*([ap]\.?m\.?)?\s*",
                     text, re.IGNORECASE)
    if not m:
        return None
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    half = (m.group(4) or "").replace(".", "").upper()
    if minute > 59 or hour > (12 if half or fmt == "hms12" else 23):
        return None
    clock = f"{hour} o'clock" if minute == 0 else f"{hour}:{minute:02d}"
    return f"{clock} {half}".strip()


def _telephone(text: str) -> str | None:
    if not re.fullmatch(r"[\d\s()+.\-]+", text) or not re.search(r"\d", text):
        return None
    groups = re.findall(r"\d+", text)
    spoken = ", ".join(" ".join(g) for g in groups)
    return f"plus {spoken}" if text.strip().startswith("+") else spoken


def say_as(text: str, interpret_as: str, fmt: str = "") -> str | None:
    """The words the voice reads for ``text`` as ``interpret_as`` (:data:`KINDS`), or None
    when the kind is unknown or the text does not read as it."""
    kind = interpret_as.strip().lower()
    if kind in ("cardinal", "number"):
        return _cardinal(text)
    if kind == "ordinal":
        return _ordinal(text)
    if kind in ("characters", "spell-out", "verbatim"):
        return _characters(text)
    if kind == "date":
        return _date(text, fmt)
    if kind == "time":
        return _time(text, fmt.strip().lower())
    if kind == "telephone":
        return _telephone(text)
    return None
