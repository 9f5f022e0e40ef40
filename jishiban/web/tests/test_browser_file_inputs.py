"""File inputs speak the page's language even in an English-locale browser: the handler replies
with a photo (选择文件, then the file's name listed, then saved with the reply); the citizen's
portal form shows the same button. The browser's own "Choose Files" is not what one sees."""

from jishiban.web.tests.test_browser import (
    WATCH_CSP,
    _login,
    _problems,
    _shot,
    _submit,
    browser,
    pytestmark,
    world,
)

__all__ = ["browser", "pytestmark", "world"]


def _english_page(browser, width=1366, height=768):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
    context.set_default_timeout(10000)
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda e: page.problems.append(f"script error: {e}"))
    return page


def _picker_seen(page, scope: str) -> dict:
    return page.evaluate("""(scope) => {
        const picker = document.querySelector(scope + " [data-file-picker]");
        const input = picker.querySelector("input[type=file]").getBoundingClientRect();
        const button = picker.querySelector(".file-picker-button");
        return {button: button.offsetParent ? button.innerText : null,
                names: picker.querySelector("[data-file-names]").innerText,
                native: input.width * input.height};
    }""", scope)


def test_the_file_button_is_chinese_in_an_english_browser(live_server, browser, world, tmp_path):
    from jishiban.appeals.models import Appeal
    from jishiban.intake.models import Attachment
    from jishiban.testing import advance, make_appeal

    appeal = advance(make_appeal(), world, "accepted")
    from PIL import Image

    photo = tmp_path / "井盖现场.png"
    Image.new("RGB", (32, 24), (120, 130, 140)).save(photo)
    base = live_server.url
    page = _english_page(browser)
    _login(page, base, "dept_water")  # the inbox
    _submit(page, "a[href$='#act-reply']")
    seen = _picker_seen(page, "#act-reply-form")
    assert seen == {"button": "选择文件", "names": "未选择文件", "native": 1}, seen  # the native one is tucked away

    page.set_input_files("#act-reply-form input[type=file]", [str(photo)])
    assert _picker_seen(page, "#act-reply-form")["names"] == "井盖现场.png"
    assert "Choose" not in page.inner_text("#act-reply-form") and "No file" not in page.inner_text("#act-reply-form")
    _shot(page, "file-input-chosen", full_page=False)
    page.check("#act-reply-form input[name=result_type][value=solved]")
    page.fill("#act-reply-form textarea[name=text]", "已更换井盖，附现场照片")
    _submit(page, "#act-reply-form button[type=submit]")
    assert Appeal.objects.get(pk=appeal.pk).status == "replied"
    assert Attachment.objects.filter(appeal=appeal, original_name="井盖现场.png").exists()

    # The citizen's form: the same button, in the same language.
    page.goto(f"{base}/portal/")
    assert _picker_seen(page, "form")["button"] == "选择文件"
    assert not _problems(page), _problems(page)
