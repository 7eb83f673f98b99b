"""The OpenRosa server ODK Collect talks to: `/odk/<device token>/formList`, `…/submission`.

ODK Collect is used unchanged, so this follows the OpenRosa 1.0 APIs as Collect exercises them:
every answer carries `X-OpenRosa-Version: 1.0` and `Date`; the form list is an `xforms` document
(form id, version, `md5:` hash, absolute download URL); `HEAD …/submission` answers 204 with
`X-OpenRosa-Accept-Content-Length`, which is how Collect learns when to split a submission over
several POSTs; each POST answers an `OpenRosaResponse` whose message Collect shows to the user.

The token in the path is the credential (`field.odk.devices`): unknown or revoked → 401 before
anything is read or stored. What the device must resend (not XML, an unknown form, too large)
gets a 4xx and is not kept; a submission whose answers cannot become a finding is kept for
review and answered 202 (received), since resending could never fix it. Like every entry layer
this only parses and renders; the rules are in `field.odk`.
"""

from __future__ import annotations

import email.utils
import logging
import threading
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from field import i18n
from field.config import Settings
from field.domain.errors import FieldError
from field.odk import devices, form, submissions

if TYPE_CHECKING:
    from field.runtime import Runtime

log = logging.getLogger(__name__)

OPENROSA_RESPONSE = "http://openrosa.org/http/response"
XFORMS_LIST = "http://openrosa.org/xforms/xformsList"
MANIFEST = "http://openrosa.org/xforms/xformsManifest"
XML_TYPE = "text/xml; charset=utf-8"
MAX_FIELDS = 100
_STATUS_OF = {"odk.unknown_form": 404, "odk.instance_taken": 409}


