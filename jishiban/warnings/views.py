"""Pages of the warning list and one warning (filled in below)."""
from django.http import HttpResponse


def warning_list(request):
    return HttpResponse("")


def warning_detail(request, pk):
    return HttpResponse("")


def warning_step(request, pk, step):
    return HttpResponse("")
