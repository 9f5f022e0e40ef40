from django.db.models import Q

from .models import Category


def leaves():
    """Active categories with no active children (the ones appeals are filed under)."""
    return Category.objects.filter(is_active=True, level=3).select_related("parent__parent").order_by("code")


def search(q: str, limit: int) -> list[Category]:
    """The leaf categories that plain words ``q`` name: in their name, keywords, parents' names,
    or a code's beginning (the desk's category search and the citizens' portal)."""
    q = (q or "").strip()
    if not q:
        return []
    return list(leaves().filter(Q(name__icontains=q) | Q(keywords__icontains=q) | Q(parent__name__icontains=q)
                                | Q(parent__parent__name__icontains=q) | Q(code__startswith=q))[:limit])
