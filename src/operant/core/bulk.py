"""Set-based writes the ORM makes slow.

``bulk_insert`` is ``bulk_create`` without the per-value SQL compilation: Django compiles an
expression for every field of every row (``field_as_sql``, ``prepare_value``), which on this
machine's interpreter costs several times what the database spends storing the row.

Django's ``bulk_update`` writes one ``UPDATE ... SET f = CASE WHEN pk = 1 THEN ... END`` per
batch, and building those CASE expressions costs the interpreter more than the database spends
running them (about 2 ms per row on this machine's Python). ``bulk_set`` sends the same change
as one prepared ``UPDATE ... WHERE pk = %s`` with a parameter list (``executemany``): SQLite
steps the one prepared statement per row, psycopg pipelines it.

``conditional_update`` is ``filter(pk=..., **expected).update(**changes)`` for one row, the
optimistic claim of a state change, with its SQL built once per shape instead of per call.

``counters_add`` adds to counters in a row found by its unique key, creating the row when it
is missing, in one statement (``INSERT ... ON CONFLICT ... DO UPDATE``, which SQLite and
PostgreSQL both have): no update-then-insert dance and no race between two first writers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper

# Fields whose get_db_prep_save returns a value of the given type unchanged (the str/int/bool
# checks of to_python and get_prep_value), so the call can be skipped for such values.
_PASS_THROUGH: dict[type[models.Field], tuple[type, ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.EmailField: (str,),
    models.SlugField: (str,),
    models.IntegerField: (int,),
    models.BigIntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveBigIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.BooleanField: (bool,),
}


# Integer keys: a foreign key holding an int to one of these passes it through unchanged.
_INTEGER_KEYS = (models.AutoField, models.BigAutoField, models.SmallAutoField)


def _preparer(field: models.Field, connection: BaseDatabaseWrapper) -> Callable[[Any], Any]:
    """The value -> database parameter function for one field, with the cheap cases short.

    Made per call of bulk_insert (through its cached plan's fields): the datetime memo lives
    as long as one batch, where most timestamps are the batch's own "now" (on SQLite each is
    a string conversion otherwise).
    """
    prepare = field.get_db_prep_save
    passes = _passes(field)
    if passes is not None:

        def prepared(value: Any) -> Any:
            # bool is an int: an IntegerField given True still goes through its conversion.
            if value is None or type(value) in passes:
                return value
            return prepare(value, connection)

        return prepared
    if isinstance(field, models.DateTimeField):
        memo: dict[Any, Any] = {}

        def remembered(value: Any) -> Any:
            if value is None:
                return None
            try:
                return memo[value]
            except KeyError:
                memo[value] = result = prepare(value, connection)
                return result
            except TypeError:  # unhashable: not a datetime; let the field say what it thinks
                return prepare(value, connection)

        return remembered
    return lambda value: prepare(value, connection)


def _passes(field: models.Field) -> tuple[type, ...] | None:
    """The value types the field's get_db_prep_save returns unchanged, if any."""
    passes = _PASS_THROUGH.get(type(field))
    if passes is None and field.is_relation and type(field.target_field) in _INTEGER_KEYS:
        passes = (int,)
    return passes


@dataclass(frozen=True)
class _InsertPlan:
    """What bulk_insert works out once per (database, model): Django's _meta walks cost more
    than storing one row."""

    fields: tuple[models.Field, ...]
    attnames: tuple[str, ...]
    relations: tuple[models.Field, ...]
    columns: str  # the quoted column list
    placeholders: str  # one row's "(%s, ...)"
    table: str
    returning: str
    # PostgreSQL: one array parameter per column (``INSERT ... SELECT * FROM UNNEST(...)``),
    # as Django's own bulk_create sends it since 5.2; None where a column cannot be unnested.
    unnest: str | None


@functools.cache
def _insert_plan(model: type[models.Model], alias: str) -> _InsertPlan:
    meta = model._meta
    quote = connections[alias].ops.quote_name
    fields = tuple(f for f in meta.concrete_fields if not f.primary_key)
    if any(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) for f in fields):
        raise ValueError(f"{model.__name__} has auto_now fields: use bulk_create")
    return _InsertPlan(
        fields=fields,
        attnames=tuple(f.attname for f in fields),
        relations=tuple(f for f in fields if f.is_relation),
        columns=", ".join(quote(f.column) for f in fields),
        placeholders="(" + ", ".join(["%s"] * len(fields)) + ")",
        table=quote(meta.db_table),
        returning=" RETURNING " + quote(meta.pk.column),
        unnest=_unnest(fields, connections[alias]),
    )


