"""Glue/Hive and Athena/Trino type strings -> `AthenaType`, by recursive descent; never raises.

Glue stores Hive syntax (`array<struct<a:int>>`), Athena's result metadata and views use Trino syntax
(`array(row(a integer))`). Both parse into the same tree; anything else becomes an unknown type carrying its
text, so an exotic column is read as a string with a warning instead of failing discover or read.
"""

from __future__ import annotations

from typing import Final

from source_skoot_athena.types.model import DEFAULT_DECIMAL, STRING_KINDS, AthenaType, Kind, unknown

_SIMPLE_NAMES: Final[dict[str, Kind]] = {
    "boolean": Kind.BOOLEAN,
    "bool": Kind.BOOLEAN,
    "tinyint": Kind.TINYINT,
    "byte": Kind.TINYINT,
    "smallint": Kind.SMALLINT,
    "short": Kind.SMALLINT,
    "int": Kind.INTEGER,
    "integer": Kind.INTEGER,
    "bigint": Kind.BIGINT,
    "long": Kind.BIGINT,
    "float": Kind.REAL,
    "real": Kind.REAL,
    "double": Kind.DOUBLE,
    "decimal": Kind.DECIMAL,
    "numeric": Kind.DECIMAL,
    "char": Kind.CHAR,
    "varchar": Kind.VARCHAR,
    "string": Kind.VARCHAR,
    "date": Kind.DATE,
    "timestamp": Kind.TIMESTAMP,
    "time": Kind.TIME,
    "binary": Kind.VARBINARY,
    "varbinary": Kind.VARBINARY,
    "json": Kind.JSON,
}
_PARAM_COUNTS: Final[dict[Kind, tuple[int, ...]]] = {
    Kind.DECIMAL: (0, 1, 2),
    Kind.CHAR: (0, 1),
    Kind.VARCHAR: (0, 1),
    Kind.TIMESTAMP: (0, 1),
    Kind.TIME: (0, 1),
}
_DELIMITERS: Final = frozenset(",<>():")
_OPENERS: Final = {"<": ">", "(": ")"}


class _ParseError(Exception):
    """Internal: the text is not a type this parser knows; turned into an unknown type at the top."""


