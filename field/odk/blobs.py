"""Attachments exactly as a device sent them, named by SHA-256, written once.

A photo that passes the pipeline is also in the `PhotoStore`; this keeps every attachment
(including one the pipeline refused) so a submission in review still has its files when a case
officer looks at it. It lives in the photo store under `submissions/` (a folder or a bucket,
whichever `FIELD_PHOTO_STORE` names), so backups and `migrate-photos` carry it and every
replica sees the attachments another replica received.
"""

from __future__ import annotations

import hashlib
import re

from field.photos.store import PhotoStore

_SHA_RE = re.compile(r"^[0-9a-f]{64}$")


class BlobStore:
    FOLDER = "submissions"

    def __init__(self, store: PhotoStore):
        self.store = store

    def key(self, sha256: str) -> str:
        if not _SHA_RE.match(sha256):
            raise ValueError(f"not a sha256: {sha256!r}")
        return f"{self.FOLDER}/{sha256[:2]}/{sha256}"

    def put(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        self.store.write_once(self.key(sha), data)
        return sha

    def get(self, sha256: str) -> bytes:
        return self.store.read(self.key(sha256))

    def has(self, sha256: str) -> bool:
        return self.store.exists(self.key(sha256))
