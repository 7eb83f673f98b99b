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
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
