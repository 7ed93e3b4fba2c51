"""The unit of work under every repository: one tenant, one engine, one transaction at a time.

:class:`UnitOfWork` holds the engine, the tenant and the open transaction. Every repository method runs in
a transaction: the caller's when inside :meth:`UnitOfWork.atomic`, else its own.
:meth:`UnitOfWork.in_transaction` runs a piece of work in one transaction, once more after a race with another
writer (:mod:`configurator.storage.retry`).

Example:
    >>> from configurator.storage import make_engine, upgrade
    >>> from sqlalchemy import text
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> unit = UnitOfWork(engine, "shop")
    >>> unit.current_session is None
    True
    >>> with unit.atomic():
    ...     unit.in_transaction(lambda: unit.session.execute(text("select 1")).scalar_one())
    1
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, Self, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from configurator.customers.identity import DEFAULT_REGION
from configurator.storage.retry import retrying

__all__ = ["UnitOfWork"]

_T = TypeVar("_T")


class UnitOfWork:
    """The engine, tenant and open transaction that every repository of :class:`~.store.SqlStore` runs in.

    Use one per thread.

    Args:
        engine: the database (SQLite or PostgreSQL).
        tenant: the tenant every call is scoped to.
        region: the default phone region of the identity rules (``None``: international numbers only).
    """

    def __init__(self, engine: Engine, tenant: str, *, region: str | None = DEFAULT_REGION) -> None:
        self.engine = engine
        self._tenant = tenant
        self.region = region
        self._current: Session | None = None
        self._connection: Connection | None = None

    @classmethod
    def joining(cls, session: Session, tenant: str) -> Self:
        """A store whose every call runs in ``session``'s transaction (the caller commits or rolls back).

        Example:
            >>> from configurator.storage import make_engine, upgrade
            >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
            >>> with Session(engine) as session, session.begin():
            ...     unit = UnitOfWork.joining(session, "shop")
            ...     unit.current_session is session
            True
        """
        bind = session.get_bind()
        unit = cls(bind if isinstance(bind, Engine) else bind.engine, tenant)
        unit._current = session
        unit._connection = session.connection()
        return unit

    @property
    def tenant(self) -> str:
        """The tenant every call is scoped to."""
        return self._tenant

    @property
    def current_session(self) -> Session | None:
        """The session of the open :meth:`atomic` block (or of :meth:`joining`), or None outside one."""
        return self._current

    @contextlib.contextmanager
    def atomic(self) -> Iterator[None]:
        """A transaction; nested calls join the outer one."""
        if self._current is not None:
            yield
            return
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            self._current = session
            self._connection = session.connection()
            try:
                yield
            finally:
                self._current = None
                self._connection = None

    @property
    def session(self) -> Session:
        """The session of the current :meth:`atomic` block.

        Raises:
            RuntimeError: outside an :meth:`atomic` block.
        """
        if self._current is None:
            raise RuntimeError("SqlStore.session is only available inside store.atomic()")
        return self._current

    def execute(self, stmt: Any, params: dict[str, Any]) -> Any:
        """Execute a prebuilt Core statement on the current transaction's connection (no ORM overhead).

        Raises:
            RuntimeError: outside an :meth:`atomic` block.
        """
        if self._connection is None:
            raise RuntimeError("SqlStore statements run inside store.atomic()")
        return self._connection.execute(stmt, params)

    def in_transaction(self, work: Callable[[], _T]) -> _T:
        """``work()`` in one transaction, run once more after a race with another writer.

        A deadlock, serialization failure, lock wait that ran out or unique-key race (two writers inserting
        the same natural key) rolls the transaction back and runs ``work`` once more in a new transaction, so
        it sees what the other writer committed; a second failure, and any other error (NOT NULL, CHECK,
        foreign key, ...), is raised unchanged (:func:`~configurator.storage.retry.retrying`). Inside an open
        :meth:`atomic` block it just runs ``work`` (the outer transaction decides).
        """
        if self._current is not None:
            return work()

        def attempt() -> _T:
            with (
                self.atomic()
            ):  # a new transaction per attempt: a retry re-reads what the other writer committed
                return work()

        return retrying(attempt)
