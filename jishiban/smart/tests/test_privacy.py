from jishiban.smart.privacy import (
    BANK_CARD,
    ID_CARD,
    LANDLINE,
    MOBILE,
    PLATE,
    find_personal_data,
    id18_is_valid,
    luhn_is_valid,
    mask_text,
)

_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def make_id(body17: str) -> str:
    return body17 + "10X98765432"[sum(int(d) * w for d, w in zip(body17, _W, strict=True)) % 11]


def make_card(prefix15: str) -> str:
    for d in "0123456789":
        if luhn_is_valid(prefix15 + d):
            return prefix15 + d
    raise AssertionError


VALID_ID = make_id("37080219900307123")
CARD = make_card("622202123456789")


def kinds(text):
    return [m.kind for m in find_personal_data(text)]


def test_mobile_is_found_and_masked_keeping_prefix_and_last_four():
    assert kinds("电话13812345678，谢谢") == [MOBILE]
    assert mask_text("电话13812345678，谢谢") == "电话138****5678，谢谢"
    assert kinds("+86 138 1234 5678") == [MOBILE]


def test_landline_with_area_code():
    assert kinds("座机0537-2345678") == [LANDLINE]
    assert mask_text("座机0537-2345678") == "座机0537-***5678"


def test_id_number_with_valid_checksum_is_masked():
    text = f"身份证号{VALID_ID}。"
    assert kinds(text) == [ID_CARD]
    assert mask_text(text) == f"身份证号3708**********{VALID_ID[-4:]}。"


def test_id_number_with_wrong_checksum_is_not_an_id():
    wrong = VALID_ID[:17] + ("1" if VALID_ID[17] != "1" else "2")
    assert not id18_is_valid(wrong)
    assert ID_CARD not in kinds(f"号码{wrong}")


def test_legacy_15_digit_id():
    assert kinds("老身份证370802900307123") == [ID_CARD]


def test_bank_card_needs_luhn():
    assert kinds(f"卡号{CARD}") == [BANK_CARD]
    broken = CARD[:-1] + str((int(CARD[-1]) + 1) % 10)
    assert BANK_CARD not in kinds(f"卡号{broken}")
    assert mask_text(f"卡号{CARD}") == f"卡号6222{'*' * (len(CARD) - 8)}{CARD[-4:]}"


def test_grouped_bank_card():
    grouped = " ".join(CARD[i : i + 4] for i in range(0, 16, 4))
    assert kinds(f"卡号 {grouped} 请退款") == [BANK_CARD]


def test_vehicle_plates_including_new_energy():
    assert kinds("车牌鲁H12345违停") == [PLATE]
    assert kinds("鲁H·D12345") == [PLATE]
    assert kinds("鲁HD12345") == [PLATE]
    assert mask_text("车牌鲁H·12345违停") == "车牌鲁H·***45违停"


def test_long_order_numbers_are_left_alone():
    assert find_personal_data("订单号12345678901234567890") == []


def test_text_without_personal_data_is_unchanged():
    text = "小区路灯不亮，请尽快修理。"
    assert mask_text(text) == text
