import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jishiban.settings")
application = get_wsgi_application()

from jishiban.cli import require_secret_key  # noqa: E402 - needs the settings loaded above

require_secret_key()  # never serve sessions or forms signed with an empty key