def _unnest(fields: Sequence[models.Field], connection: BaseDatabaseWrapper) -> str | None:
    """``UNNEST((%s)::type[], ...)`` for these columns on PostgreSQL: a statement of a few
    parameters however many rows, where VALUES lists one placeholder per value (psycopg
    parses a 5,000-row VALUES statement's 80,000 placeholders in Python). None elsewhere, and
    for a column whose value needs its own placeholder or has no plain database type."""
    if connection.vendor != "postgresql":
        return None
    types = []
    for field in fields:
        target = field.target_field if field.is_relation else field
        if hasattr(field, "get_placeholder") or (
            target.get_internal_type() not in connection.data_types
        ):
            return None
        types.append(f"(%s)::{field.db_type(connection).split('(')[0]}[]")  # no length: no cut
    return f"UNNEST({', '.join(types)})"


def bulk_insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """INSERT the objects as ``bulk_create`` would, setting their primary keys.

    Foreign keys given as saved objects are read from them (as ``bulk_create`` does); an
    unsaved related object raises ValueError. Defaults are those the instances were built
    with; ``save()``, signals and ``auto_now`` are skipped, as with ``bulk_create``.
    """
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    if not connection.features.can_return_rows_from_bulk_insert:
        model._default_manager.bulk_create(objs)  # no RETURNING: let Django find the keys
        return
    plan = _insert_plan(model, connection.alias)
    preparers = [_preparer(f, connection) for f in plan.fields]
    rows = []
    for obj in objs:
        if obj.pk is not None:
            raise ValueError(f"{model.__name__} already has a key: bulk_insert makes new rows")
        for relation in plan.relations:
            _take_related_key(obj, relation)
        rows.append(
            [
                prepare(getattr(obj, name))
                for prepare, name in zip(preparers, plan.attnames, strict=True)
            ]
        )
    keys = _insert(plan, connection, rows, returning=True)
    for obj, key in zip(objs, keys, strict=True):
        setattr(obj, model._meta.pk.attname, key)
        obj._state.adding = False
        obj._state.db = connection.alias


def bulk_insert_values(model: type[models.Model], rows: Sequence[Mapping[str, Any]]) -> int:
    """``bulk_insert`` from mappings of attribute name (``client_id``, not ``client``) to
    value, for callers that need neither instances nor keys back: building thousands of
    instances costs more than storing their rows. A field not given takes its default.
    Returns how many rows were stored."""
    if not rows:
        return 0
    connection = connections[router.db_for_write(model)]
    plan = _insert_plan(model, connection.alias)
    unknown = set().union(*rows) - set(plan.attnames)
    if unknown:
        raise ValueError(f"{model.__name__} has no fields {sorted(unknown)} (use attnames)")
    preparers = [_preparer(f, connection) for f in plan.fields]
    columns = list(zip(preparers, plan.attnames, plan.fields, strict=True))
    # A default is made per row: a callable one (a new UUID) differs from row to row.
    prepared = [
        [
            prepare(row[name] if name in row else field.get_default())
            for prepare, name, field in columns
        ]
        for row in rows
    ]
    _insert(plan, connection, prepared, returning=False)
    return len(prepared)


def _insert(
    plan: _InsertPlan, connection: BaseDatabaseWrapper, rows: list[list[Any]], *, returning: bool
) -> list[Any]:
    """Send prepared rows in as few statements as the database takes; their new keys, in the
    rows' order, when ``returning``."""
    per_statement = max(1, connection.ops.bulk_batch_size(plan.fields, rows))
    if plan.unnest is not None and len(rows) > 1:
        per_statement = len(rows)  # arrays: the parameter count does not grow with the rows
    keys: list[Any] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            if plan.unnest is not None and len(chunk) > 1:
                # In the order of the arrays, as Django's bulk_create also relies on.
                sql = f"INSERT INTO {plan.table} ({plan.columns}) SELECT * FROM {plan.unnest}"
                params = [list(column) for column in zip(*chunk, strict=True)]
            else:
                sql = f"INSERT INTO {plan.table} ({plan.columns}) VALUES " + ", ".join(
                    [plan.placeholders] * len(chunk)
                )
                params = [value for row in chunk for value in row]
            if not returning:
                cursor.execute(sql, params)
                continue
            cursor.execute(sql + plan.returning, params)
            # In the order of the VALUES rows, as bulk_create also relies on.
            chunk_keys = [key for (key,) in cursor.fetchall()]
            if len(chunk_keys) != len(chunk):
                raise RuntimeError(f"{len(chunk_keys)} keys returned for {len(chunk)} rows")
            keys += chunk_keys
    return keys


