"""The ``jishiban`` console script: ``jishiban <command>`` runs any management command."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jishiban.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jishiban", *sys.argv[1:]])


if __name__ == "__main__":
    main()
