"""Paths that notifications and pages point to."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse


def appeal(pk) -> str:
    """The workbench page of an appeal (the admin's when the workbench is not installed)."""
    pk = getattr(pk, "pk", pk)
    try:
        return reverse("web:appeal_detail", args=[pk])
    except NoReverseMatch:
        return reverse("admin:appeals_appeal_change", args=[pk])


def order(obj) -> str:
    return reverse("supervision:order_detail", args=[obj.pk])


def callback(task) -> str:
    return reverse("supervision:callback_detail", args=[task.pk])


def page(name: str) -> str:
    return reverse(f"supervision:{name}")
