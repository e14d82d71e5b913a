"""Every bad input is rejected with a specific reason and quarantined; good input is
re-encoded (never forwarded raw)."""
from __future__ import annotations

import json
import sys
import warnings

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.uid import (DeflatedExplicitVRLittleEndian, ExplicitVRBigEndian,
                         ExplicitVRLittleEndian, ImplicitVRLittleEndian, RLELossless,
                         generate_uid)

from app.adapters.dicom_validate import (STATUS_CANNOT_UNDERSTAND, STATUS_DATASET_MISMATCH,
                                         STATUS_OUT_OF_RESOURCES, STATUS_SOP_CLASS_NOT_SUPPORTED,
                                         DicomRejected, DicomValidator, Quarantine,
                                         allowed_transfer_syntaxes)
from app.core.errors import InputRejected
from tests.pacs_fixtures import (encode, make_ct_dataset, nested_sequence_bomb,
                                 with_declared_transfer_syntax)


def ct(**kw):
    return make_ct_dataset(study_uid=generate_uid(), series_uid=generate_uid(), index=0, **kw)


def rejected(data: bytes, validator: DicomValidator | None = None) -> DicomRejected:
    with pytest.raises(DicomRejected) as info:
        (validator or DicomValidator()).validate_bytes(data, source="test")
    assert isinstance(info.value, InputRejected)
    return info.value


def pydicom_file(name: str) -> bytes:
    path = get_testdata_file(name, download=False)
    if path is None:
        pytest.skip(f"pydicom test file {name} not available offline")
    return open(path, "rb").read()


def test_valid_ct_is_reencoded_as_explicit_little_endian():
    ds = ct(transfer_syntax=ImplicitVRLittleEndian)
    data = encode(ds)
    vi = DicomValidator().validate_bytes(data, source="x")
    assert vi.transfer_syntax_uid == ImplicitVRLittleEndian
    assert vi.encoded != data                      # never the raw bytes
    back = vi.dataset()
    assert back.file_meta.TransferSyntaxUID == ExplicitVRLittleEndian
    assert back.SOPInstanceUID == ds.SOPInstanceUID
    assert back.PixelData == ds.PixelData
    assert vi.image_position == (-8.0, -8.0, 0.0) and vi.rows == 32


@pytest.mark.parametrize("syntax", [DeflatedExplicitVRLittleEndian, RLELossless])
def test_allowed_compressed_syntaxes_are_decoded_and_stored_uncompressed(syntax):
    assert syntax in allowed_transfer_syntaxes()
    ds = ct()
    if syntax == RLELossless:
        ds.compress(RLELossless)
    else:
        ds.file_meta.TransferSyntaxUID = syntax
    vi = DicomValidator().validate_bytes(encode(ds))
    assert vi.transfer_syntax_uid == syntax
    out = vi.dataset()
    assert out.file_meta.TransferSyntaxUID == ExplicitVRLittleEndian
    assert len(out.PixelData) == 32 * 32 * 2


def test_truncated_mid_header():
    rej = rejected(encode(ct())[:300])
    assert rej.reason == "missing_attribute" and rej.dimse_status == STATUS_DATASET_MISMATCH


def test_truncated_in_pixel_data_is_a_length_error():
    rej = rejected(encode(ct())[:-100])
    assert rej.reason == "pixel_data"
    assert "expected 2048" in rej.message


def test_short_pixel_data_element():
    ds = ct()
    ds.PixelData = ds.PixelData[:-64]
    rej = rejected(encode(ds))
    assert rej.reason == "pixel_data" and "1984 bytes" in rej.message


def test_odd_padding_byte_is_allowed():
    ds = ct()
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.Rows, ds.Columns = 3, 3
    ds.PixelData = bytes(9) + b"\0"      # 9 bytes + padding to even length
    DicomValidator().validate_bytes(encode(ds))


def test_no_meta():
    rej = rejected(pydicom_file("no_meta.dcm"))
    assert rej.reason == "unreadable" and rej.dimse_status == STATUS_CANNOT_UNDERSTAND


def test_pydicom_mr_truncated_and_bad_vr():
    assert rejected(pydicom_file("MR_truncated.dcm")).reason == "sop_class"
    assert rejected(pydicom_file("badVR.dcm")).reason in ("uid_mismatch", "meta_mismatch",
                                                          "sop_class", "unreadable")


def test_wrong_sop_class():
    rej = rejected(pydicom_file("MR_small.dcm"))
    assert rej.reason == "sop_class" and "MR Image Storage" in rej.message
    assert rej.dimse_status == STATUS_SOP_CLASS_NOT_SUPPORTED


def test_big_endian_transfer_syntax_is_not_allowed():
    rej = rejected(pydicom_file("MR_small_bigendian.dcm"))
    assert rej.reason == "transfer_syntax" and "Big Endian" in rej.message


