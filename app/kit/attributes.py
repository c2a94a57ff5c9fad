"""Building a shape (a GraphQL type, a REST body) from a record that has most of its fields.

A shape takes every field the record holds under the same name, so its constructor names only
the fields it shows differently: another name, another type, or something computed. A field the
record lacks and the caller does not give fails at once, naming the attribute."""

from dataclasses import fields, is_dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


def field_names(shape: type) -> list[str]:
    """The fields a dataclass or a pydantic model is constructed with."""
    if is_dataclass(shape):
        return [field.name for field in fields(shape) if field.init]
    if issubclass(shape, BaseModel):
        return list(shape.model_fields)
    raise TypeError(f"{shape.__name__} is neither a dataclass nor a pydantic model")


def from_attributes(shape: type[T], record: object, **given: Any) -> T:
    """`shape` with the `given` fields, and every other field read from `record`'s attribute
    of the same name."""
    taken = {name: getattr(record, name) for name in field_names(shape) if name not in given}
    return shape(**taken, **given)
