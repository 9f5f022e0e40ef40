import random

import pytest

from jishiban.api.tests.conftest import api  # noqa: F401 - the API tests' persona client fixture

VOCAB = {
    "城乡建设": ["小区物业", "房屋漏水", "拆迁补偿", "违章建筑", "供暖不热", "路灯不亮", "下水道堵塞", "开发商延期交房"],
    "交通运输": ["公交车", "地铁站", "红绿灯", "出租车拒载", "道路拥堵", "公交线路", "停车场收费", "驾驶员"],
    "教育文体": ["学校", "老师", "学生", "幼儿园学位", "学费", "图书馆", "体育馆", "课外培训"],
    "劳动和社会保障": ["拖欠工资", "社保缴纳", "养老金", "劳动合同", "退休待遇", "工伤认定", "医保报销", "失业金"],
}
FILLERS = ["请领导关注", "希望尽快解决", "已经很久了", "多次反映无果", "居民意见很大", "特此反映"]


def make_docs(seed=1, per_label=30):
    rng = random.Random(seed)
    docs, labels = [], []
    for label, words in VOCAB.items():
        for _ in range(per_label):
            a, b = rng.sample(words, 2)
            title = f"关于{a}的问题"
            body = f"{a}{rng.choice(FILLERS)}，还有{b}，{rng.choice(FILLERS)}。"
            docs.append((title, body))
            labels.append(label)
    return docs, labels


@pytest.fixture(scope="session")
def synthetic_docs():
    return make_docs()


@pytest.fixture(scope="session")
def trained_classifier(synthetic_docs):
    from jishiban.smart.classify.model import AppealClassifier

    docs, labels = synthetic_docs
    return AppealClassifier().fit(docs, labels)


# --- Integration (database) -----------------------------------------------------------------------

# Synthetic appeals per category code of the default taxonomy.
CODE_VOCAB = {
    "020101": ["停水", "自来水停了", "水龙头不出水", "供水中断", "没有自来水", "停水通知"],
    "030201": ["路灯不亮", "路灯坏了", "晚上一片漆黑", "照明设施损坏", "路灯闪烁", "路灯不亮好几天"],
    "040101": ["夜间施工", "工地噪音", "施工扰民", "打桩声音", "机器轰鸣", "深夜施工噪音"],
    "010102": ["物业费", "物业收费", "乱收费", "停车管理费", "物业公司收费", "公摊费用"],
}


def make_code_docs(seed=1, per_label=15):
    rng = random.Random(seed)
    docs, labels = [], []
    for code, words in CODE_VOCAB.items():
        for _ in range(per_label):
            a, b = rng.sample(words, 2)
            docs.append((f"关于{a}的问题", f"{a}{rng.choice(FILLERS)}，还有{b}，{rng.choice(FILLERS)}。"))
            labels.append(code)
    return docs, labels


@pytest.fixture(scope="session")
def code_classifier():
    from jishiban.smart.classify.model import AppealClassifier

    docs, labels = make_code_docs(seed=5, per_label=20)
    return AppealClassifier().fit(docs, labels)


@pytest.fixture(autouse=True)
def fresh_smart_state():
    """Process-wide caches (duplicate index, grids, active model, risk rules) start empty in
    every test: the database under them is rolled back between tests."""
    from jishiban.smart import geocode_db, risk_db
    from jishiban.smart.classify_db import forget_active
    from jishiban.smart.dedupe_db import reset_live_index

    reset_live_index()
    geocode_db.invalidate()
    risk_db.invalidate()
    forget_active()
    yield
    reset_live_index()
    geocode_db.invalidate()
    risk_db.invalidate()
    forget_active()


@pytest.fixture
def active_model(db, code_classifier):
    """``code_classifier`` stored as version 1 and activated."""
    from jishiban.smart.classify_db import DatabaseModelStore

    store = DatabaseModelStore()
    number = store.save(code_classifier, note="test", metrics={"macro_f1": 1.0}, source="测试", n_train=80)
    return store.activate(number)


@pytest.fixture
def intake(reference_data, django_capture_on_commit_callbacks):
    """``intake(content=…, **submission fields)`` → the appeal, after-commit hooks run."""
    from jishiban.appeals.models import Appeal
    from jishiban.intake.pipeline import Citizen, Location, Submission, submit

    counter = iter(range(1, 10_000))

    def run(content, *, title="", phone="13912345678", address="", channel="12345-phone", **fields):
        lat, lon = fields.pop("lat", None), fields.pop("lon", None)
        county, town = fields.pop("county", None), fields.pop("town", None)
        submission = Submission(
            channel=channel, content=content, title=title, external_id=fields.pop("external_id", f"t-{next(counter)}"),
            citizen=Citizen(name="张三", phone=phone),
            location=Location(address=address, lat=lat, lon=lon, county=county, town=town), **fields)
        with django_capture_on_commit_callbacks(execute=True):
            result = submit(submission)
        return Appeal.objects.get(pk=result.appeal.pk)

    return run
