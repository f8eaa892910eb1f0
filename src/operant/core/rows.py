"""Reading one row the ORM makes slow: a few fields by a unique key, as a model instance.

``Model.objects.only(...).get(...)`` compiles its SELECT on every call (the query object, the
lookups, the column list and each column's converters), which on this machine's interpreter
costs several times what the database spends finding the row. ``instance_get`` builds the
statement and the list of converters once per (database, model, fields, key) from the
model's ``_meta`` and then only executes it. The row becomes an instance through the
documented ``Model.from_db`` (the fields not read are deferred, loaded on first access as
with ``only()``), its values converted by the backend's and the fields' own converters, the
same functions the ORM applies (SQLite's text timestamps become aware UTC datetimes).
"""

from __future__ import annotations

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
    converters = []
    for index, field in enumerate(columns):
        col = field.get_col(meta.db_table)
        functions = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if functions:
            converters.append((index, tuple(functions), col))
    made = _Select(
        sql=sql,
        key=key,
        attnames=tuple(field.attname for field in columns),
        converters=tuple(converters),
    )
    _SELECTS[cache_key] = made
    return made


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
    values = list(row)
    for index, functions, col in select.converters:
        value = values[index]
        for convert in functions:
            value = convert(value, col, connection)
        values[index] = value
    return model.from_db(connection.alias, select.attnames, values)
