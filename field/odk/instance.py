"""Reading a submitted instance: the XML ODK Collect writes for one filled-in `field_finding`.

The instance is `<data id="field_finding" version="…">` with one element per question, the
repeat `photo` once per photo and `meta/instanceID`. Older forms and clients write the meta block
in the OpenRosa namespace (`<orx:meta><orx:instanceID>`), so names are compared without their
namespace. The XML comes from a device over the network, so it is parsed with defusedxml (no
entities, no external references). Reading is separate from judging: `parse` refuses only what
cannot be kept as a submission at all (not XML, another form, no instanceID); whether the
answers make a valid finding is decided later, and a refusal there sends it to review.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET  # noqa: S405 - only for the Element type; parsing is defusedxml
from dataclasses import dataclass, field

from defusedxml import ElementTree as SafeET

from field.domain.errors import FieldError, ValidationError
from field.odk.form import FORM_ID

MAX_INSTANCE_ID = 100


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(parent: ET.Element, name: str) -> ET.Element | None:
    for el in parent:
        if _local(el.tag) == name:
            return el
    return None


def _text(parent: ET.Element, name: str) -> str:
    el = _child(parent, name)
    return (el.text or "").strip() if el is not None else ""


@dataclass(frozen=True)
class Geopoint:
    lat: float
    lon: float
    altitude: float | None
    accuracy_m: float | None


@dataclass(frozen=True)
class Instance:
    form_id: str
    version: str
    instance_id: str
    site_name: str = ""
    address: str = ""
    pollution_types: list[str] = field(default_factory=list)
    severity: str = ""
    description: str = ""
    case_no: str = ""
    location: str = ""  # "lat lon altitude accuracy", as ODK writes a geopoint
    images: list[str] = field(default_factory=list)  # attachment file names, in repeat order
    start: str = ""
    end: str = ""
    deviceid: str = ""

    def geopoint(self) -> Geopoint:
        """The location as numbers; a refusal names the form field, like the web form's."""
        parts = self.location.split()
        if not parts:
            raise ValidationError("finding.need_location", field="location")
        try:
            nums = [float(p) for p in parts]
        except ValueError:
            raise ValidationError("odk.bad_geopoint", field="location", value=self.location[:80]) from None
        if len(nums) < 2:
            raise ValidationError("odk.bad_geopoint", field="location", value=self.location[:80])
        return Geopoint(lat=nums[0], lon=nums[1], altitude=nums[2] if len(nums) > 2 else None,
                        accuracy_m=nums[3] if len(nums) > 3 else None)

    def observed_at(self) -> dt.datetime | None:
        """When the form was opened on site (ODK's `start`), else when it was finished."""
        for value in (self.start, self.end):
            if value:
                try:
                    parsed = dt.datetime.fromisoformat(value)
                except ValueError:
                    continue
                return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
        return None


def parse(xml: bytes, *, form_id: str = FORM_ID) -> Instance:
    """Read an instance; raises `odk.malformed`, `odk.unknown_form` or `odk.no_instance_id`."""
    try:
        root = SafeET.fromstring(xml)
    except Exception as exc:  # noqa: BLE001 - ParseError and defusedxml's refusals alike
        raise FieldError("odk.malformed", detail=str(exc)[:120]) from None
    got = root.get("id") or ""
    if got != form_id:
        raise FieldError("odk.unknown_form", form=got[:64] or "-")
    meta = _child(root, "meta")
    instance_id = _text(meta, "instanceID") if meta is not None else ""
    if not instance_id or len(instance_id) > MAX_INSTANCE_ID:
        raise FieldError("odk.no_instance_id")
    images = []
    for el in root:
        if _local(el.tag) == "photo" and el.get("{http://openrosa.org/javarosa}template") is None:
            name = _text(el, "image")
            if name:
                images.append(name)
    return Instance(
        form_id=got, version=root.get("version") or "", instance_id=instance_id,
        site_name=_text(root, "site_name"), address=_text(root, "address"),
        pollution_types=_text(root, "pollution_types").split(), severity=_text(root, "severity"),
        description=_text(root, "description"), case_no=_text(root, "case_no"),
        location=_text(root, "location"), images=images, start=_text(root, "start"), end=_text(root, "end"),
        deviceid=_text(root, "deviceid"),
    )


# The instance's elements in the form's order (pyxform writes them so; `photo` repeats before meta).
FIELDS = ("start", "end", "deviceid", "site_name", "address", "pollution_types", "severity", "description",
          "case_no", "location")


def build(instance_id: str, answers: dict[str, str], images: list[str] | tuple[str, ...] = (), *,
          version: str = "", form_id: str = FORM_ID) -> bytes:
    """The instance XML ODK Collect would have sent for these answers.

    An export (ODK Central, KoboToolbox, QField) holds the same answers as a table row; turning
    the row back into the instance lets it take exactly the OpenRosa submission's path, so an
    imported finding is checked, stored and deduplicated like one that came over the network."""
    root = ET.Element("data", {"id": form_id, "version": version})
    for name in FIELDS:
        ET.SubElement(root, name).text = answers.get(name, "")
    for image in images:
        ET.SubElement(ET.SubElement(root, "photo"), "image").text = image
    meta = ET.SubElement(root, "meta")
    ET.SubElement(meta, "instanceID").text = instance_id
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
