"""The one write path for supervision: orders, callbacks, promises and disputes.

Views, the API, signal receivers and the periodic jobs call these functions; nothing else
writes supervision rows. Errors are the appeal workflow's (``jishiban.appeals.errors``), so
every interface maps them the same way (403 / 409 / 422).
"""
