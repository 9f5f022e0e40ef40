"""``may`` in every template: the role policy's capabilities of the signed-in user.

Templates ask ``{% if may.dispatch %}`` or ``{% if "routing" in may.pages %}`` instead of
comparing role strings; computed only when a template reads it.
"""

from django.utils.functional import SimpleLazyObject

from . import policy


def capabilities(request):
    user = getattr(request, "user", None)
    return {"may": SimpleLazyObject(lambda: policy.capabilities(user))}
