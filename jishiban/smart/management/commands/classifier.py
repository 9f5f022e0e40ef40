"""``jishiban classifier evaluate|train|versions|activate|predict|retrain-if-needed`` — see docs/smart.md."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from jishiban.smart import conf
from jishiban.smart.classify.data import ColumnError, check_columns, evaluate, load_labelled
from jishiban.smart.classify.model import AppealClassifier, ModelLoadError
from jishiban.smart.classify.store import FileModelStore
from jishiban.smart.classify_db import DatabaseModelStore, NoActiveModel
from jishiban.smart.tabular import split_columns


class Command(BaseCommand):
    help = _("诉求文本分类：评估、训练（数据库历史或 CSV）、版本管理、预测")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ev = sub.add_parser("evaluate", help=_("在训练文件上训练，在测试文件上评估"))
        ev.add_argument("--train", required=True, help=_("训练 CSV，多个用逗号分隔"))
        ev.add_argument("--test", required=True, help=_("测试 CSV"))
        self._data_args(ev, required=True)
        ev.add_argument("--json", action="store_true", help=_("输出一个 JSON 对象"))

        tr = sub.add_parser("train", help=_("训练新版本：默认用数据库中已分类的诉求，或用 --csv 文件"))
        tr.add_argument("--csv", help=_("训练 CSV，多个用逗号分隔（不给则用数据库历史）"))
        self._data_args(tr, required=False)
        tr.add_argument("--level", type=int, choices=(1, 2, 3), default=None,
                        help=_("按第几级分类训练（默认：所选分类，即末级）"))
        tr.add_argument("--days", type=float, default=None, help=_("数据库历史：最近多少天（默认见设置）"))
        tr.add_argument("--out", help=_("只写入模型文件，不存为数据库版本"))
        mode = tr.add_mutually_exclusive_group()
        mode.add_argument("--activate", action="store_true", help=_("无论评估结果都启用新版本"))
        mode.add_argument("--no-activate", action="store_true", help=_("只保存，不启用"))
        tr.add_argument("--user", help=_("记为训练人的用户名"))
        tr.add_argument("--note", default="", help=_("备注"))

        sub.add_parser("versions", help=_("列出模型版本"))
        ac = sub.add_parser("activate", help=_("启用某个版本（可回退到旧版本）"))
        ac.add_argument("version", help=_("版本号"))
        sub.add_parser("retrain-if-needed", help=_("有足够新数据时重新训练（定时任务同此）"))

        pr = sub.add_parser("predict", help=_("对一段文字给出前 3 个分类建议"))
        pr.add_argument("text", help=_("诉求文字"))
        pr.add_argument("--model", help=_("模型文件路径（默认：数据库中使用中的版本）"))
        pr.add_argument("--version", help=_("使用数据库中的某个版本"))
        pr.add_argument("--title", default="", help=_("诉求标题（可选）"))
        pr.add_argument("-k", type=int, default=3, help=_("建议个数"))
        pr.add_argument("--json", action="store_true", help=_("输出 JSON"))

    @staticmethod
    def _data_args(p, *, required: bool):
        p.add_argument("--text-columns", required=required, help=_("文字列，逗号分隔；第一列按标题加权"))
        p.add_argument("--label-column", required=required, help=_("分类标签列"))

    def _progress(self, msg: str) -> None:
        self.stderr.write(msg)
        if hasattr(sys.stderr, "flush"):
            sys.stderr.flush()

    def _load(self, paths: list[str], opts, *, all_paths: list[str] | None = None):
        columns = split_columns(opts["text_columns"])
        if not columns:
            raise CommandError(_("--text-columns 不能为空"))
        if not opts.get("label_column"):
            raise CommandError(_("使用 CSV 时必须给出 --label-column"))
        try:
            # A column may be missing from some files (titles-only exports), not from all of them.
            check_columns(all_paths or paths, [*columns, opts["label_column"]])
            return load_labelled(paths, columns, opts["label_column"], check=False)
        except ColumnError as exc:
            raise CommandError(_("列“%(c)s”在所有文件中都不存在：%(f)s") % {"c": exc.column, "f": "、".join(exc.files)})
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc))

    def handle(self, *args, **opts):
        action = opts["action"].replace("-", "_")
        getattr(self, f"do_{action}")(opts)

    # -- actions ---------------------------------------------------------------------------
    def do_evaluate(self, opts):
        self._progress(_("读取数据…"))
        train_paths, test_paths = split_columns(opts["train"]), [opts["test"]]
        train = self._load(train_paths, opts, all_paths=train_paths + test_paths)
        test = self._load(test_paths, opts, all_paths=train_paths + test_paths)
        if not train.docs or not test.docs:
            raise CommandError(_("训练集或测试集为空"))
        result = evaluate(train, test, progress=self._progress)
        if opts["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(
                _("准确率 %(a).4f，宏平均 F1 %(f).4f，前三命中率 %(t).4f（训练 %(n)d 条，测试 %(m)d 条）")
                % {"a": result["accuracy"], "f": result["macro_f1"], "t": result["top3_accuracy"],
                   "n": result["n_train"], "m": result["n_test"]}
            )

    def do_train(self, opts):
        from jishiban.smart.training import TrainingError, csv_dataset, history_dataset, train_version

        if opts.get("out"):
            return self._train_file(opts)
        level = opts["level"] if opts["level"] is not None else conf.get("CLASSIFIER_LEVEL")
        if opts.get("csv"):
            paths = split_columns(opts["csv"])
            self._load(paths, opts)  # checks the columns and files, with the command's messages
            dataset = csv_dataset(paths, split_columns(opts["text_columns"]), opts["label_column"])
        else:
            self._progress(_("读取数据库中已分类的诉求…"))
            dataset = history_dataset(level=level, days=opts["days"])
        self._progress(dataset.source)
        activate = "force" if opts["activate"] else "never" if opts["no_activate"] else "auto"
        try:
            outcome = train_version(dataset, by=self._user(opts.get("user")), trigger="command", activate=activate,
                                    level=level if not opts.get("csv") else None, note=opts["note"],
                                    progress=self._progress)
        except TrainingError as exc:
            raise CommandError(str(exc))
        ev = outcome.evaluation
        self.stdout.write(_("已保存版本 v%(v)d：留出集宏平均 F1 %(f)s，前三命中率 %(t)s（训练 %(n)d 条，留出 %(m)d 条）")
                          % {"v": outcome.version.number, "f": _fmt(ev.get("macro_f1")), "t": _fmt(ev.get("top3_accuracy")),
                             "n": ev["n_train"], "m": ev["n_holdout"]})
        self.stdout.write(outcome.reason)

    def _train_file(self, opts):
        if not opts.get("csv"):
            raise CommandError(_("--out 只能与 --csv 一起使用"))
        data = self._load(split_columns(opts["csv"]), opts)
        if not data.docs:
            raise CommandError(_("没有可用的训练数据"))
        self._progress(_("训练：%d 条（跳过无标签 %d 条）…") % (len(data.docs), data.skipped_no_label))
        try:
            model = AppealClassifier().fit(data.docs, data.labels)
        except ValueError as exc:
            raise CommandError(str(exc))
        ref = FileModelStore(opts["out"]).save(model, note=opts["note"], metrics={"n_train": len(data.docs)})
        self.stdout.write(_("模型已保存：%s") % ref)

    def _user(self, username):
        if not username:
            return None
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("没有用户 %(u)s") % {"u": username})
        return user

    def do_versions(self, opts):
        rows = list(DatabaseModelStore().versions())
        if not rows:
            self.stdout.write(_("还没有模型版本"))
            return
        for row in rows:
            ev = row.evaluation or {}
            who = row.trained_by.username if row.trained_by else row.trigger
            self.stdout.write("\t".join([
                ("* " if row.is_active else "  ") + f"v{row.number}",
                timezone.localtime(row.created_at).strftime("%Y-%m-%d %H:%M"), who,
                _("训练 %(n)d / 留出 %(m)d") % {"n": row.n_train, "m": row.n_holdout},
                _("F1 %(f)s 前三 %(t)s") % {"f": _fmt(ev.get("macro_f1")), "t": _fmt(ev.get("top3_accuracy"))},
                row.source,
            ]))

    def do_activate(self, opts):
        try:
            row = DatabaseModelStore().activate(opts["version"])
        except ModelLoadError as exc:
            raise CommandError(_("不能启用 v%(v)s：%(e)s（使用中的版本不变）") % {"v": opts["version"].lstrip("vV"), "e": exc})
        self.stdout.write(_("已启用 v%d") % row.number)

    def do_retrain_if_needed(self, opts):
        from jishiban.smart.training import retrain_if_needed

        self.stdout.write(retrain_if_needed(trigger="command", progress=self._progress))

    def do_predict(self, opts):
        try:
            if opts.get("model"):
                model = FileModelStore(opts["model"]).load()
            else:
                model = DatabaseModelStore().load(opts.get("version"))
        except (ModelLoadError, NoActiveModel) as exc:
            raise CommandError(str(exc))
        doc = (opts["title"], opts["text"]) if opts["title"] else opts["text"]
        top = model.predict_top([doc], k=max(1, opts["k"]))[0]
        if opts["json"]:
            payload = [{"label": label, "confidence": prob, "because": [w for w, _w in model.explain(doc, label, n=5)]}
                       for label, prob in top]
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
        else:
            for label, prob in top:
                words = "、".join(w for w, _w in model.explain(doc, label, n=5))
                self.stdout.write(f"{label}\t{prob:.2f}\t{words}")


def _fmt(value) -> str:
    return "—" if value is None else f"{value:.4f}"
