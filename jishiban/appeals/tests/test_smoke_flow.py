from jishiban.testing import advance, make_appeal


def test_full_loop_reaches_closed_with_one_event_per_step(personas):
    appeal = advance(make_appeal(), personas, "closed")
    assert appeal.status == "closed"
    assert list(appeal.events.values_list("action", flat=True)) == [
        "receive", "dispatch", "accept", "reply", "callback", "close"
    ]
