from .models import Category


def leaves():
    """Active categories with no active children (the ones appeals are filed under)."""
    return Category.objects.filter(is_active=True, level=3).select_related("parent__parent").order_by("code")
