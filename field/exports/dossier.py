"""一案一档: the per-case dossier as one zip a 档案资料组 can file away and check without the app.

Why it looks like this:
- the ORIGINAL photo files go in byte for byte (never the display copies), named by kind and
  SHA-256 prefix, and `SHA256SUMS.txt` lists their full hashes, so anyone can prove with a stock
  tool (certutil / sha256sum) that each file is the one received, years later, on any machine;
- `records.json` holds the rows behind the sheets (finding, site, case, verification records,
  sign-offs with content/prev/chain hashes) and the audit history, so the dossier is complete
  without the database and the chain can be re-checked against `python -m field verify`;
- 议定事项 of the 调度会 about the case or its sites are in records.json with the dispatch pack
  they were decided on (from the report archive; its .docx under reports/ when the archive
  folder is given), so the case's file shows what the meeting decided and on which figures;
- the PDF sheets are what people read; README.txt (in Chinese) says what is where and how to check;
- anything wrong found while packing (a photo file missing or no longer matching its hash, a
  signed record whose content no longer matches its hash, no CJK font for the PDFs) is written
  into README.txt and records.json instead of being hidden or failing the whole export.

Scope: the actor needs `dossier.export` and every finding's county in scope.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import and_, inspect, or_, select
from sqlalchemy.orm import Session

from field.data.models import (
    AuditEvent,
    Case,
    County,
    Finding,
    FindingPhoto,
    Photo,
    SignOff,
    User,
    Verification,
)
from field.domain import clock
from field.domain.errors import FieldError
from field.domain.permissions import require
from field.exports.sheets import load_sheet, parse_ref, render, verification_code
from field.i18n import t
from field.services.audit import jsonable
from field.services.signoff import content_hash

FORMAT = "field.dossier/1"


def _row(obj: Any, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every mapped column of a row, as JSON-able values (the record as stored, nothing derived)."""
    return {c.key: jsonable(getattr(obj, c.key)) for c in inspect(obj).mapper.column_attrs if c.key not in skip}


def _who(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.id, "username": user.username, "name": user.display_name, "role": user.role}


def _findings_for(session: Session, actor: User, ref: int | str) -> tuple[Case | None, list[Finding], str]:
    kind, number = parse_ref(ref, default="F")
    if kind == "C":
        case = session.get(Case, number)
        if case is None:
            raise FieldError("dossier.not_found", ref=f"C{number}")
        require(actor, "dossier.export", case.county_adcode, check_county=case.county_adcode is not None)
        found = list(session.scalars(select(Finding).where(Finding.case_id == case.id).order_by(Finding.id)))
        if not found:
            raise FieldError("dossier.empty_case", ref=case.case_no)
        return case, found, f"C{case.id}"
    if kind != "F":
        raise FieldError("sheet.bad_ref", ref=str(ref)[:40])
    finding = session.get(Finding, number)
    if finding is None:
        raise FieldError("finding.not_found", id=number)
    return finding.case, [finding], f"F{finding.id}"


def _audit(session: Session, finding: Finding, records: list[Verification], signoffs: list[SignOff],
           photo_ids: list[int]) -> list[dict[str, Any]]:
    keys = [("finding", [finding.id]), ("site", [finding.site_id]), ("verification", [r.id for r in records]),
            ("signoff", [s.id for s in signoffs]), ("photo", photo_ids)]
    if finding.case_id is not None:
        keys.append(("case", [finding.case_id]))
    conds = [and_(AuditEvent.entity == entity, AuditEvent.entity_id.in_([str(i) for i in ids]))
             for entity, ids in keys if ids]
    events = session.scalars(select(AuditEvent).where(or_(*conds)).order_by(AuditEvent.id))
    return [_row(e) for e in events]


def _original_bytes(store: Any, photo: Photo) -> tuple[bytes | None, str]:
    try:
        data = store.read(photo.original_path)
    except FileNotFoundError:
        return None, "missing"
    return data, "ok" if hashlib.sha256(data).hexdigest() == photo.sha256 else "altered"