def _take_related_key(obj: models.Model, relation: models.Field) -> None:
    """Copy a cached related object's key into ``<name>_id``, as save() and bulk_create do."""
    if not relation.is_cached(obj):
        return
    related = relation.get_cached_value(obj)
    if related is None:
        return
    if related.pk is None:
        raise ValueError(f"{type(obj).__name__}.{relation.name} points at an unsaved object")
    if getattr(obj, relation.attname) != related.pk:
        # Through the relation, not <name>_id: setting the key alone drops the cached object.
        setattr(obj, relation.name, related)


def bulk_set(model: type[models.Model], objs: Iterable[models.Model], fields: Sequence[str]) -> int:
    """Write ``fields`` of every object (which must have its primary key) by primary key.

    Values go through each field's ``get_db_prep_save``, as ``save()`` sends them, so JSON,
    datetimes and foreign keys (``ticket`` or ``ticket_id``) are stored the same way. No
    signals are sent and ``auto_now`` is not applied, as with ``bulk_update``.
    Returns how many objects were written.
    """
    columns = _columns(model, fields)
    rows = []
    for obj in objs:
        if obj.pk is None:
            raise ValueError(f"{model.__name__} without a primary key cannot be updated")
        rows.append((obj.pk, [getattr(obj, column.attname) for column in columns]))
    return bulk_set_values(model, fields, rows)


def bulk_set_values(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[tuple[object, Sequence[object]]],
) -> int:
    """``bulk_set`` from (primary key, values in ``fields`` order) pairs, for callers that
    have the values and no model instances (building an instance costs more than its row)."""
    columns = _columns(model, fields)
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    params = []
    for pk, values in rows:
        if len(values) != len(columns):
            raise ValueError(f"{len(values)} values for {len(columns)} fields")
        prepared = [
            column.get_db_prep_save(value, connection)
            for column, value in zip(columns, values, strict=True)
        ]
        prepared.append(meta.pk.get_db_prep_save(pk, connection))
        params.append(prepared)
    if not params:
        return 0
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(column.column)} = %s" for column in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(params)


def _columns(model: type[models.Model], fields: Sequence[str]) -> list[models.Field]:
    columns = [model._meta.get_field(name) for name in fields]
    for column in columns:
        if not getattr(column, "concrete", False) or column.primary_key:
            raise ValueError(f"bulk_set writes concrete, non-key fields only, not {column.name}")
    return columns  # type: ignore[return-value]


@dataclass(frozen=True)
class _ConditionalUpdate:
    sql: str
    # (field, the value types its get_db_prep_save passes through unchanged) per parameter:
    # the changes, the key, then the expected values that are not NULL.
    params: tuple[tuple[models.Field, tuple[type, ...]], ...]


_CONDITIONAL_UPDATES: dict[tuple[Any, ...], _ConditionalUpdate] = {}


def _conditional_update_sql(
    model: type[models.Model],
    connection: BaseDatabaseWrapper,
    change_names: tuple[str, ...],
    expected_shape: tuple[tuple[str, bool], ...],
) -> _ConditionalUpdate:
    cache_key = (connection.alias, model, change_names, expected_shape)
    known = _CONDITIONAL_UPDATES.get(cache_key)
    if known is not None:
        return known
    meta = model._meta
    quote = connection.ops.quote_name
    changed = _columns(model, change_names)
    expected = [(meta.get_field(name), is_null) for name, is_null in expected_shape]
    conditions = [f"{quote(meta.pk.column)} = %s"] + [
        f"{quote(field.column)} IS NULL" if is_null else f"{quote(field.column)} = %s"
        for field, is_null in expected
    ]
    sql = (
        f"UPDATE {quote(meta.db_table)} SET "
        + ", ".join(f"{quote(field.column)} = %s" for field in changed)
        + " WHERE "
        + " AND ".join(conditions)
    )
    fields = [*changed, meta.pk, *(field for field, is_null in expected if not is_null)]
    made = _ConditionalUpdate(
        sql=sql, params=tuple((field, _PASS_THROUGH.get(type(field), ())) for field in fields)
    )
    _CONDITIONAL_UPDATES[cache_key] = made
    return made


