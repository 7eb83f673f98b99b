"""How services reach the signing key and the checkpoint log without a global or a parameter on
every call: the runtime puts one `Trust` into every session's `info` (`install`), and a service
that signs asks `of(session)`.

A checkpoint must describe what is committed, never what a transaction that may still roll back
has flushed (a checkpoint claiming a sign-off that was rolled back would later read as a deleted
tail). So services only *ask* for one (`checkpoint_due`), and an `after_commit` hook on the
session factory writes it from a fresh connection once the commit has happened. A checkpoint
that fails to write (store unreachable) is logged and left to the next one: it never undoes or
blocks the sign-off that asked for it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from field.domain.errors import FieldError
from field.photos.store import PhotoStore
from field.trust import keys

log = logging.getLogger(__name__)
_DUE = "field.checkpoint_due"


@dataclass
class Trust:
    key_file: Path
    store: PhotoStore
    keyring_file: Path | None = None
    _key: keys.SigningKey | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def keyring_path(self) -> Path:
        return self.keyring_file or keys.keyring_path(self.key_file)

    def signing_key(self) -> keys.SigningKey:
        """The private key, read once per process; `signing.no_key` / `signing.bad_key` otherwise."""
        with self._lock:
            if self._key is None:
                self._key = keys.load_signing_key(self.key_file)
            return self._key

    def keyring(self) -> keys.Keyring:
        """Every public key a signature may name: the keyring file (what a verifier copies)."""
        ring = keys.load_keyring(self.keyring_path)
        if not ring.keys:
            raise FieldError("signing.no_keyring", path=str(self.keyring_path))
        return ring


def of(session: Session) -> Trust:
    trust = session.info.get("trust")
    if not isinstance(trust, Trust):
        raise FieldError("signing.not_configured")
    return trust


def checkpoint_due(session: Session) -> None:
    """Ask for a checkpoint after this session's next commit."""
    session.info[_DUE] = True


def install(sessions: sessionmaker[Session], engine: Engine, trust: Trust) -> None:
    """Give every session from `sessions` the trust context, and write a checkpoint after each
    commit that asked for one."""
    sessions.configure(info={"trust": trust})

    def after_commit(session: Session) -> None:
        # SQLAlchemy also reports a SAVEPOINT's release as a commit (signoff.sign uses one):
        # only the outermost commit has made the sign-off visible to anyone else.
        if session.in_nested_transaction() or not session.info.pop(_DUE, False):
            return
        from field.trust import checkpoints

        try:
            checkpoints.append(engine, trust)
        except Exception:  # the commit has happened: nothing may turn it into a failure now
            log.exception("checkpoint not written; the next one will cover this commit")

    event.listen(sessions, "after_commit", after_commit)