def _readme(label: str, case: Case | None, findings: list[dict[str, Any]], problems: list[dict[str, Any]],
            generated: str, actor: User, lang: str = "zh") -> str:
    """The dossier's README.txt: what is in it and how anyone can check it without the app. The
    sentences are the catalog's (`dossier.readme.*`), in the language of the export."""
    lines = t("dossier.readme.head", lang, label=label, generated=generated,
              name=actor.display_name or actor.username, username=actor.username).split("\n")
    if case is not None:
        batch = t("dossier.readme.batch", lang, batch=case.batch) if case.batch is not None else ""
        lines.append(t("dossier.readme.case", lang, case_no=case.case_no, batch=batch))
    for f in findings:
        lines.append(t("dossier.readme.finding", lang, id=f["id"], site=f["site"]["name"],
                       description=f["description"][:60]))
    lines += t("dossier.readme.body", lang).split("\n")
    if problems:
        for p in problems:
            where = " ".join(f"{k}={v}" for k, v in p.items() if k not in ("kind",))
            lines.append(t("dossier.readme.problem", lang, problem=t("dossier.problem." + p["kind"], lang),
                           where=where))
    else:
        lines.append(t("dossier.readme.no_problems", lang))
    lines.append("")
    return "\r\n".join(lines)  # CRLF: read on Windows Notepad as often as anywhere


def _decisions(session: Session, case: Case | None, found: list[Finding], reports_dir: Path | None,
               files: list[tuple[str, bytes, bool]], sums: list[str], problems: list[dict[str, Any]]
               ) -> list[dict[str, Any]]:
    """The 议定事项 about this case or its sites, each with the archived dispatch pack it was
    decided on (id, period, SHA-256); with `reports_dir` the pack's .docx goes into reports/ too,
    listed in SHA256SUMS like the photos, so the dossier shows what the meeting had before it."""
    from field.data.report_models import DispatchDecision, ReportArchive

    about = []
    if case is not None:
        about.append(DispatchDecision.case_id == case.id)
    sites = sorted({f.site_id for f in found})
    if sites:
        about.append(DispatchDecision.site_id.in_(sites))
    if not about:
        return []
    out = []
    for d in session.scalars(select(DispatchDecision).where(or_(*about)).order_by(DispatchDecision.id)):
        pack = session.get(ReportArchive, d.report_id)
        entry = _row(d)
        if pack is not None:
            entry["pack"] = {"id": pack.id, "kind": pack.kind, "period": [jsonable(pack.period_start),
                             jsonable(pack.period_end)], "sha256": pack.sha256, "filename": pack.filename, "file": None}
            if reports_dir is not None:
                path = Path(reports_dir) / pack.sha256[:2] / pack.sha256[2:4] / f"{pack.sha256}.docx"
                data = path.read_bytes() if path.is_file() else None
                if data is not None and hashlib.sha256(data).hexdigest() == pack.sha256:
                    name = f"reports/{pack.filename}"
                    if name not in {n for n, _, _ in files}:
                        files.append((name, data, True))
                        sums.append(f"{pack.sha256}  {name}")
                    entry["pack"]["file"] = name
                else:
                    problems.append({"kind": "report_missing", "report": pack.id, "sha256": pack.sha256})
        out.append(entry)
    return out


