"""Read-side queries of the workbench. Every function starts from ``Appeal.objects.visible_to(user)``."""
