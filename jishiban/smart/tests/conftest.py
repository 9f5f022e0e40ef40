import random

import pytest

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