def case_dossier(session: Session, actor: User, finding_id_or_case_id: int | str, store: Any, *,
                 lang: str = "zh", base_url: str = "", now: dt.datetime | None = None,
                 pdf_font: str = "", reports_dir: Path | None = None) -> bytes:
    """The 一案一档 zip of one finding (int or "F12") or of every finding of a case ("C12").

    Raises `FieldError` for unknown ids or bad references and `PermissionDenied` when the actor
    may not export or any finding lies outside the actor's counties (a dossier with parts left
    out silently would look complete when it is not).
    """
    now = now or clock.now()
    require(actor, "dossier.export", check_county=False)
    case, found, label = _findings_for(session, actor, finding_id_or_case_id)
    for finding in found:
        require(actor, "dossier.export", finding.site.county_adcode)

    files: list[tuple[str, bytes, bool]] = []  # name, data, compress
    sums: list[str] = []
    problems: list[dict[str, Any]] = []
    out_findings: list[dict[str, Any]] = []
    font_missing = False
    for finding in found:
        records = list(session.scalars(select(Verification).where(Verification.finding_id == finding.id)
                                       .order_by(Verification.id)))
        signoffs = list(session.scalars(select(SignOff).where(SignOff.finding_id == finding.id)
                                        .order_by(SignOff.id)))
        links = list(session.scalars(select(FindingPhoto).where(FindingPhoto.finding_id == finding.id)
                                     .order_by(FindingPhoto.id)))
        photos_out = []
        for link in links:
            photo = link.photo
            ext = PurePosixPath(photo.original_path).suffix.lower() or ".bin"
            name = f"photos/F{finding.id}/{link.kind}_{photo.sha256[:16]}{ext}"
            data, integrity = _original_bytes(store, photo)
            if data is not None:
                files.append((name, data, False))
                sums.append(f"{photo.sha256}  {name}")
            if integrity != "ok":
                problems.append({"kind": f"photo_{integrity}", "finding": finding.id, "photo": photo.sha256,
                                 "file": photo.original_path})
            entry = _row(photo, skip=("original_path", "display_path", "thumb_path"))
            entry.update({"file": name if data is not None else None, "kind": link.kind, "flags": link.flags,
                          "verification_id": link.verification_id, "added_at": jsonable(link.added_at),
                          "added_by": link.added_by, "integrity": integrity})
            photos_out.append(entry)

        records_out = []
        for record in records:
            so = next((s for s in reversed(signoffs) if s.verification_id == record.id), None)
            sheet_name = f"sheets/F{finding.id}_V{record.id}" + (f"_S{so.id}" if so else "_unsigned") + ".pdf"
            entry = _row(record)
            entry["author"] = _who(record.author)
            entry["sheet"] = None
            if not font_missing:
                try:
                    pdf = render(load_sheet(session, actor, so or record), store, lang=lang, base_url=base_url,
                                 printed_by=actor.display_name or actor.username, now=now,
                                 pdf_font=pdf_font)
                    files.append((sheet_name, pdf, True))
                    entry["sheet"] = sheet_name
                except FieldError as exc:
                    if exc.key != "sheet.no_cjk_font":
                        raise
                    font_missing = True
                    problems.append({"kind": "no_font"})
            records_out.append(entry)

        signoffs_out = []
        for so in signoffs:
            signed = next((r for r in records if r.id == so.verification_id), None)
            matches = signed is not None and content_hash(session, signed, finding, so) == so.content_hash
            if not matches:
                problems.append({"kind": "content_changed", "finding": finding.id, "signoff": so.id})
            entry = _row(so)
            entry.update({"signer": _who(so.signer), "verification_code": verification_code(so.chain_hash),
                          "content_hash_matches_now": matches})
            signoffs_out.append(entry)

        site = finding.site
        county = session.get(County, site.county_adcode) if site.county_adcode else None
        f_out = _row(finding, skip=("client_token",))
        f_out.update({
            "author": _who(finding.author),
            "site": {**_row(site), "county_name": county.name if county else None, "coordinate_system": "WGS-84"},
            "photos": photos_out, "verifications": records_out, "signoffs": signoffs_out,
            "audit": _audit(session, finding, records, signoffs, [link.photo_id for link in links]),
        })
        out_findings.append(f_out)

    decided = _decisions(session, case, found, reports_dir, files, sums, problems)
    generated = clock.local(now).strftime("%Y-%m-%d %H:%M:%S")
    doc = {
        "format": FORMAT,
        "dossier": label,
        "generated_at": now.isoformat(),
        "generated_by": _who(actor),
        "case": _row(case) if case is not None else None,
        "findings": out_findings,
        "decisions": decided,
        "problems": problems,
    }
    readme = _readme(label, case, out_findings, problems, generated, actor, lang)
    head: list[tuple[str, bytes, bool]] = [
        ("README.txt", ("\ufeff" + readme).encode("utf-8"), True),  # BOM: older Notepad then reads UTF-8
        ("records.json", json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8"), True),
        ("SHA256SUMS.txt", ("\n".join(sums) + ("\n" if sums else "")).encode("utf-8"), True),
    ]
    stamp = clock.local(now).timetuple()[:6]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        seen: set[str] = set()
        for name, data, compress in head + files:
            if name in seen:  # the same photo linked twice with one kind: one file is enough
                continue
            seen.add(name)
            info = zipfile.ZipInfo(f"{label}/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buf.getvalue()


def dossier_filename(label: str, now: dt.datetime | None = None) -> str:
    """An ASCII file name (Windows' zip tools mangle non-ASCII names), e.g. dossier_F12_20260601.zip."""
    return f"dossier_{label}_{clock.local(now or clock.now()):%Y%m%d}.zip"


__all__ = ["FORMAT", "case_dossier", "dossier_filename"]
