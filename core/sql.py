"""Rows written by hand-built SQL: the typed VALUES of unsaved model instances.

For write paths that insert several tables' rows in one data-modifying WITH on PostgreSQL
(the booking, its history row and its outbox: docs/decisions/0006). Values are prepared as a
save would prepare them (defaults and auto_now dates applied, each field's own conversion) and
every value travels as a query parameter.
"""

# The SQL is assembled from table and column names read from the models; values are parameters.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, models


def connection_for(model: type[models.Model]):
    return connections[model.objects.db]


def insert_values(
    model: type[models.Model],
    objs: Sequence[models.Model],
    *,
    skip: tuple[str, ...] = (),
    with_pk: bool = False,
    as_they_are: bool = False,
    typed: bool = True,
) -> tuple[list[str], str, list]:
    """Quoted columns, a VALUES list and its parameters for unsaved `objs`.

    Each field is prepared as an insert would (`pre_save(add=True)`, so auto_now dates are set
    on the objects too), unless `as_they_are` (objects already prepared, whose dates must not
    move). The primary key is left to the database unless `with_pk`. Each value is CAST to its
    column's type (a VALUES list read by a SELECT has no column to take it from) unless not
    `typed` (an INSERT's own VALUES, typed by the columns it fills: a shorter statement).
    """
    connection = connection_for(model)
    fields = [
        f
        for f in model._meta.concrete_fields
        if f.name not in skip and (with_pk or not f.primary_key)
    ]
    params: list = []
    groups = []
    for obj in objs:
        holders = []
        for f in fields:
            value = getattr(obj, f.attname) if as_they_are else f.pre_save(obj, add=True)
            params.append(f.get_db_prep_save(value, connection=connection))
            holders.append(f"CAST(%s AS {f.cast_db_type(connection)})" if typed else "%s")
        groups.append("(" + ", ".join(holders) + ")")
    return [connection.ops.quote_name(f.column) for f in fields], ", ".join(groups), params


def insert_part(name: str, obj: models.Model) -> tuple[str, list]:
    """`name AS (INSERT INTO table (...) VALUES (...))`: one WITH part inserting `obj` as it
    is (defaults and dates already set; its primary key if set, else the database's), and its
    parameters."""
    model = type(obj)
    columns, values, params = insert_values(
        model, [obj], with_pk=obj.pk is not None, as_they_are=True, typed=False
    )
    table = connection_for(model).ops.quote_name(model._meta.db_table)
    return f"{name} AS (INSERT INTO {table} ({', '.join(columns)}) VALUES {values})", params
