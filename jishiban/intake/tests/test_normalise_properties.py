"""The fast paths of the pipeline's normalisation give exactly what the full path gives."""

from hypothesis import given, settings
from hypothesis import strategies as st

from jishiban.intake.pipeline import _normalise_full, normalise_phone, normalise_text

ALPHABET = st.sampled_from(list("ab中文，。１Ａ\u3000\xa0 \t\r\n\x0b\u2028\ufb01-+()０８６0869"))


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=30) | st.text(max_size=30))
def test_normalise_text_fast_path_is_exact(text):
    assert normalise_text(text) == _normalise_full(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789+-() ０８６")), max_size=16))
def test_normalise_phone_fast_path_is_exact(phone):
    import re
    import unicodedata

    value = re.sub(r"[\s\-()（）]", "", unicodedata.normalize("NFKC", phone))
    expected = value[3:] if value.startswith("+86") else value[4:] if value.startswith("0086") else value
    assert normalise_phone(phone) == expected