def conditional_update(
    model: type[models.Model], pk: Any, expected: Mapping[str, Any], changes: Mapping[str, Any]
) -> int:
    """Write ``changes`` to the row with key ``pk`` only while its fields still hold the
    ``expected`` values (None: NULL); 1 when it was written, 0 when the row is gone or another
    writer changed one of those fields first. Values are prepared as ``update()`` prepares
    them; a foreign key may be given as an object or a key. No signals, no ``auto_now``."""
    if not changes:
        raise ValueError("conditional_update needs something to change")
    connection = connections[router.db_for_write(model)]
    statement = _conditional_update_sql(
        model,
        connection,
        tuple(changes),
        tuple((name, value is None) for name, value in expected.items()),
    )
    values = [*changes.values(), pk, *(value for value in expected.values() if value is not None)]
    params = []
    for (field, passes), value in zip(statement.params, values, strict=True):
        if value is None or type(value) in passes:
            params.append(value)
            continue
        if isinstance(value, models.Model) and field.is_relation:
            value = getattr(value, field.target_field.attname)
        params.append(field.get_db_prep_save(value, connection))
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        return cursor.rowcount


_COUNTER_ADDS: dict[tuple[Any, ...], tuple[str, tuple[models.Field, ...]]] = {}


def _counters_add_sql(
    model: type[models.Model],
    connection: BaseDatabaseWrapper,
    key_names: tuple[str, ...],
    counter_names: tuple[str, ...],
) -> tuple[str, tuple[models.Field, ...]]:
    cache_key = (connection.alias, model, key_names, counter_names)
    known = _COUNTER_ADDS.get(cache_key)
    if known is not None:
        return known
    meta = model._meta
    keys = _columns(model, key_names)
    counters = _columns(model, counter_names)
    quote = connection.ops.quote_name
    others = [f for f in meta.concrete_fields if not f.primary_key and f not in keys + counters]
    for field in others:
        if field.null or field.has_default():
            continue
        raise ValueError(f"counters_add cannot make a {model.__name__} without {field.name}")
    fields = (*keys, *counters, *others)
    table = quote(meta.db_table)
    sql = (
        f"INSERT INTO {table} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({', '.join(quote(f.column) for f in keys)}) DO UPDATE SET "
        + ", ".join(
            f"{quote(f.column)} = {table}.{quote(f.column)} + EXCLUDED.{quote(f.column)}"
            for f in counters
        )
    )
    _COUNTER_ADDS[cache_key] = made = (sql, fields)
    return made


def counters_add(
    model: type[models.Model], *, key: Mapping[str, Any], add: Mapping[str, int]
) -> None:
    """Add ``add``'s amounts to the counters of the row whose unique fields hold ``key``,
    creating the row (counters at the amounts, other fields at their defaults) when there is
    none. ``key`` must be exactly the fields of a unique constraint. One statement."""
    if not add:
        raise ValueError("counters_add needs a counter to add to")
    connection = connections[router.db_for_write(model)]
    sql, fields = _counters_add_sql(model, connection, tuple(key), tuple(add))
    # The fields in the statement's order: the key's, the counters', then the defaults.
    values = [*key.values(), *add.values()]
    values += [field.get_default() for field in fields[len(values) :]]
    params = []
    for field, value in zip(fields, values, strict=True):
        if isinstance(value, models.Model) and field.is_relation:
            value = getattr(value, field.target_field.attname)
        params.append(field.get_db_prep_save(value, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# IN lists are cut to this many values: under every backend's parameter limit.
IN_CHUNK = 900


def chunks(values: Sequence[Any], size: int = IN_CHUNK) -> list[Sequence[Any]]:
    """``values`` in slices of at most ``size``, for IN lists."""
    return [values[start : start + size] for start in range(0, len(values), size)]
