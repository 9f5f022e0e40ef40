"""Bulk import of appeals (``jishiban import appeals``): readers, column mappings, the batch loader."""
