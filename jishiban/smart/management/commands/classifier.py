"""``manage.py classifier evaluate|train|predict`` — see docs/smart.md."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jishiban.smart.classify.data import ColumnError, check_columns, evaluate, load_labelled
from jishiban.smart.classify.model import AppealClassifier, ModelLoadError
from jishiban.smart.classify.store import FileModelStore
from jishiban.smart.tabular import split_columns


class Command(BaseCommand):
    help = _("诉求文本分类：评估、训练、预测")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ev = sub.add_parser("evaluate", help=_("在训练文件上训练，在测试文件上评估"))
        ev.add_argument("--train", required=True, help=_("训练 CSV，多个用逗号分隔"))
        ev.add_argument("--test", required=True, help=_("测试 CSV"))
        self._data_args(ev)
        ev.add_argument("--json", action="store_true", help=_("输出一个 JSON 对象"))

        tr = sub.add_parser("train", help=_("训练并保存模型文件"))
        tr.add_argument("--csv", required=True, help=_("训练 CSV，多个用逗号分隔"))
        self._data_args(tr)
        tr.add_argument("--out", required=True, help=_("模型文件路径"))
        tr.add_argument("--note", default="", help=_("备注"))

        pr = sub.add_parser("predict", help=_("对一段文字给出前 3 个分类建议"))
        pr.add_argument("text", help=_("诉求文字"))
        pr.add_argument("--model", required=True, help=_("模型文件路径"))
        pr.add_argument("--title", default="", help=_("诉求标题（可选）"))
        pr.add_argument("-k", type=int, default=3, help=_("建议个数"))
        pr.add_argument("--json", action="store_true", help=_("输出 JSON"))

    @staticmethod
    def _data_args(p):
        p.add_argument("--text-columns", required=True, help=_("文字列，逗号分隔；第一列按标题加权"))
        p.add_argument("--label-column", required=True, help=_("分类标签列"))

    def _progress(self, msg: str) -> None:
        self.stderr.write(msg)
        if hasattr(sys.stderr, "flush"):
            sys.stderr.flush()

    def _load(self, paths: list[str], opts, *, all_paths: list[str] | None = None):
        columns = split_columns(opts["text_columns"])
        if not columns:
            raise CommandError(_("--text-columns 不能为空"))
        try:
            # A column may be missing from some files (titles-only exports), not from all of them.
            check_columns(all_paths or paths, [*columns, opts["label_column"]])
            return load_labelled(paths, columns, opts["label_column"], check=False)
        except ColumnError as exc:
            raise CommandError(_("列“%(c)s”在所有文件中都不存在：%(f)s") % {"c": exc.column, "f": "、".join(exc.files)})
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc))

    def handle(self, *args, **opts):
        action = opts["action"]
        if action == "evaluate":
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
        elif action == "train":
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
        elif action == "predict":
            try:
                model = FileModelStore(opts["model"]).load()
            except ModelLoadError as exc:
                raise CommandError(str(exc))
            doc = (opts["title"], opts["text"]) if opts["title"] else opts["text"]
            top = model.predict_top([doc], k=max(1, opts["k"]))[0]
            if opts["json"]:
                payload = [{"label": label, "confidence": prob, "because": [w for w, _ in model.explain(doc, label, n=5)]}
                           for label, prob in top]
                self.stdout.write(json.dumps(payload, ensure_ascii=False))
            else:
                for label, prob in top:
                    words = "、".join(w for w, _ in model.explain(doc, label, n=5))
                    self.stdout.write(f"{label}\t{prob:.2f}\t{words}")
