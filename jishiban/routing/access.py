"""Who may see and maintain the dispatch catalogue; denied by default.

Supervisors and administrators maintain it, dispatchers read it (they apply it every day);
every other role is refused. The web pages, the admin and the API use these functions, which
are the role policy's (``accounts/policy.py``).
"""

from __future__ import annotations

from jishiban.accounts import policy

may_view = policy.may_view_catalogue
may_edit = policy.may_edit_catalogue
# Staff who can see an appeal may see where routing would send it; citizens may not.
may_see_suggestions = policy.is_staff_member
