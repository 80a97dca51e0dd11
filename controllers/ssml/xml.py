"""SSML text -> a small tree of elements with their places, read by a hardened XML parser.

``defusedxml`` refuses document type declarations (so no entity can be declared: no entity
expansion "billion laughs", no external entity that reads a file or a URL) and external
references; on top of it the text, the nesting depth, the number of elements and the length of
attribute values are bounded, and a document over a bound is refused as soon as the parser
reaches it (a thousand-level nesting is refused at level :data:`MAX_DEPTH` + 1, in
microseconds). Every refusal is an :class:`InputError` with ``line:column`` (both from 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from controllers.errors import InputError

#: Longest SSML document, in characters (the text spoken is limited separately).
MAX_SSML_CHARS = 200_000
#: Deepest nesting of elements.
MAX_DEPTH = 64
#: Most elements in one document.
MAX_ELEMENTS = 20_000
#: Longest attribute value, in characters.
MAX_ATTRIBUTE_CHARS = 1_000


@dataclass
class Element:
    """One element: its local name, namespace, attributes (local names), where it starts and
    its content in order (text pieces as ``str``, child elements)."""

    name: str
    namespace: str
    attributes: dict[str, str]
    line: int
    column: int
    content: list = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"line {self.line}:{self.column}"


class _Refused(Exception):
    """A bound was crossed (raised inside the parser's callbacks)."""


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return local, namespace
    return tag, ""


class _Builder:
    """Parser target that builds :class:`Element` s and enforces the bounds."""

    def __init__(self) -> None:
        self.parser = None  # the expat parser, for positions
        self.stack: list[Element] = []
        self.root: Element | None = None
        self.count = 0

    def _position(self) -> tuple[int, int]:
        expat = self.parser.parser
        return expat.CurrentLineNumber, expat.CurrentColumnNumber + 1

    def start(self, tag, attrib) -> None:
        line, column = self._position()
        self.count += 1
        if len(self.stack) >= MAX_DEPTH:
            raise _Refused(f"line {line}:{column}: elements nested deeper than {MAX_DEPTH} "
                           "levels")
        if self.count > MAX_ELEMENTS:
            raise _Refused(f"line {line}:{column}: more than {MAX_ELEMENTS} elements")
        attributes = {}
        for key, value in attrib.items():
            if len(value) > MAX_ATTRIBUTE_CHARS:
                raise _Refused(f"line {line}:{column}: attribute {_split(key)[0]!r} is "
                               f"{len(value)} characters long; at most {MAX_ATTRIBUTE_CHARS}")
            attributes[_split(key)[0]] = value
        name, namespace = _split(tag)
        element = Element(name, namespace, attributes, line, column)
        if self.stack:
            self.stack[-1].content.append(element)
        else:
            self.root = element
        self.stack.append(element)

    def end(self, tag) -> None:
        self.stack.pop()

    def data(self, text) -> None:
        if self.stack:
            content = self.stack[-1].content
            if content and isinstance(content[-1], str):
                content[-1] += text
            else:
                content.append(text)

    def close(self):
        return self.root


def read_xml(text: str) -> Element:
    """The root element of ``text``; raises :class:`InputError` naming the place and the
    problem for malformed XML, a DTD or entity declaration, an external reference, or a bound
    crossed."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
    from defusedxml.ElementTree import DefusedXMLParser

    if len(text) > MAX_SSML_CHARS:
        raise InputError(f"SSML: the document is {len(text)} characters long; at most "
                         f"{MAX_SSML_CHARS} are accepted")
    builder = _Builder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True,
                              forbid_external=True)
    builder.parser = parser

    def where() -> str:
        line, column = builder._position()
        return f"line {line}:{column}"

    try:
        parser.feed(text)
        root = parser.close()
    except _Refused as exc:
        raise InputError(f"SSML {exc}; not accepted") from None
    except DTDForbidden:
        raise InputError(f"SSML {where()}: a document type declaration (<!DOCTYPE>) is not "
                         "accepted (no entities, no external references)") from None
    except EntitiesForbidden:
        raise InputError(f"SSML {where()}: entity declarations are not accepted") from None
    except ExternalReferenceForbidden:
        raise InputError(f"SSML {where()}: external references are not accepted") from None
    except ParseError as exc:
        line, column = exc.position
        message = str(exc).split(":")[0]
        raise InputError(f"SSML line {line}:{column + 1}: malformed XML ({message})") from None
    if root is None:
        raise InputError("SSML line 1:1: no element found")
    return root
