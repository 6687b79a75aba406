"""Glue char(n) values loaded as Athena shows them: padded with spaces to n, cut to n.

Why: DuckDB has no char type (the stand-in loads char as VARCHAR), but Athena's char(n) value is padded: Trino keeps
a char without its trailing spaces (trinodb/trino core/trino-spi .../spi/type/CharType.java `writeSlice`; its
Parquet reader cuts a longer value to n and trims it, lib/trino-parquet ... `truncateToLengthAndTrimSpaces`), and
shows it padded to n on the text paths (CharType `getObjectValue`: `padSpaces`) and in `CAST(c AS varchar)`
(core/trino-main .../operator/scalar/CharacterStringCasts.java `charToVarcharCast`: `padSpaces`). Loading the
value padded gives those reads Athena's text, at any depth of an array, map or row.

Not modelled: UNLOAD of a bare char, which Athena writes unpadded (Trino's CharValueWriter writes the stored
slice; the connector never unloads a bare char: it selects `CAST(c AS varchar)`), and Trino's padded comparison of
a char with a varchar literal.
"""

from __future__ import annotations

from .glue_types import GlueType, duck_ident


def holds_char(t: GlueType) -> bool:
    """Whether a Glue type is a char or holds one at any depth."""
    return t.name == "char" or any(holds_char(child) for _name, child in t.children)


def padded_chars(expr: str, t: GlueType, depth: int = 0) -> str:
    """DuckDB SQL for ``expr`` (of Glue type ``t``) with every char(n) value padded with spaces to n (and cut to
    n); ``expr`` itself when ``t`` holds no char, NULL kept NULL at every level."""
    if not holds_char(t):
        return expr
    if t.name == "char":
        length = t.params[0] if t.params else 1  # Hive's char without a length is char(1)
        return f"rpad({expr}, {length}, ' ')"
    item = f"__char{depth}"
    if t.name == "array":
        return f"list_transform({expr}, {item} -> {padded_chars(item, t.children[0][1], depth + 1)})"
    if t.name == "map":
        key = padded_chars(f"{item}.key", t.children[0][1], depth + 1)
        value = padded_chars(f"{item}.value", t.children[1][1], depth + 1)
        entry = f"{{'key': {key}, 'value': {value}}}"
        return f"map_from_entries(list_transform(map_entries({expr}), {item} -> {entry}))"
    fields = ", ".join(
        f"{duck_ident(name)} := {padded_chars(f'({expr}).{duck_ident(name)}', child, depth + 1)}"
        for name, child in t.children
    )
    return f"CASE WHEN {expr} IS NULL THEN NULL ELSE struct_pack({fields}) END"
