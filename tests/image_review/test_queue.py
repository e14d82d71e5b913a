"""The review queue: ordering, filters, separation of duties, conflicts, two-person rule,
holds, tampered images (real store, audit, auth and signatures)."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from app.core.errors import AuthError, InputRejected, PermissionDenied, ValidationError
from app.ct.review import KIND_DECISION, ConflictError, ReviewQueue, flag_reasons
from tests.image_review.conftest import PASSWORD

IMG = np.zeros((3, 64, 64), np.float32) - 1000.0
PHYS_PASS = {"verdict": "PASS", "artifacts": []}
PHYS_FAIL = {"verdict": "FAIL", "artifacts": [{"type": "ring", "verdict": "FAIL"}]}


def ai(label: str, conf: float = 0.99) -> dict:
    reasons = [f"AI class '{label}' ({conf:.2f})"] if label != "normal" else []
    if conf < 0.8:
        reasons.append(f"low confidence ({conf:.2f} < 0.80)")
    # a series whose only flag is low confidence is "uncertain" (ai_check.AiResult.label)
    series = "uncertain" if label == "normal" and conf < 0.8 else label
    return {"label": series, "model_id": "ct_phantom_classifier", "model_version": "0.0.1",
            "model_sha256": "ab" * 32,
            "slices": [{"slice_index": 2, "label": label, "confidence": conf,
                        "reasons": reasons}]}


def submit(q: ReviewQueue, label: str = "ring", physics: dict | None = None, *,
           scanner: str = "SN-1", analysed_by: str = "qe1", conf: float = 0.99):
    return q.submit(scanner_serial=scanner, series_uid=f"1.2.3.{label}.{scanner}",
                    slice_index=2, ai=ai(label, conf), physics=physics or PHYS_PASS,
                    analysed_by=analysed_by, image=IMG)


@pytest.fixture
def queue(env) -> ReviewQueue:
    return ReviewQueue(env.store, env.signatures, env.tmp / "images")


def test_flag_reasons_cover_ai_physics_and_disagreement():
    assert flag_reasons(ai("normal"), PHYS_PASS) == []
    assert flag_reasons(ai("ring"), PHYS_FAIL) == ["ai_abnormal", "failed_limits"]
    assert flag_reasons(ai("ring"), PHYS_PASS) == ["ai_abnormal", "disagreement"]
    assert flag_reasons(ai("normal"), PHYS_FAIL) == ["failed_limits", "disagreement"]
    assert "low_confidence" in flag_reasons(ai("normal", 0.6), PHYS_PASS)


def test_queue_orders_by_priority_then_age_and_filters(queue):
    low = submit(queue, "normal", conf=0.6, scanner="SN-A")            # low confidence: P0
    abnormal = submit(queue, "streak", PHYS_FAIL, scanner="SN-B")       # failed limits: P3
    disagree = submit(queue, "ring", PHYS_PASS, scanner="SN-A")         # disagreement: P2
    assert submit(queue, "normal") is None                               # nothing to review
    assert [i.id for i in queue.items()] == [abnormal.id, disagree.id, low.id]
    assert [i.id for i in queue.items(sort="age")] == [low.id, abnormal.id, disagree.id]
    assert {i.id for i in queue.items(scanner="SN-A")} == {low.id, disagree.id}
    assert [i.id for i in queue.items(ai_class="streak")] == [abnormal.id]
    assert queue.items(since="2999-01-01") == [] and len(queue.items(until="2999-01-01")) == 3
    assert queue.items(since=disagree.created_utc) == [disagree]
    assert disagree.disagreement and not abnormal.disagreement


def test_submit_refuses_an_image_that_is_not_three_adjacent_slices(queue):
    with pytest.raises(InputRejected, match="three adjacent slices"):
        queue.submit(scanner_serial="SN", series_uid="1", slice_index=0, ai=ai("ring"),
                     physics=PHYS_PASS, analysed_by="qe1", image=np.zeros((64, 64)))


def test_the_analyst_never_reviews_their_own_analysis(queue):
    item = submit(queue, analysed_by="rev1")
    with pytest.raises(PermissionDenied, match="analysed this series"):
        queue.assign(item.id, "rev1", by="sup1")
    with pytest.raises(PermissionDenied, match="own work"):
        queue.decide(item.id, "approve", "artifact_absent", "", username="rev1",
                     password=PASSWORD)
    queue.assign(item.id, "rev2", by="sup1")
    assert queue.get(item.id).assigned_to == "rev2"
    assert queue.get(item.id).status == "open"


def test_a_decision_needs_a_listed_reason_and_the_right_password(queue, env):
    item = submit(queue)
    with pytest.raises(ValidationError, match="reason from the list"):
        queue.decide(item.id, "reject", "artifact_absent", "", username="rev1",
                     password=PASSWORD)
    with pytest.raises(AuthError):
        queue.decide(item.id, "approve", "artifact_absent", "", username="rev1",
                     password="wrong-password1")
    assert env.store.query_records(KIND_DECISION) == []
    done = queue.decide(item.id, "approve", "artifact_absent", "looks fine",
                        username="rev1", password=PASSWORD)
    assert done.status == "approved"
    sig = env.signatures.signatures_for(KIND_DECISION, item.id)[0]
    assert sig.meaning == "approved" and sig.username == "rev1"
    assert done.decisions[0]["signature_id"] == sig.id
    assert env.signatures.verify(sig, queue.signed_content(item, "approve", "artifact_absent",
                                                           "looks fine"))


def test_two_reviewers_deciding_at_once_exactly_one_wins(env):
    q1 = ReviewQueue(env.store, env.signatures, env.tmp / "images")
    q2 = ReviewQueue(env.store, env.signatures, env.tmp / "images")
    item = submit(q1)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def decide(name: str, q: ReviewQueue, decision: str, reason: str) -> None:
        barrier.wait()
        try:
            outcomes[name] = q.decide(item.id, decision, reason, "", username=name,
                                      password=PASSWORD)
        except ConflictError as exc:
            outcomes[name] = exc

    threads = [threading.Thread(target=decide, args=("rev1", q1, "approve", "artifact_absent")),
               threading.Thread(target=decide, args=("rev2", q2, "reject", "ring_artifact"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    conflicts = [v for v in outcomes.values() if isinstance(v, ConflictError)]
    assert len(outcomes) == 2 and len(conflicts) == 1
    assert len(env.store.query_records(KIND_DECISION)) == 1
    assert len(q1.get(item.id).decisions) == 1


def test_interleaved_decision_is_told_who_decided_meanwhile(env, monkeypatch):
    q1 = ReviewQueue(env.store, env.signatures, env.tmp / "images")
    q2 = ReviewQueue(env.store, env.signatures, env.tmp / "images")
    item = submit(q1)
    real = env.signatures.authenticate_signer

    def slow_signer(*a, **kw):  # noqa: ANN002, ANN003, ANN202
        # while rev1 re-enters the password, rev2 decides the same item
        monkeypatch.setattr(env.signatures, "authenticate_signer", real)
        q2.decide(item.id, "reject", "ring_artifact", "", username="rev2", password=PASSWORD)
        return real(*a, **kw)

    monkeypatch.setattr(env.signatures, "authenticate_signer", slow_signer)
    with pytest.raises(ConflictError, match="decided meanwhile by rev2"):
        q1.decide(item.id, "approve", "artifact_absent", "", username="rev1",
                  password=PASSWORD)
    final = q1.get(item.id)
    assert final.status == "rejected" and [d["username"] for d in final.decisions] == ["rev2"]


def test_two_person_rule_needs_a_second_reviewer_for_a_rejection(env):
    q = ReviewQueue(env.store, env.signatures, env.tmp / "images", two_person_rejection=True)
    item = submit(q, scanner="SN-2")
    first = q.decide(item.id, "reject", "ring_artifact", "ring at 45 mm", username="rev1",
                     password=PASSWORD)
    assert first.status == "awaiting_second" and q.hold("SN-2") is None
    with pytest.raises(PermissionDenied, match="two-person rule"):
        q.decide(item.id, "reject", "ring_artifact", "", username="rev1", password=PASSWORD)
    with pytest.raises(PermissionDenied):   # the analyst is no second reviewer either
        q.decide(item.id, "reject", "ring_artifact", "", username="qe1", password=PASSWORD)
    final = q.decide(item.id, "reject", "ring_artifact", "confirmed", username="rev2",
                     password=PASSWORD)
    assert final.status == "rejected"
    assert [d["stage"] for d in final.decisions] == ["first", "second"]
    sigs = env.signatures.signatures_for(KIND_DECISION, item.id)
    assert [s.meaning for s in sigs] == ["rejected", "verified"]
    assert q.hold("SN-2")["item_id"] == item.id
    # a second reviewer who disagrees sends the item back to the queue, no hold
    other = submit(q, "band", scanner="SN-3")
    q.decide(other.id, "reject", "band_artifact", "", username="rev1", password=PASSWORD)
    back = q.decide(other.id, "approve", "artifact_absent", "not a band", username="rev2",
                    password=PASSWORD)
    assert back.status == "open" and q.hold("SN-3") is None


def test_hold_placed_on_reject_and_released_on_a_later_approval(queue):
    bad = submit(queue, "ring", PHYS_FAIL, scanner="SN-9")
    queue.decide(bad.id, "reject", "ring_artifact", "", username="rev1", password=PASSWORD)
    hold = queue.hold("SN-9")
    assert hold["active"] and hold["reason"] == "Ring / arc artifact"
    assert set(queue.held_scanners()) == {"SN-9"}
    again = submit(queue, "ring", PHYS_FAIL, scanner="SN-9")
    queue.decide(again.id, "approve", "artifact_acceptable", "after recalibration",
                 username="rev2", password=PASSWORD)
    assert queue.hold("SN-9") is None and queue.held_scanners() == {}


def test_a_tampered_or_missing_image_is_refused(queue):
    item = submit(queue)
    img, base = queue.load_images(item)
    assert img.shape == (3, 64, 64) and base is None
    path = queue.image_dir / item.image_path
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(InputRejected, match="altered"):
        queue.load_images(item)
    path.unlink()
    with pytest.raises(InputRejected, match="missing"):
        queue.load_images(item)


def test_a_stale_view_never_becomes_the_second_signature(env):
    """rev1 looked at an open item; meanwhile rev2 signed a first rejection. rev1's
    decision must not silently become the verifying second signature."""
    q = ReviewQueue(env.store, env.signatures, env.tmp / "images", two_person_rejection=True)
    item = submit(q, scanner="SN-5")
    seen = q.get(item.id).status
    q.decide(item.id, "reject", "ring_artifact", "", username="rev2", password=PASSWORD)
    with pytest.raises(ConflictError, match="decided meanwhile by rev2"):
        q.decide(item.id, "reject", "ring_artifact", "", username="rev1", password=PASSWORD,
                 expected_status=seen)
    assert q.get(item.id).status == "awaiting_second" and q.hold("SN-5") is None


def test_handoff_images_live_in_the_shared_folder_and_old_items_stay_readable(env, tmp_path):
    """CT QC's hand-off writes review images into <data>/review_images (neither station's
    folder); an item queued before that keeps its image in the image-review station's
    old folder and is still shown."""
    from app.ct.review import review_image_dir

    data_root = tmp_path / "data-root"
    legacy = data_root / "stations" / "image_review" / "images"
    old_q = ReviewQueue(env.store, env.signatures, legacy)
    old_item = submit(old_q, "ring", scanner="SN-OLD")
    q = ReviewQueue.for_data_folder(env.store, env.signatures, data_root)
    new_item = submit(q, "streak", scanner="SN-NEW")
    assert (review_image_dir(data_root) / new_item.image_path).is_file()
    assert not (legacy / new_item.image_path).exists()
    for item in (old_item, new_item):
        img, _ = q.load_images(q.get(item.id))
        assert img.ndim >= 2
