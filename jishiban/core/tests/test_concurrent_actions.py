"""Two dispatchers act on the same appeal at the same moment, through the real server: one wins,
the other gets a clear 409 naming who acted, and the appeal holds only the winner's change."""

from __future__ import annotations

import threading

import pytest
import requests

from .processes import free_port, gunicorn, wait_until_up

pytestmark = pytest.mark.slow
ROUNDS = 8


def test_concurrent_dispatches_give_one_winner_and_a_clear_conflict(scratch, tmp_path):
    port = free_port()
    server = gunicorn(scratch, port, tmp_path / "web.log").start()
    base = f"http://127.0.0.1:{port}/api/v1"
    sessions = {}
    for name in ("operator", "dispatcher", "dispatcher2"):
        sessions[name] = requests.Session()
        sessions[name].headers["Authorization"] = f"Bearer {scratch.tokens[name]}"
    units = {"dispatcher": "city-water", "dispatcher2": "city-urban"}
    try:
        wait_until_up(port, server)
        for n in range(ROUNDS):
            created = sessions["operator"].post(f"{base}/appeals", json={
                "channel": "12345-web", "external_id": f"RACE-{n}", "content": f"第{n}号楼停水，请尽快处理",
                "location": {"county": "370811"}}, timeout=30)
            assert created.status_code == 201, created.text
            number = created.json()["number"]
            version = sessions["dispatcher"].get(f"{base}/appeals/{number}", timeout=30).json()["version"]
            start, answers = threading.Barrier(2), {}

            def act(who, number=number, version=version, start=start, answers=answers):
                start.wait()
                answers[who] = sessions[who].post(f"{base}/appeals/{number}/actions/dispatch", timeout=30,
                                                  json={"expected_version": version, "lead_unit": units[who]})

            threads = [threading.Thread(target=act, args=(who,)) for who in units]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)
            statuses = sorted(r.status_code for r in answers.values())
            assert statuses == [200, 409], {w: (r.status_code, r.text[:200]) for w, r in answers.items()}
            winner = next(w for w, r in answers.items() if r.status_code == 200)
            loser = answers[next(w for w in units if w != winner)].json()
            assert loser["code"] == "conflict" and loser["current_version"] == version + 1
            assert loser["last_action"] == "dispatch" and loser["last_actor"]
            assert ("王" if winner == "dispatcher" else "李") in loser["last_actor"]
            assert "已被" in loser["detail"]  # says who changed it, and to refresh
            final = sessions["dispatcher"].get(f"{base}/appeals/{number}", timeout=30).json()
            assert final["version"] == version + 1 and final["status"] == "dispatched"
    finally:
        server.stop()
    per_appeal = scratch.query("SELECT a.external_id, count(e.id) FROM appeals_appeal a JOIN appeals_appealevent e "
                               "ON e.appeal_id = a.id AND e.action = 'dispatch' WHERE a.external_id LIKE 'RACE-%' "
                               "GROUP BY a.external_id")
    assert len(per_appeal) == ROUNDS and all(count == 1 for _id, count in per_appeal)
