"""Workbench pages, one module per page (intake, dispatch, inbox, oversight, detail, lists, dashboard)."""