class OpenRosa:
    def __init__(self, settings: Settings, runtime: Runtime | None = None) -> None:
        self.settings = settings
        self.max_bytes = settings.odk_max_request_mb * 1024 * 1024
        self._rt = runtime
        self._lock = threading.Lock()

    # -- plumbing -------------------------------------------------------------------------------

    def runtime(self) -> Runtime:
        """Opened on first use, so the process starts (and /healthz answers) without the database."""
        with self._lock:
            if self._rt is None:
                from field.runtime import open_runtime

                self._rt = open_runtime(self.settings)
            return self._rt

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        h = {"X-OpenRosa-Version": "1.0", "Date": email.utils.formatdate(usegmt=True)}
        return {**h, **(extra or {})}

    def message(self, status: int, text: str, *, nature: str = "") -> Response:
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<OpenRosaResponse xmlns="{OPENROSA_RESPONSE}">'
                f'<message nature="{nature}">{escape(text)}</message></OpenRosaResponse>')
        return Response(body.encode("utf-8"), status_code=status, media_type=XML_TYPE,
                        headers=self.headers({"X-OpenRosa-Accept-Content-Length": str(self.max_bytes)}))

    def base(self, request: Request, token: str) -> str:
        root = self.settings.public_url.strip() or str(request.base_url)
        return devices.server_url(root, token)

    def _device_user(self, token: str) -> tuple[int, str] | None:
        with self.runtime().uow() as s:
            device = devices.resolve(s, token)
            if device is None:
                return None
            devices.touch(s, device)
            return device.id, device.user.lang or self.settings.default_lang

    async def _auth(self, request: Request) -> tuple[int, str] | Response:
        found = await run_in_threadpool(self._device_user, request.path_params["token"])
        if found is None:
            return self.message(401, i18n.t("odk.bad_token", self.settings.default_lang), nature="error")
        return found

    # -- endpoints ------------------------------------------------------------------------------

    async def form_list(self, request: Request) -> Response:
        auth = await self._auth(request)
        if isinstance(auth, Response):
            return auth
        xf = form.xform()
        wanted = request.query_params.get("formID")
        base = self.base(request, request.path_params["token"])
        items = ""
        if wanted in (None, "", xf.form_id):
            items = (f"<xform><formID>{xf.form_id}</formID><name>{escape(xf.title)}</name>"
                     f"<version>{xf.version}</version><hash>{xf.md5}</hash><descriptionText></descriptionText>"
                     f"<downloadUrl>{escape(base)}/forms/{xf.form_id}/form.xml</downloadUrl></xform>")
        body = f'<?xml version="1.0" encoding="UTF-8"?>\n<xforms xmlns="{XFORMS_LIST}">{items}</xforms>'
        return Response(body.encode("utf-8"), media_type=XML_TYPE, headers=self.headers())

    async def form_xml(self, request: Request) -> Response:
        auth = await self._auth(request)
        if isinstance(auth, Response):
            return auth
        xf = form.xform()
        if request.path_params["form_id"] != xf.form_id:
            return self.message(404, i18n.t("odk.unknown_form", auth[1], form=request.path_params["form_id"][:64]),
                                nature="error")
        return Response(xf.xml, media_type=XML_TYPE, headers=self.headers())

    async def manifest(self, request: Request) -> Response:
        """The form has no media files; an empty manifest is still a valid answer."""
        auth = await self._auth(request)
        if isinstance(auth, Response):
            return auth
        body = f'<?xml version="1.0" encoding="UTF-8"?>\n<manifest xmlns="{MANIFEST}"></manifest>'
        return Response(body.encode("utf-8"), media_type=XML_TYPE, headers=self.headers())

    async def submission(self, request: Request) -> Response:
        auth = await self._auth(request)
        if isinstance(auth, Response):
            return auth
        device_id, lang = auth
        if request.method == "HEAD":
            location = f"{self.base(request, request.path_params['token'])}/submission"
            return Response(status_code=204, headers=self.headers(
                {"X-OpenRosa-Accept-Content-Length": str(self.max_bytes), "Location": location}))
        too_large = self.message(413, i18n.t("odk.too_large", lang, max_mb=self.settings.odk_max_request_mb),
                                 nature="error")
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > self.max_bytes:
            return too_large
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            return self.message(400, i18n.t("odk.not_multipart", lang), nature="error")
        body = bytearray()
        async for chunk in request.stream():  # counted, so a request without a length is bounded too
            body.extend(chunk)
            if len(body) > self.max_bytes:
                return too_large
        request._body = bytes(body)  # starlette parses the form from the cached body
        try:
            data = await request.form(max_files=submissions.MAX_ATTACHMENTS + 1, max_fields=MAX_FIELDS,
                                      max_part_size=self.max_bytes)
        except Exception as exc:  # noqa: BLE001 - python-multipart's and starlette's parse errors alike
            log.info("unreadable multipart from device %s: %s", device_id, exc)
            return self.message(400, i18n.t("odk.malformed", lang), nature="error")
        xml_part = data.get("xml_submission_file")
        if xml_part is None:
            return self.message(400, i18n.t("odk.no_xml", lang), nature="error")
        xml = await xml_part.read() if isinstance(xml_part, UploadFile) else str(xml_part).encode("utf-8")
        files: dict[str, bytes] = {}
        for key, value in data.multi_items():
            if key != "xml_submission_file" and isinstance(value, UploadFile):
                files[value.filename or key] = await value.read()
        complete = str(data.get("*isIncomplete*") or "").lower() != "yes"
        await data.close()
        return await run_in_threadpool(self._receive, device_id, lang, xml, files, complete)

    def _receive(self, device_id: int, lang: str, xml: bytes, files: dict[str, bytes], complete: bool) -> Response:
        from field.data.odk_models import OdkDevice

        rt = self.runtime()
        try:
            with rt.uow() as s:
                device = s.get(OdkDevice, device_id)
                assert device is not None
                got = submissions.receive(s, device, xml, files, complete=complete,
                                          stores=submissions.Stores.under(rt.store))
                row = got.submission
                if got.finding is not None:
                    key = "odk.duplicate" if got.duplicate else "odk.received"
                    text = i18n.t(key, lang, finding=got.finding.id)
                elif row.state == "rejected":
                    text = i18n.t("odk.was_rejected", lang)
                elif row.state == "review":
                    text = i18n.t("odk.in_review", lang, reason=submissions.reason_text(row, lang))
                else:
                    text = i18n.t("odk.part_received", lang)
                status = got.status
        except FieldError as exc:
            return self.message(_STATUS_OF.get(exc.key, 400), i18n.error_text(exc, lang), nature="error")
        return self.message(status, text, nature="submit_success")


def routes(settings: Settings, runtime: Runtime | None = None) -> list[BaseRoute]:
    server = OpenRosa(settings, runtime)
    prefix = devices.PATH_PREFIX + "/{token}"
    return [
        Route(prefix + "/formList", server.form_list, methods=["GET"]),
        Route(prefix + "/forms/{form_id}/form.xml", server.form_xml, methods=["GET"]),
        Route(prefix + "/forms/{form_id}/manifest", server.manifest, methods=["GET"]),
        Route(prefix + "/submission", server.submission, methods=["HEAD", "POST"]),
    ]
