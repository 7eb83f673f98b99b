"""Alembic environment: uses the engine/connection handed over by field.data.db, or FIELD_DATABASE_URL."""

from alembic import context

from field.data.schema import metadata

config = context.config
target_metadata = metadata


def run_migrations_offline() -> None:
    from field.config import load_settings

    context.configure(url=load_settings().database_url, target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = config.attributes.get("engine")
    if engine is None:
        from field.config import load_settings
        from field.data.db import make_engine

        engine = make_engine(load_settings().database_url)
    with engine.connect() as conn:
        # SQLite batch migrations recreate a table (copy, drop, rename): with foreign keys on, the
        # DROP would cascade-delete the rows that reference it (case_results of cases). The pragma
        # only takes effect outside a transaction, so it is set before and restored after.
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        try:
            with conn.begin():
                context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
                with context.begin_transaction():
                    context.run_migrations()
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
