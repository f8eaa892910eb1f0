"""Reading rows the ORM makes slow: one row by a unique key as a model instance
(``instance_get``), or a few columns of the rows matching simple conditions (``values_where``).

``Model.objects.only(...).get(...)`` compiles its SELECT on every call (the query object, the
lookups, the column list and each column's converters), which on this machine's interpreter
costs several times what the database spends finding the row. ``instance_get`` builds the
statement and the list of converters once per (database, model, fields, key) from the
model's ``_meta`` and then only executes it. The row becomes an instance through the
documented ``Model.from_db`` (the fields not read are deferred, loaded on first access as
with ``only()``), its values converted by the backend's and the fields' own converters, the
same functions the ORM applies (SQLite's text timestamps become aware UTC datetimes).
``values_where`` is ``filter(...).values_list(...)`` for conditions joined by AND, each a
field compared with a value (=, <, <=, >, >=) or a list of values (in), built once per shape.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper

M = TypeVar("M", bound=models.Model)
Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]


@dataclass(frozen=True)
class _Select:
    sql: str
    key: models.Field
    attnames: tuple[str, ...]  # in the model's concrete field order, as from_db expects
    converters: tuple[tuple[int, tuple[Converter, ...], Any], ...]  # (column, functions, col)


_SELECTS: dict[tuple[str, type[models.Model], tuple[str, ...], str, bool], _Select] = {}


def _select(
    model: type[models.Model],
    fields: Sequence[str],
    by: str,
    connection: BaseDatabaseWrapper,
    for_update: bool,
) -> _Select:
    cache_key = (connection.alias, model, tuple(fields), by, for_update)
    known = _SELECTS.get(cache_key)
    if known is not None:
        return known
    meta = model._meta
    key = meta.pk if by == "pk" else meta.get_field(by)
    if not (key.primary_key or key.unique):
        raise ValueError(f"{model.__name__}.{by} is not unique: instance_get reads one row")
    wanted = {meta.get_field(name).attname for name in fields} | {meta.pk.attname}
    # from_db takes the values of the fields it is given in the model's own field order.
    columns = [field for field in meta.concrete_fields if field.attname in wanted]
    if len(columns) != len(wanted):
        raise ValueError(f"instance_get reads concrete fields only, not {sorted(fields)}")
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {', '.join(quote(field.column) for field in columns)} "
        f"FROM {quote(meta.db_table)} WHERE {quote(key.column)} = %s"
    )
    if for_update and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    made = _Select(
        sql=sql,
        key=key,
        attnames=tuple(field.attname for field in columns),
        converters=_converters(columns, connection),
    )
    _SELECTS[cache_key] = made
    return made


def _converters(
    columns: Sequence[models.Field], connection: BaseDatabaseWrapper
) -> tuple[tuple[int, tuple[Converter, ...], Any], ...]:
    """The backend's and the fields' own converters of each column that has any."""
    converters = []
    for index, field in enumerate(columns):
        col = field.get_col(field.model._meta.db_table)
        functions = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if functions:
            converters.append((index, tuple(functions), col))
    return tuple(converters)


def _converted(
    row: Sequence[Any],
    converters: tuple[tuple[int, tuple[Converter, ...], Any], ...],
    connection: BaseDatabaseWrapper,
) -> list[Any]:
    values = list(row)
    for index, functions, col in converters:
        value = values[index]
        for convert in functions:
            value = convert(value, col, connection)
        values[index] = value
    return values


def instance_get(
    model: type[M], fields: Sequence[str], *, by: str, value: Any, for_update: bool = False
) -> M | None:
    """The instance whose unique field ``by`` equals ``value``, with ``fields`` (and the
    primary key) loaded and the rest deferred; None when there is none. ``for_update`` locks
    the row (SELECT ... FOR UPDATE where the database has it; inside a transaction)."""
    alias = router.db_for_write(model) if for_update else router.db_for_read(model)
    connection = connections[alias]
    select = _select(model, fields, by, connection, for_update)
    param = select.key.get_db_prep_value(value, connection, prepared=False)
    with connection.cursor() as cursor:
        cursor.execute(select.sql, [param])
        row = cursor.fetchone()
    if row is None:
        return None
    values = _converted(row, select.converters, connection)
    return model.from_db(connection.alias, select.attnames, values)


OPERATORS = frozenset({"=", "<", "<=", ">", ">=", "in"})


def _field(meta: Any, name: str) -> models.Field:
    return meta.pk if name == "pk" else meta.get_field(name)


Condition = tuple[str, str, Any]  # (field name, operator, value; a sequence for "in")


@dataclass(frozen=True)
class _Where:
    sql: str
    fields: tuple[models.Field, ...]  # the condition's field per parameter
    converters: tuple[tuple[int, tuple[Converter, ...], Any], ...]


@functools.cache  # one statement per shape: the arguments are all hashable and few
def _where(
    model: type[models.Model],
    fields: tuple[str, ...],
    shape: tuple[tuple[str, str, int], ...],
    limit: int | None,
    alias: str,
) -> _Where:
    connection = connections[alias]
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [_field(meta, name) for name in fields]
    conditions, params = [], []
    for name, operator, count in shape:
        if operator not in OPERATORS:
            raise ValueError(f"values_where compares with {sorted(OPERATORS)}, not {operator!r}")
        field = _field(meta, name)
        if operator == "in":
            conditions.append(f"{quote(field.column)} IN ({', '.join(['%s'] * count)})")
        else:
            conditions.append(f"{quote(field.column)} {operator} %s")
        params += [field] * count
    sql = f"SELECT {', '.join(quote(f.column) for f in columns)} FROM {quote(meta.db_table)}"
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return _Where(sql=sql, fields=tuple(params), converters=_converters(columns, connection))


def values_where(
    model: type[models.Model],
    fields: Sequence[str],
    where: Sequence[Condition],
    *,
    limit: int | None = None,
) -> list[list[Any]]:
    """The ``fields`` of the rows meeting every condition (in no particular order), each
    value converted as the ORM converts it; at most ``limit`` rows. An "in" with no values
    matches nothing."""
    shape = []
    values: list[Any] = []
    for name, operator, value in where:
        if operator == "in":
            value = list(value)
            if not value:
                return []
            shape.append((name, operator, len(value)))
            values += value
        else:
            shape.append((name, operator, 1))
            values.append(value)
    connection = connections[router.db_for_read(model)]
    statement = _where(model, tuple(fields), tuple(shape), limit, connection.alias)
    params = [
        field.get_db_prep_value(value, connection, prepared=False)
        for field, value in zip(statement.fields, values, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        rows = cursor.fetchall()
    return [_converted(row, statement.converters, connection) for row in rows]
