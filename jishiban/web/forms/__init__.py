"""Forms of the workbench: the call-desk intake, one form per workflow action, the list filters."""