class _Scanner:
    """The characters of one type string: words (case-insensitive), numbers, quoted names, brackets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        """The next non-space character, or '' at the end."""
        self.skip_space()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise _ParseError(f"expected {char!r} at {self.pos}")
        self.pos += 1

    def word(self) -> str:
        """An identifier-like word (letters, digits, underscore), lower-cased; '' when none."""
        self.skip_space()
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] == "_"):
            self.pos += 1
        return self.text[start : self.pos].lower()

    def keyword(self, *words: str) -> bool:
        """Consume the given words if they come next (e.g. `with time zone`); otherwise consume nothing."""
        saved = self.pos
        for expected in words:
            if self.word() != expected:
                self.pos = saved
                return False
        return True

    def integer(self) -> int:
        word = self.word()
        if not word.isdigit():
            raise _ParseError(f"expected a number at {self.pos}")
        return int(word)

    def quoted(self, quote: str) -> str:
        """A quoted name; the quote character doubled inside stands for itself (Hive ``, Trino "")."""
        self.expect(quote)
        parts: list[str] = []
        while True:
            end = self.text.find(quote, self.pos)
            if end < 0:
                raise _ParseError("unterminated quoted name")
            parts.append(self.text[self.pos : end])
            self.pos = end + 1
            if self.text.startswith(quote, self.pos):
                parts.append(quote)
                self.pos += 1
            else:
                return "".join(parts)

    def open_bracket(self) -> str:
        """Consume `<` or `(` and return the matching closer (Hive and Trino spellings)."""
        opener = self.peek()
        if opener not in _OPENERS:
            raise _ParseError(f"expected '<' or '(' at {self.pos}")
        self.pos += 1
        return _OPENERS[opener]

    def word_with_original_case(self) -> str:
        """The next word as written (field names keep their case)."""
        self.skip_space()
        start = self.pos
        self.word()
        return self.text[start : self.pos]

    def parse_unknown_leaf(self, start: int) -> AthenaType:
        """An unrecognised type name: swallow it up to the next delimiter at this depth (brackets balanced),
        so `array<geometry>` is an array of unknown and `interval day to second` one unknown type."""
        depth = 0
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in "<(":
                depth += 1
            elif char in ">)":
                if depth == 0:
                    break
                depth -= 1
            elif char in ",:" and depth == 0:
                break
            self.pos += 1
        if depth:
            raise _ParseError("unbalanced brackets")
        return unknown(self.text[start : self.pos].strip())


class _Parser(_Scanner):
    """Recursive descent over one type string: the Hive and Trino grammars share every rule."""

    def parse_top(self) -> AthenaType:
        result = self.parse_type()
        if self.peek():
            raise _ParseError(f"unexpected text at {self.pos}")
        return result

    def parse_type(self) -> AthenaType:
        start = self.pos
        name = self.word()
        parsers = {
            "array": self.parse_array,
            "map": self.parse_map,
            "struct": self.parse_struct,
            "row": self.parse_row,
        }
        if name in parsers:
            return parsers[name](start)
        if name in _SIMPLE_NAMES:
            return self.parse_simple(_SIMPLE_NAMES[name], start)
        if not name:
            raise _ParseError(f"expected a type at {start}")
        return self.parse_unknown_leaf(start)

    def parse_params(self) -> tuple[int, ...]:
        if self.peek() != "(":
            return ()
        self.expect("(")
        params = [self.integer()]
        while self.peek() == ",":
            self.expect(",")
            params.append(self.integer())
        self.expect(")")
        return tuple(params)

    def parse_simple(self, kind: Kind, start: int) -> AthenaType:
        if kind == Kind.DOUBLE:
            self.keyword("precision")
        params = self.parse_params()
        if len(params) not in _PARAM_COUNTS.get(kind, (0,)):
            raise _ParseError(f"wrong parameters for {kind.value}")
        if kind in (Kind.TIMESTAMP, Kind.TIME):
            kind = self.parse_zone_suffix(kind)
        return _build_simple(kind, params, self.text[start : self.pos].strip())

    def parse_zone_suffix(self, kind: Kind) -> Kind:
        if self.keyword("with", "time", "zone"):
            return Kind.TIMESTAMP_TZ if kind == Kind.TIMESTAMP else Kind.TIME_TZ
        self.keyword("without", "time", "zone")
        return kind

    def parse_array(self, start: int) -> AthenaType:
        closer = self.open_bracket()
        element = self.parse_type()
        self.expect(closer)
        return AthenaType(Kind.ARRAY, children=(element,), raw=self.text[start : self.pos].strip())

    def parse_map(self, start: int) -> AthenaType:
        closer = self.open_bracket()
        key = self.parse_type()
        self.expect(",")
        value = self.parse_type()
        self.expect(closer)
        return AthenaType(Kind.MAP, children=(key, value), raw=self.text[start : self.pos].strip())

    def parse_struct(self, start: int) -> AthenaType:
        """Hive `struct<name:type, ...>`; names may be backtick- or double-quoted, or bare up to the colon."""
        closer = self.open_bracket()
        names: list[str] = []
        children: list[AthenaType] = []
        while self.peek() != closer:
            if names:
                self.expect(",")
            names.append(self.struct_field_name())
            self.expect(":")
            children.append(self.parse_type())
        self.expect(closer)
        return self.build_row(names, children, start)

    def struct_field_name(self) -> str:
        char = self.peek()
        if char in ("`", '"'):
            return self.quoted(char)
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in ":,<>()":
            self.pos += 1
        name = self.text[start : self.pos].strip()
        if not name:
            raise _ParseError(f"expected a field name at {start}")
        return name

    def parse_row(self, start: int) -> AthenaType:
        """Trino `row(name type, ...)`; a field may also be a bare type (anonymous, named `field<i>`)."""
        closer = self.open_bracket()
        names: list[str] = []
        children: list[AthenaType] = []
        while self.peek() != closer:
            if names:
                self.expect(",")
            name, child = self.row_field(len(names))
            names.append(name)
            children.append(child)
        self.expect(closer)
        return self.build_row(names, children, start)

    def row_field(self, index: int) -> tuple[str, AthenaType]:
        """`name type` or just `type`: try the bare type first, backtrack to a named field."""
        char = self.peek()
        if char in ("`", '"'):
            return self.quoted(char), self.parse_type()
        saved = self.pos
        try:
            bare = self.parse_type()
            if self.peek() in (",", ")", ">") and bare.kind != Kind.UNKNOWN:
                return f"field{index}", bare
        except _ParseError:
            pass
        self.pos = saved
        name = self.word_with_original_case()
        if not name:
            raise _ParseError(f"expected a field at {saved}")
        return name, self.parse_type()

    def build_row(self, names: list[str], children: list[AthenaType], start: int) -> AthenaType:
        if not names:
            raise _ParseError("a struct/row needs at least one field")
        return AthenaType(
            Kind.ROW,
            children=tuple(children),
            field_names=tuple(names),
            raw=self.text[start : self.pos].strip(),
        )


def _build_simple(kind: Kind, params: tuple[int, ...], raw: str) -> AthenaType:
    """A leaf type from its kind and the numbers in its parentheses (already counted by the caller)."""
    if kind == Kind.DECIMAL:
        precision = params[0] if params else DEFAULT_DECIMAL[0]
        scale = params[1] if len(params) > 1 else DEFAULT_DECIMAL[1]
        if precision <= 0 or not 0 <= scale <= precision:
            raise _ParseError(f"bad decimal({precision},{scale})")
        return AthenaType(kind, precision=precision, scale=scale, raw=raw)
    if kind in STRING_KINDS:
        return AthenaType(kind, length=params[0] if params else None, raw=raw)
    if kind in (Kind.TIMESTAMP, Kind.TIMESTAMP_TZ, Kind.TIME, Kind.TIME_TZ):
        return AthenaType(kind, precision=params[0] if params else None, raw=raw)
    return AthenaType(kind, raw=raw)


def parse_type(text: str) -> AthenaType:
    """Parse a Glue/Hive or Athena/Trino type string; anything unparseable is an unknown type carrying the
    text (the connector reads it as a string with a warning rather than failing discover or read)."""
    try:
        return _Parser(text).parse_top()
    except (_ParseError, RecursionError):
        return unknown(text.strip())