@pytest.mark.parametrize("declared,implicit,little,reason", [
    (ExplicitVRLittleEndian, True, True, "meta_mismatch"),     # body implicit
    (ImplicitVRLittleEndian, False, True, "meta_mismatch"),    # body explicit
    (ExplicitVRLittleEndian, False, False, "meta_mismatch"),   # body big endian
    (ExplicitVRBigEndian, False, True, "transfer_syntax"),     # declared big endian
])
def test_meta_and_dataset_encoding_must_agree(declared, implicit, little, reason):
    data = with_declared_transfer_syntax(ct(), declared, implicit_vr=implicit, little_endian=little)
    assert rejected(data).reason == reason


def test_meta_sop_instance_must_match_dataset():
    ds = ct()
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    data = with_declared_transfer_syntax(ds, ExplicitVRLittleEndian, implicit_vr=False)
    rej = rejected(data)
    assert rej.reason == "uid_mismatch" and rej.dimse_status == STATUS_DATASET_MISMATCH


@pytest.mark.parametrize("missing", ["SOPInstanceUID", "SeriesInstanceUID", "StudyInstanceUID",
                                     "Rows", "BitsAllocated", "PixelRepresentation",
                                     "PixelSpacing", "ImagePositionPatient",
                                     "ImageOrientationPatient", "RescaleSlope",
                                     "RescaleIntercept", "PixelData"])
def test_missing_required_attribute(missing):
    ds = ct()
    ds["PixelData"].VR = "OW"           # writable without BitsAllocated
    delattr(ds, missing)
    rej = rejected(encode(ds))
    assert rej.reason == "missing_attribute" and missing in rej.message


def test_implausible_values():
    ds = ct()
    ds.ImageOrientationPatient = [1, 0, 0, 1, 0, 0]
    assert rejected(encode(ds)).reason == "invalid_attribute"
    ds = ct()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")         # pydicom warns about the bad UI value
        ds.SeriesInstanceUID = "../../etc"
    assert rejected(encode(ds)).reason == "invalid_attribute"


def test_twenty_thousand_nested_sequences_are_refused_without_crash():
    limit = sys.getrecursionlimit()
    rej = rejected(nested_sequence_bomb(encode(ct()), 20_000))
    assert rej.reason == "nesting_too_deep" and rej.dimse_status == STATUS_CANNOT_UNDERSTAND
    assert sys.getrecursionlimit() == limit
    assert rejected(nested_sequence_bomb(encode(ct()), 40)).reason == "nesting_too_deep"


def test_size_gate_before_parsing(tmp_path):
    data = encode(ct(size=64))
    small = DicomValidator(max_bytes=1000)
    rej = rejected(data, small)
    assert rej.reason == "too_large" and rej.dimse_status == STATUS_OUT_OF_RESOURCES
    path = tmp_path / "big.dcm"
    path.write_bytes(b"\0" * 5000)            # not DICOM: must not even be parsed
    with pytest.raises(DicomRejected) as info:
        small.validate_file(path)
    assert info.value.reason == "too_large"


def test_empty_and_garbage():
    assert rejected(b"").reason == "empty"
    assert rejected(b"\0" * 128 + b"DICM" + b"\xff" * 500).reason == "unreadable"


def test_enhanced_ct_is_optional():
    ds = ct()
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2.1"
    assert rejected(encode(ds)).reason == "sop_class"
    vi = DicomValidator(allow_enhanced_ct=True).validate_bytes(encode(ds))
    assert vi.sop_class_uid.endswith(".2.1")


def test_quarantine_keeps_bytes_and_reasons(tmp_path):
    data = encode(ct())[:-100]
    rej = rejected(data)
    q = Quarantine(tmp_path / "quarantine")
    path = q.put(data, rej, source="dicom://SCANNER@1.2.3.4", context={"calling_ae": "SCANNER"})
    assert path.read_bytes() == data
    assert path.name == f"{rej.sha256}.dcm" and path.parent.parent == tmp_path / "quarantine"
    info = json.loads(path.with_suffix(".json").read_text())
    assert info["rejections"][0]["reason"] == "pixel_data"
    assert info["rejections"][0]["calling_ae"] == "SCANNER"
    q.put(data, rej, source="again")                 # second sighting appended, bytes kept
    info = json.loads(path.with_suffix(".json").read_text())
    assert [r["source"] for r in info["rejections"]] == ["dicom://SCANNER@1.2.3.4", "again"]


def test_oversize_is_recorded_but_not_copied(tmp_path):
    data = encode(ct(size=64))
    rej = rejected(data, DicomValidator(max_bytes=1000))
    path = Quarantine(tmp_path).put(data, rej, source="net")
    assert path.suffix == ".json" and not path.with_suffix(".dcm").exists()
    assert json.loads(path.read_text())["size"] == len(data)


def test_pydicom_reads_garbage_ok_but_we_do_not():
    """The premise: pydicom happily reads a truncated file."""
    data = encode(ct())[:-100]
    import io
    pydicom.dcmread(io.BytesIO(data))               # no exception
    assert rejected(data).reason == "pixel_data"
