"""A ranking's breakdown (each metric's part and each deduction) reads in English under ``en``."""

import re

import pytest
from django.template import Context, Template
from django.utils import translation

from jishiban.analytics import assessment, metrics
from jishiban.analytics.templatetags.figures import DEDUCTION_LABELS, METRIC_LABELS, metric_label

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
BREAKDOWN = Template("{% load figures %}{% for p in parts %}{{ p.metric|metric_label }} {{ p.points }}；{% endfor %}"
                     "{% for k, v in deductions.items %}{{ k|metric_label }} −{{ v }}；{% endfor %}")


def test_every_metric_label_is_in_the_translation_catalogue():
    assert {m.label for m in metrics.METRICS} <= set(METRIC_LABELS)


@pytest.mark.parametrize("language", ["en"])
def test_a_ranking_breakdown_under_en_has_no_chinese_labels(language):
    totals = {"dispatched": 10, "sign_due": 10, "sign_on_time": 8, "reply_due": 10, "reply_on_time": 6,
              "callbacks_rated": 5, "cb_satisfied": 3, "cb_answered": 5, "cb_solved": 4, "returned": 2,
              "return_rejected": 1, "reopened": 1, "supervised": 1, "late_replies": 4, "marked_late_replies": 1}
    scheme = {**assessment.DEFAULT_SCHEME, "marked_factor": 2}
    score = assessment.score(1, totals, scheme)
    assert score.parts and score.deductions
    with translation.override(language):
        text = BREAKDOWN.render(Context({"parts": [{"metric": p.metric, "points": p.points} for p in score.parts],
                                         "deductions": score.deductions}))
        labels = [metric_label(k) for k in [*DEDUCTION_LABELS, *(m.name for m in metrics.METRICS), "returned*marked"]]
    assert "Response rate" in text and "Solved rate" in text and "Returns" in text
    assert not CJK.findall(text.replace("；", "")), text
    assert not [label for label in labels if CJK.search(label)], labels
