"""A person's own data: export it as JSON, or delete the account.

It sits above accounts, rotas, feeds and notifications (it reads and clears all of them);
none of them imports it.
"""
