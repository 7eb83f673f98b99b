"""Photos in an S3-compatible bucket (`FIELD_PHOTO_STORE=s3://bucket/prefix`): what lets several
app replicas, on several machines, see the same photos and the same checkpoint log.

Decisions:
- **boto3** (pinned in requirements.txt): the reference S3 client, maintained by AWS, speaking
  to any S3-compatible service (SeaweedFS in the tests, MinIO, Ceph RGW, the clouds' object
  stores) with path-style addressing, SigV4 signing, retries and timeouts we set.
- **Written once**: `write_once` asks `HEAD` first (the common case of a repeat upload costs no
  upload) and then puts with `If-None-Match: *`, so two replicas racing on the same bytes
  cannot overwrite each other (412 means "already there": the same content, by its name).
- **Read through the app**, not presigned URLs: a page asks a scoped service for the photo row
  (the user's county scope and role decide), then reads the bytes here and hands them to the
  browser on the app's own origin. Presigned URLs would need the bucket reachable from every
  browser (often not so on an intranet), a CSP opening for it, and would let a link outlive the
  permission that produced it for as long as it is valid.
- **Errors are FieldErrors** with zh/en text: unreachable endpoint (`store.unreachable`),
  refused credentials (`store.denied`), missing bucket (`store.no_bucket`), anything else
  (`store.failed`, with the service's error code). A missing object is `FileNotFoundError`,
  as on a local disk, so callers handle both stores alike. No message carries a secret.
- **The checkpoint lock** is an object created with `If-None-Match: *` (only one process can
  create it), removed on release; a lock older than `LOCK_STALE_S` was left by a process that
  died holding it and is broken. HEAD is then replaced with `If-Match` on the ETag read under
  the lock, so even a broken lock cannot make two appends both win.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from field.domain.errors import FieldError
from field.photos.store import PhotoStore, S3Options

LOCK_KEY = "checkpoints/.lock"
LOCK_STALE_S = 120.0
LOCK_WAIT_S = 60.0

_DENIED = {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken",
           "ExpiredToken", "AuthorizationHeaderMalformed", "403"}
_MISSING = {"NoSuchKey", "404", "NotFound"}


def parse_url(url: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix` -> ("bucket", "some/prefix"); ValueError if no bucket."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(url)
    return parts.netloc, parts.path.strip("/")


class S3PhotoStore(PhotoStore):
    def __init__(self, bucket: str, prefix: str, options: S3Options, client: Any = None):
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.options = options
        self._client = client
        self._client_lock = threading.Lock()
        self.lock_wait_s = LOCK_WAIT_S
        self._bucket_seen = False
        self.lock_stale_s = LOCK_STALE_S
        self._local = threading.local()  # the checkpoint lock's state, per thread

    @classmethod
    def from_url(cls, url: str, options: S3Options) -> S3PhotoStore:
        bucket, prefix = parse_url(url)
        return cls(bucket, prefix, options)

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}".rstrip("/")

    def __repr__(self) -> str:
        return f"S3PhotoStore({self.describe()!r}, endpoint={self.options.endpoint!r})"

    @property
    def client(self) -> Any:
        """One boto3 client per store (thread-safe for requests), built on first use so that
        opening the app does not need the service to be up."""
        if self._client is None:
            with self._client_lock:
                if self._client is None:
                    import boto3
                    from botocore.config import Config

                    o = self.options
                    self._client = boto3.session.Session().client(
                        "s3", endpoint_url=o.endpoint or None, region_name=o.region or None,
                        aws_access_key_id=o.access_key or None, aws_secret_access_key=o.secret_key or None,
                        config=Config(s3={"addressing_style": "path" if o.path_style else "auto"},
                                      connect_timeout=o.timeout_s, read_timeout=o.timeout_s,
                                      retries={"max_attempts": 3, "mode": "standard"},
                                      max_pool_connections=20))
        return self._client

    def key(self, relative: str) -> str:
        rel = relative.strip("/")
        if not rel or ".." in rel.split("/"):
            raise ValueError(f"not a store key: {relative!r}")
        return f"{self.prefix}/{rel}" if self.prefix else rel

    def _relative(self, key: str) -> str:
        return key[len(self.prefix) + 1:] if self.prefix else key

    # -- errors -----------------------------------------------------------------------------

    def _error(self, exc: Exception) -> Exception:
        """The FieldError (or FileNotFoundError) a botocore exception means here."""
        from botocore.exceptions import (
            ClientError,
            ConnectionClosedError,
            ConnectTimeoutError,
            EndpointConnectionError,
            NoCredentialsError,
            ReadTimeoutError,
        )

        where = {"store": self.describe(), "endpoint": self.options.endpoint or "(default)"}
        if isinstance(exc, EndpointConnectionError | ConnectTimeoutError | ConnectionClosedError | ReadTimeoutError):
            return FieldError("store.unreachable", **where)
        if isinstance(exc, NoCredentialsError):
            return FieldError("store.denied", code="NoCredentials", **where)
        if isinstance(exc, ClientError):
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code == "NoSuchBucket":
                return FieldError("store.no_bucket", bucket=self.bucket, **where)
            if code in _DENIED:
                return FieldError("store.denied", code=code, **where)
            if code in _MISSING:
                return FileNotFoundError(code)
            return FieldError("store.failed", code=code or type(exc).__name__, **where)
        return FieldError("store.failed", code=type(exc).__name__, **where)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield
        except (BotoCoreError, ClientError) as exc:
            raise self._error(exc) from exc

    def check(self) -> None:
        try:
            with self._errors():
                self.client.head_bucket(Bucket=self.bucket)
                self._bucket_seen = True
        except FileNotFoundError:  # HEAD has no body, so no "NoSuchBucket" code: a bare 404
            raise FieldError("store.no_bucket", bucket=self.bucket, store=self.describe(),
                             endpoint=self.options.endpoint or "(default)") from None

    # -- object operations ------------------------------------------------------------------

    def read(self, relative: str) -> bytes:
        with self._errors():
            resp = self.client.get_object(Bucket=self.bucket, Key=self.key(relative))
            with resp["Body"] as body:
                data: bytes = body.read()
        return data

    def exists(self, relative: str) -> bool:
        try:
            with self._errors():
                self.client.head_object(Bucket=self.bucket, Key=self.key(relative))
        except FileNotFoundError:
            # a HEAD has no body: a missing bucket answers 404 too; tell them apart (once: a
            # bucket that existed is not asked about again on every missing key)
            if not self._bucket_seen:
                self.check()
            return False
        self._bucket_seen = True
        return True

    def write_once(self, relative: str, content: bytes) -> bool:
        from botocore.exceptions import ClientError

        if self.exists(relative):
            return False
        try:
            self.client.put_object(Bucket=self.bucket, Key=self.key(relative), Body=content, IfNoneMatch="*")
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("PreconditionFailed", "412",
                                                              "ConditionalRequestConflict"):
                return False  # another process wrote the same name (the same bytes) first
            raise self._error(exc) from exc
        except Exception as exc:
            from botocore.exceptions import BotoCoreError

            if isinstance(exc, BotoCoreError):
                raise self._error(exc) from exc
            raise
        return True

    def replace(self, relative: str, content: bytes) -> None:
        extra: dict[str, str] = {}
        if relative == self.CHECKPOINT_HEAD and getattr(self._local, "locked", False):
            # under the lock: replace only the HEAD this process read (compare and swap)
            etag = getattr(self._local, "head_etag", None)
            extra = {"IfMatch": etag} if etag else {"IfNoneMatch": "*"}
        with self._errors():
            resp = self.client.put_object(Bucket=self.bucket, Key=self.key(relative), Body=content, **extra)
        if relative == self.CHECKPOINT_HEAD:
            self._local.head_etag = resp.get("ETag")

    def objects(self, under: str = "") -> Iterator[tuple[str, float]]:
        prefix = self.key(under) + "/" if under else (self.prefix + "/" if self.prefix else "")
        with self._errors():
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
            for page in pages:
                for obj in page.get("Contents", []):
                    rel = self._relative(obj["Key"])
                    if rel and not rel.endswith("/"):
                        yield rel, obj["LastModified"].timestamp()

    def delete(self, relative: str) -> None:
        with self._errors():
            self.client.delete_object(Bucket=self.bucket, Key=self.key(relative))

    def checkpoint_head(self) -> str | None:
        """As the base class, remembering the ETag so the next HEAD replace is conditional."""
        try:
            with self._errors():
                resp = self.client.get_object(Bucket=self.bucket, Key=self.key(self.CHECKPOINT_HEAD))
                with resp["Body"] as body:
                    text = body.read().decode("ascii")
        except FileNotFoundError:
            self._local.head_etag = None
            return None
        self._local.head_etag = resp.get("ETag")
        return self._check_sha(text.strip())

    @contextmanager
    def checkpoint_lock(self) -> Iterator[None]:
        from botocore.exceptions import ClientError

        token = uuid.uuid4().hex.encode("ascii")
        deadline = time.monotonic() + self.lock_wait_s
        pause = 0.05
        while True:
            try:
                self.client.put_object(Bucket=self.bucket, Key=self.key(LOCK_KEY), Body=token, IfNoneMatch="*")
                break
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") not in ("PreconditionFailed", "412",
                                                                      "ConditionalRequestConflict"):
                    raise self._error(exc) from exc
            except Exception as exc:
                from botocore.exceptions import BotoCoreError

                if isinstance(exc, BotoCoreError):
                    raise self._error(exc) from exc
                raise
            if self._lock_is_stale():
                self.delete(LOCK_KEY)
                continue
            if time.monotonic() > deadline:
                raise FieldError("store.locked", store=self.describe())
            time.sleep(pause)  # another process is appending a checkpoint: back off and retry
            pause = min(pause * 2, 1.0)
        self._local.locked, self._local.head_etag = True, None
        try:
            yield
        finally:
            self._local.locked, self._local.head_etag = False, None
            try:
                if self.read(LOCK_KEY) == token:
                    self.delete(LOCK_KEY)
            except (FileNotFoundError, FieldError):
                pass  # broken as stale by another process, or the service went away: it expires

    def _lock_is_stale(self) -> bool:
        try:
            with self._errors():
                head = self.client.head_object(Bucket=self.bucket, Key=self.key(LOCK_KEY))
        except FileNotFoundError:
            return False
        age = dt.datetime.now(dt.UTC) - head["LastModified"]
        return age.total_seconds() > self.lock_stale_s
