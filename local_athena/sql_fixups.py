"""Fix-ups of the parsed Trino SQL where sqlglot's transpilation to DuckDB would change a query's result.

Why: both the engine (on every query) and the table resolver (on the SQL of every Athena view it expands) need
them; keeping them apart from both lets the resolver use them without importing the engine.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlglot import exp


def fix_decimal_literals(ast: exp.Expr) -> None:
    """``DECIMAL '1.50'`` is decimal(3,2) in Trino; sqlglot leaves a bare DECIMAL (DuckDB: 18,3)."""
    for cast in list(ast.find_all(exp.Cast)):
        to = cast.args.get("to")
        if (
            isinstance(to, exp.DataType)
            and to.this == exp.DataType.Type.DECIMAL
            and not to.expressions
            and isinstance(cast.this, exp.Literal)
            and cast.this.is_string
        ):
            try:
                dec = Decimal(cast.this.this.strip())
            except InvalidOperation:
                continue
            _sign, digits, exponent = dec.as_tuple()
            scale = max(0, -int(exponent))
            precision = max(len(digits), scale, 1)
            cast.set("to", exp.DataType.build(f"DECIMAL({precision},{scale})"))


def name_unnamed_columns(ast: exp.Expr) -> None:
    """Trino names unnamed select expressions ``_col0``, ``_col1``… by position."""
    selects = [ast] if isinstance(ast, exp.Select) else []
    if isinstance(ast, exp.SetOperation):
        left: exp.Expr = ast
        while isinstance(left, exp.SetOperation):
            left = left.this
        if isinstance(left, exp.Select):
            selects = [left]
    for select in selects:
        new: list[exp.Expr] = []
        for i, proj in enumerate(select.expressions):
            if isinstance(proj, exp.Alias | exp.Column | exp.Star) or (
                isinstance(proj, exp.Dot) and isinstance(proj.expression, exp.Star)
            ):
                new.append(proj)
            else:
                new.append(exp.alias_(proj, f"_col{i}", quoted=True))
        select.set("expressions", new)
