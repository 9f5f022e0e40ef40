"""The interface speaks the deployment's language (zh-hans) until a user picks another."""


def test_english_browser_still_gets_chinese_until_the_user_switches(client, personas):
    client.force_login(personas.dispatcher)
    page = client.get("/dispatch/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="zh-hans"' in page.text
    client.post("/i18n/setlang/", {"language": "en", "next": "/dispatch/"})
    page = client.get("/dispatch/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="en"' in page.text
